/**
 * `npm run fuzz [-- --sequences N] [--seed S] [--max-commands N] [--max-seconds N]`: the long run of the stateful fuzz
 * of the strict mock provider (mock-idp/fuzz/model.ts). Prints the sequences run, the distinct model
 * states reached and the failures (with the shrunk sequence), and exits 1 on a failure.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { z } from 'zod';
import { fuzzProperty, observeStates } from './model.js';

const USAGE = `Usage: npm run fuzz -- [--sequences N] [--seed S] [--max-commands N]

  --sequences N      sequences to run (default 1000)
  --seed S           fast-check seed (default: random, printed)
  --max-commands N   operations per sequence at most (default 40)
  --max-seconds N    stop after this long (the sequences run so far are reported)
`;

const integer = z
  .string()
  .regex(/^-?\d{1,15}$/, 'expected an integer')
  .transform(Number);
const Args = z.object({
  sequences: integer.pipe(z.number().int().min(1)).default(1000),
  seed: integer.optional(),
  'max-commands': integer.pipe(z.number().int().min(1).max(1000)).default(40),
  'max-seconds': integer.pipe(z.number().int().min(1)).optional(),
  help: z.boolean().default(false),
});

/** Runs the fuzz with `argv`; resolves with the exit code. */
export async function runFuzz(
  argv: string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  let parsed;
  try {
    parsed = Args.safeParse(
      parseArgs({
        args: argv,
        options: {
          sequences: { type: 'string' },
          seed: { type: 'string' },
          'max-commands': { type: 'string' },
          'max-seconds': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
    );
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!parsed.success) {
    process.stderr.write(
      `fuzz: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n\n${USAGE}`,
    );
    return 2;
  }
  if (parsed.data.help) {
    out(USAGE);
    return 0;
  }
  const { sequences } = parsed.data;
  const seed = parsed.data.seed ?? Math.floor(Math.random() * 2 ** 31);
  const states = new Set<string>();
  let steps = 0;
  let run = 0;
  const started = performance.now();
  let lastReport = started;
  observeStates((signature) => {
    steps += 1;
    states.add(signature);
  });
  out(`fuzz: ${sequences} sequences, seed ${seed}, up to ${parsed.data['max-commands']} operations each`);
  const property = fuzzProperty(parsed.data['max-commands']);
  const details = await fc.check(
    property.afterEach(() => {
      run += 1;
      const now = performance.now();
      if (now - lastReport > 10_000) {
        lastReport = now;
        out(
          `  ${run} sequences, ${steps} operations, ${states.size} distinct states, ${Math.round((now - started) / 1000)} s`,
        );
      }
    }),
    {
      numRuns: sequences,
      seed,
      ...(parsed.data['max-seconds'] !== undefined
        ? { interruptAfterTimeLimit: parsed.data['max-seconds'] * 1000, markInterruptAsFailure: false }
        : {}),
    },
  );
  observeStates(undefined);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  out(`sequences run: ${details.numRuns} (of ${sequences}${details.interrupted ? ', stopped by --max-seconds' : ''})`);
  out(`operations: ${steps}`);
  out(`distinct states reached: ${states.size}`);
  out(`time: ${seconds} s`);
  if (details.failed) {
    out(`failures: 1 (after ${details.numRuns} sequences; ${details.numShrinks} shrinks)`);
    out(`counterexample (memory tiny?, sequence): ${fc.stringify(details.counterexample)}`);
    out(
      `error: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    );
    out(`replay: npm run fuzz -- --seed ${seed} --sequences ${sequences}`);
    return 1;
  }
  out('failures: 0');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runFuzz(process.argv.slice(2));
}
