import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PRELOAD = fileURLToPath(new URL('./preload.ts', import.meta.url));

/** In a fresh Node (the test's own has loaded fetch long ago): what `preloadFor(command)` returned, and whether fetch's modules were loaded after it. */
function inNewProcess(command: string | undefined): { loaded: boolean; undici: boolean } {
  const script = [
    `const { preloadFor } = await import(${JSON.stringify(PRELOAD)});`,
    `const loaded = preloadFor(${command === undefined ? 'undefined' : JSON.stringify(command)});`,
    "const undici = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));",
    'process.stdout.write(JSON.stringify({ loaded, undici }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { loaded: boolean; undici: boolean };
}

describe('preloadFor', () => {
  it('loads fetch for the commands that run a mock provider', () => {
    expect(inNewProcess('audit')).toEqual({ loaded: true, undici: true });
    expect(inNewProcess('idp')).toEqual({ loaded: true, undici: true });
  });

  it('leaves fetch unloaded for the commands that never answer with a web Response', () => {
    expect(inNewProcess('list')).toEqual({ loaded: false, undici: false });
    expect(inNewProcess(undefined)).toEqual({ loaded: false, undici: false });
  });
});
