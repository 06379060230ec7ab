import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, readSessionNice as sessionNice, setSessionNice, TargetPriority } from './priority.js';

/** Whether this kernel schedules by session (autogroup); the CI machines do. */
const AUTOGROUP = existsSync('/proc/self/autogroup');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A process in a session of its own, as targets are started (detached). */
function sessionLeader(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

describe('TargetPriority', () => {
  it('starts a background target with the lowest share of its own session, not the harness', () => {
    const pid = sessionLeader();
    const own = sessionNice(process.pid);
    new TargetPriority('background').attach(pid);
    if (AUTOGROUP) {
      expect(sessionNice(pid)).toBe(BACKGROUND_NICE);
      expect(sessionNice(process.pid)).toBe(own);
    } else {
      expect(setSessionNice(pid, BACKGROUND_NICE)).toBe(false);
    }
  });

  it('gives every process of the target an even share again once something waits on it, and later ones too', () => {
    const first = sessionLeader();
    const priority = new TargetPriority('background');
    priority.attach(first);
    priority.set('normal');
    expect(priority.share).toBe('normal');
    const restarted = sessionLeader();
    priority.attach(restarted);
    if (AUTOGROUP) {
      expect(sessionNice(first)).toBe(0);
      expect(sessionNice(restarted)).toBe(0);
    }
  });

  it('leaves a normal target as it was started', () => {
    const pid = sessionLeader();
    new TargetPriority('normal').attach(pid);
    if (AUTOGROUP) expect(sessionNice(pid)).toBe(0);
  });

  it('changes nothing for a process that is gone', () => {
    expect(setSessionNice(2 ** 22 + 12345, BACKGROUND_NICE)).toBe(false);
  });
});
