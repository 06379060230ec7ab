import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PRELOAD = fileURLToPath(new URL('./preload.ts', import.meta.url));

/** Built-in modules an audit loads on its way (a target's start, a listening server, its argument parser). */
const AUDIT_LATER = ['child_process', 'cluster', 'dgram', 'dns', 'https', 'internal/util/parse_args/parse_args'];

interface Preloaded {
  loaded: boolean;
  undici: boolean;
  /** Of {@link AUDIT_LATER}, those not loaded before `preloadFor` ran (tsx loads some itself). */
  notYet: string[];
  /** Of `notYet`, those `preloadFor` loaded. */
  builtins: string[];
}

/**
 * In a fresh Node (the test's own has loaded fetch long ago): what `preloadFor(command)` returned, whether
 * fetch's modules were loaded after it, and which of {@link AUDIT_LATER} it loaded.
 */
function inNewProcess(command: string | undefined): Preloaded {
  const script = [
    `const notYet = ${JSON.stringify(AUDIT_LATER)}.filter((id) => !process.moduleLoadList.includes('NativeModule ' + id));`,
    `const { preloadFor } = await import(${JSON.stringify(PRELOAD)});`,
    `const loaded = preloadFor(${command === undefined ? 'undefined' : JSON.stringify(command)});`,
    "const undici = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));",
    "const builtins = notYet.filter((id) => process.moduleLoadList.includes('NativeModule ' + id));",
    'process.stdout.write(JSON.stringify({ loaded, undici, notYet, builtins }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as Preloaded;
}

describe('preloadFor', () => {
  it('loads fetch and the built-ins an audit needs later for the commands that run a mock provider', () => {
    const audit = inNewProcess('audit');
    expect(audit).toMatchObject({ loaded: true, undici: true });
    // Not a vacuous comparison: some of them are still to be loaded when preloadFor runs.
    expect(audit.notYet).toContain('cluster');
    expect(audit.builtins).toEqual(audit.notYet);
    expect(inNewProcess('idp')).toMatchObject({ loaded: true, undici: true });
  });

  it('leaves fetch and those built-ins unloaded for the commands that never answer with a web Response', () => {
    expect(inNewProcess('list')).toMatchObject({ loaded: false, undici: false, builtins: [] });
    expect(inNewProcess(undefined)).toMatchObject({ loaded: false, undici: false, builtins: [] });
  });
});
