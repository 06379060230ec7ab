/**
 * Progress of a run, as an observer of runner events: one updating line on an interactive terminal,
 * one quiet line per finished check elsewhere (CI logs), nothing with `--quiet`.
 */
import type { RunnerEvent } from '../../reports/model.js';
import { isInteractive, type CliIo } from './io.js';

/** Returns an `onEvent` observer that reports progress to `io.stderr`, and `done()` to end the line. */
export function progressReporter(io: CliIo, opts: { quiet: boolean }): { onEvent(e: RunnerEvent): void; done(): void } {
  if (opts.quiet) return { onEvent: () => {}, done: () => {} };
  const tty = isInteractive(io);
  let total = 0;
  let finished = 0;
  const counts = { pass: 0, fail: 0, warn: 0, 'not-applicable': 0, error: 0 };
  const running = new Set<string>();
  let lineOpen = false;

  const render = (): void => {
    const now = [...running].slice(0, 2).join(', ') + (running.size > 2 ? ` +${running.size - 2}` : '');
    const line =
      `[${finished}/${total}] pass ${counts.pass}  fail ${counts.fail}  warn ${counts.warn}  ` +
      `n/a ${counts['not-applicable']}  error ${counts.error}` +
      (now ? `  running: ${now}` : '');
    const width = 200;
    io.stderr(`\r\x1b[2K${line.slice(0, width)}`);
    lineOpen = true;
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'run-start':
          total = e.checkIds.length;
          if (!tty)
            io.stderr(`login-harness: auditing ${e.target.name} (${e.target.kind}), ${total} checks, seed ${e.seed}\n`);
          else render();
          break;
        case 'check-start':
          running.add(e.id);
          if (tty) render();
          break;
        case 'check-end':
          running.delete(e.result.id);
          finished++;
          counts[e.result.verdict]++;
          if (tty) render();
          else io.stderr(`${e.result.verdict.padEnd(14)} ${e.result.id} (${Math.round(e.result.durationMs)} ms)\n`);
          break;
        case 'run-end':
          break;
      }
    },
    done() {
      if (tty && lineOpen) io.stderr('\r\x1b[2K');
      lineOpen = false;
    },
  };
}
