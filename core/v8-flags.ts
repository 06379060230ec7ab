/**
 * V8 flags set while the process runs (`v8.setFlagsFromString`), recorded so that what depends on them
 * can tell: V8 rejects a code cache made under other flags, so a cache's name includes them
 * (harness/browser/playwright-core.ts). The record is process-wide, shared by every copy of this module.
 */
import v8 from 'node:v8';

const RECORD = Symbol.for('lexoffice-login-harness.v8-flags');

function record(): string[] {
  const holder = globalThis as { [RECORD]?: string[] };
  holder[RECORD] ??= [];
  return holder[RECORD];
}

/** Sets a V8 flag now and records it. */
export function setV8Flag(flag: string): void {
  v8.setFlagsFromString(flag);
  record().push(flag);
}

/** Node options whose value is a program's text (`node -e SCRIPT`), not a setting. */
const SCRIPT_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);

/** `execArgv` without the text of an `-e`/`-p` program, which changes from one command to the next. */
function settingsOf(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (SCRIPT_OPTIONS.has(arg)) i++;
    else if (!/^(--eval|--print)=/.test(arg)) out.push(arg);
  }
  return out;
}

/**
 * The flags this process runs with, as far as they can be known: Node's command line (`execArgv`,
 * without an `-e` program's text), `NODE_OPTIONS`, and the flags set through {@link setV8Flag}, in order.
 */
export function v8FlagsFingerprint(execArgv: readonly string[] = process.execArgv): string {
  return [settingsOf(execArgv).join(' '), process.env.NODE_OPTIONS ?? '', record().join(' ')].join('\0');
}
