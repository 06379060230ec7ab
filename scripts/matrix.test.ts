import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientChecks } from '../scenarios/catalog.js';
import { discoverLabs, REFERENCE_TARGETS, ROOT } from './efficacy-targets.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lh-matrix-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Pids of the live processes whose parent is `ppid` and that lead their own process group (from /proc):
 * the targets the harness started, not helpers sharing the script's group (tsx's esbuild service).
 */
function targetsOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // After the command name (field 2, which may hold spaces): state, parent pid, process group.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, parent, group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(parent) === ppid && Number(group) === Number(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run matrix', () => {
  it.runIf(process.platform === 'linux')(
    'stops on SIGTERM while another listener only cleans up (as Playwright does): its targets end, nothing is written, exit 143',
    async () => {
      const out = path.join(dir, 'matrix.md');
      // A SIGTERM listener that does not end the process, like the one Playwright installs to close its
      // browsers: with it, a signal the script does not handle itself is swallowed.
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--import',
          'data:text/javascript,process.on("SIGTERM",()=>{})',
          path.join(ROOT, 'scripts', 'matrix.ts'),
          '--targets',
          'state-present',
          '--out',
          out,
        ],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal })),
      );
      // The lab's server is a child of the script (in its own process group): wait until it runs.
      const targets = await new Promise<number[]>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const poll = setInterval(() => {
          const pids = stderr.includes('[start] state-present') ? targetsOf(child.pid!) : [];
          if (pids.length > 0) {
            clearInterval(poll);
            resolve(pids);
          }
        }, 50);
        void exited.then(() => {
          clearInterval(poll);
          reject(new Error(`the matrix ended before its target started:\n${stderr}`));
        });
      });
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 143, signal: null });
      expect(stderr).toContain('interrupted by SIGTERM; the audits were stopped, nothing was written');
      expect(existsSync(out)).toBe(false);
      expect(targets.filter(alive)).toEqual([]);
    },
    120_000,
  );

  it('has docs/efficacy-matrix.md name every lab of examples/labs/labs.json, every reference client and every client check', async () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'efficacy-matrix.md'), 'utf8');
    const full = doc.slice(doc.indexOf('## Full matrix'));
    const header = full.split('\n').find((line) => line.startsWith('| check |'));
    expect(header, 'the full matrix table').toBeDefined();
    const columns = header!
      .split('|')
      .slice(2, -1)
      .map((c) => c.trim().replace(/`/g, ''));
    const { labs } = await discoverLabs();
    expect(labs.length).toBeGreaterThan(0);
    const expected = [...REFERENCE_TARGETS.map((r) => r.name), ...labs.map((l) => l.folder)];
    expect(
      columns.filter((c) => !expected.includes(c)),
      'columns of no current target',
    ).toEqual([]);
    expect(
      expected.filter((c) => !columns.includes(c)),
      'targets without a column',
    ).toEqual([]);
    const rows = full
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1].trim().replace(/`/g, ''));
    expect(rows).toEqual(clientChecks.map((c) => c.id));
  });
});
