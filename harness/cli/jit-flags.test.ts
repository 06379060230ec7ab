import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_JIT_FLAGS } from './jit-flags.js';

const JIT_FLAGS = fileURLToPath(new URL('./jit-flags.ts', import.meta.url));
const V8_FLAGS = fileURLToPath(new URL('../../core/v8-flags.ts', import.meta.url));

/** In a fresh Node: what `setCliJitFlags(command)` returned, the flags recorded after it, and all it printed. */
function inNewProcess(command: string | undefined): { set: boolean; fingerprint: string; output: string } {
  const script = [
    `const { setCliJitFlags } = await import(${JSON.stringify(JIT_FLAGS)});`,
    `const { v8FlagsFingerprint } = await import(${JSON.stringify(V8_FLAGS)});`,
    `const set = setCliJitFlags(${command === undefined ? 'undefined' : JSON.stringify(command)});`,
    'process.stdout.write(JSON.stringify({ set, fingerprint: v8FlagsFingerprint([]) }) + "\\n");',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(run.status, run.stderr).toBe(0);
  const [first] = run.stdout.split('\n');
  return { ...(JSON.parse(first) as { set: boolean; fingerprint: string }), output: run.stdout + run.stderr };
}

describe('setCliJitFlags', () => {
  it('sets and records the flags for the commands that run a mock provider, and V8 knows every one', () => {
    const audit = inNewProcess('audit');
    expect(audit.set).toBe(true);
    for (const flag of CLI_JIT_FLAGS) expect(audit.fingerprint).toContain(flag);
    // V8 ignores a flag it does not know, saying so on the process's output: a Node that dropped one fails here.
    expect(audit.output).not.toMatch(/unrecognized flag|unknown flag/i);
    expect(inNewProcess('idp').set).toBe(true);
  });

  it('leaves the short commands as they are', () => {
    for (const command of ['list', 'explain', undefined]) {
      const run = inNewProcess(command);
      expect(run.set).toBe(false);
      for (const flag of CLI_JIT_FLAGS) expect(run.fingerprint).not.toContain(flag);
    }
  });
});
