import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_JIT_FLAGS } from './jit-flags.js';

const JIT_FLAGS = fileURLToPath(new URL('./jit-flags.ts', import.meta.url));
const V8_FLAGS = fileURLToPath(new URL('../../core/v8-flags.ts', import.meta.url));

/**
 * Runs `call` (an expression on `jit`, this module) in a fresh Node and returns what it returned, the
 * flags recorded after it, whether fetch's modules were loaded, and everything the process printed.
 */
function inNewProcess(call: string): { returned: unknown; recorded: string; undici: boolean; output: string } {
  const script = [
    `const jit = await import(${JSON.stringify(JIT_FLAGS)});`,
    `const { v8FlagsFingerprint } = await import(${JSON.stringify(V8_FLAGS)});`,
    `const returned = ${call} ?? null;`,
    "const recorded = v8FlagsFingerprint([]).split('\\0').at(-1);",
    "const undici = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));",
    'process.stdout.write(JSON.stringify({ returned, recorded, undici }) + "\\n");',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(run.status, run.stderr).toBe(0);
  const [first] = run.stdout.split('\n');
  return {
    ...(JSON.parse(first) as { returned: unknown; recorded: string; undici: boolean }),
    output: run.stdout + run.stderr,
  };
}

describe('setCliJitFlags', () => {
  it('sets and records the flags for the commands that run a mock provider, and V8 knows every one', () => {
    const audit = inNewProcess("jit.setCliJitFlags('audit')");
    expect(audit.returned).toBe(true);
    expect(audit.recorded).toBe(CLI_JIT_FLAGS.join(' '));
    // V8 ignores a flag it does not know, saying so on the process's output: a Node that dropped one fails here.
    expect(audit.output).not.toMatch(/unrecognized flag|unknown flag/i);
    expect(inNewProcess("jit.setCliJitFlags('idp')").returned).toBe(true);
  });

  it('leaves the short commands as they are', () => {
    for (const command of ["'list'", "'explain'", 'undefined']) {
      expect(inNewProcess(`jit.setCliJitFlags(${command})`)).toMatchObject({ returned: false, recorded: '' });
    }
  });
});

describe('prepareV8', () => {
  it('preloads fetch, then sets --liftoff-only and the JIT flags, for a command that runs a mock provider', () => {
    expect(inNewProcess("jit.prepareV8('audit')")).toMatchObject({
      recorded: ['--liftoff-only', ...CLI_JIT_FLAGS].join(' '),
      undici: true,
    });
  });

  it('sets only --liftoff-only for a short command, and loads nothing ahead', () => {
    expect(inNewProcess("jit.prepareV8('list')")).toMatchObject({ recorded: '--liftoff-only', undici: false });
  });
});
