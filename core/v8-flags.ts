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

/**
 * The flags this process runs with, as far as they can be known: Node's command line (`execArgv`),
 * `NODE_OPTIONS`, and the flags set through {@link setV8Flag}, in order.
 */
export function v8FlagsFingerprint(): string {
  return [process.execArgv.join(' '), process.env.NODE_OPTIONS ?? '', record().join(' ')].join('\0');
}
