import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A port the kernel bound for us, still held, and how to let it go. */
export interface HeldPort {
  port: number;
  close: () => Promise<void>;
}

/** Binds `port` on 127.0.0.1 and holds it; rejects when it is taken. */
function bindPort(port: number): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      const close = (): Promise<void> => new Promise((done) => server.close(() => done()));
      if (bound) resolve({ port: bound, close });
      else void close().then(() => reject(new Error('no port assigned')));
    });
  });
}

/** Linux's setting of the ports the kernel picks from. */
const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

/**
 * The ports the kernel gives to a bind of port 0 and to outgoing connections: Linux's
 * `net.ipv4.ip_local_port_range`, else the IANA dynamic range (macOS, Windows).
 */
export function ephemeralPortRange(read: () => string = () => readFileSync(EPHEMERAL_RANGE_FILE, 'utf8')): {
  low: number;
  high: number;
} {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 1024 && low <= high && high <= 65535) {
      return { low, high };
    }
  } catch {
    // Not Linux.
  }
  return { low: 49152, high: 65535 };
}

/** How many ports below the ephemeral range targets are given ports from. */
const TARGET_RANGE_SIZE = 16_384;

/**
 * Ports for targets: the {@link TARGET_RANGE_SIZE} ports below the ephemeral range (and above 1024).
 * A port the kernel picked (port 0) is free when picked, but the target binds it only later, and
 * meanwhile any server of the machine binding port 0 (a test's mock provider, another tool) can be
 * given the same port: the target then cannot bind it, its readiness probe is answered by that other
 * server (any status below 500 counts), and its logins reach a stranger (seen: a lab's `/login`
 * answered 404). No bind of port 0 lands below the ephemeral range; only a program binding that very
 * port can, and a picked port is tried first.
 */
export function targetPortRange(ephemeral = ephemeralPortRange()): { low: number; high: number } {
  const high = ephemeral.low - 1;
  return { low: Math.max(1025, high - TARGET_RANGE_SIZE + 1), high };
}

let targetRange: { low: number; high: number } | undefined;

/** Binds a random port of {@link targetPortRange} (a taken one rejects, and the picker tries another). */
function bindTargetPort(): Promise<HeldPort> {
  // Read once per process: the kernel's range is a machine setting, not something a pick changes.
  targetRange ??= targetPortRange();
  const { low, high } = targetRange;
  return bindPort(low + Math.floor(Math.random() * (high - low + 1)));
}

/** How many handed-out ports a picker remembers (the oldest is forgotten first). */
const REMEMBERED = 4096;
/** Candidates in a row that may all be taken ports before giving up. */
const ATTEMPTS = 64;

/** Where the harness processes of this machine note the ports they gave to targets (one file per port). */
export const PORT_CLAIMS_DIR = path.join(os.tmpdir(), 'login-harness-ports');

/**
 * How old a claim without a pid may be before it counts as left behind: a claim is written in two steps
 * (the file, then the pid), and one read between them is another process's claim being made.
 */
const TORN_CLAIM_MS = 10_000;

/** Whether process `pid` is alive (a process of another user counts as alive). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims between processes: a file per port in `dir`, holding the pid of the process that gave the port
 * to a target. A claim of a process that has ended is taken over.
 */
export interface PortClaims {
  /** Claims `port` for this process; false when a live process other than this one holds it. */
  claim: (port: number) => boolean;
  /** Gives up this process's claim of `port`. */
  release: (port: number) => void;
}

/** Claims as files in `dir` (created on first use). Where claims cannot be written, every port is free to claim. */
export function fileClaims(dir: string = PORT_CLAIMS_DIR, pid: number = process.pid): PortClaims {
  const file = (port: number): string => path.join(dir, String(port));
  /** Whether the claim at `at` belongs to no live process: an ended one, or none for {@link TORN_CLAIM_MS}. */
  const stale = (at: string): boolean => {
    const holder = Number(readFileSync(at, 'utf8') || NaN);
    if (Number.isInteger(holder) && holder > 0) return holder !== pid && !alive(holder);
    return Date.now() - statSync(at).mtimeMs > TORN_CLAIM_MS;
  };
  const write = (port: number): boolean => {
    const fd = openSync(file(port), 'wx');
    try {
      writeSync(fd, String(pid));
    } finally {
      closeSync(fd);
    }
    return true;
  };
  let pruned = false;
  /** Once per process: removes the claims of ended processes (one killed by a signal leaves its files). */
  const prune = (): void => {
    pruned = true;
    for (const name of readdirSync(dir)) {
      try {
        if (stale(path.join(dir, name))) unlinkSync(path.join(dir, name));
      } catch {
        // Released or replaced meanwhile.
      }
    }
  };
  return {
    claim: (port) => {
      try {
        mkdirSync(dir, { recursive: true });
        if (!pruned) prune();
        return write(port);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return true;
      }
      try {
        if (Number(readFileSync(file(port), 'utf8')) === pid) return true;
        if (!stale(file(port))) return false;
      } catch {
        // Released meanwhile: taken below.
      }
      // A claim of an ended process (or one left torn): replaced. Two processes replacing it at once
      // both unlink, and only one of them creates the new file.
      try {
        unlinkSync(file(port));
      } catch {
        // Already gone.
      }
      try {
        return write(port);
      } catch {
        return false;
      }
    },
    release: (port) => {
      try {
        if (Number(readFileSync(file(port), 'utf8')) === pid) unlinkSync(file(port));
      } catch {
        // Not ours, or already gone.
      }
    },
  };
}

/**
 * Picks loopback ports for targets: a port free when picked that no picker of this process handed
 * out in its last {@link REMEMBERED} picks and that no other live harness process of the machine has
 * claimed (`claims`).
 *
 * A picked port is free when picked, but the target binds it only later, and the next pick may draw
 * the same free port, in this process or in another harness process running at the same time (two
 * audits on one CI machine, a parallel test suite). Two targets would then be given one
 * port; a target that cannot bind it (or one that never binds, as one that refuses to start) would
 * have its readiness probe answered by the other target, and its logins would reach the other run.
 * So a port is handed out once, and claimed for the machine until this process forgets it or ends.
 */
export function createPortPicker(
  bind: () => Promise<HeldPort> = bindTargetPort,
  claims: PortClaims = fileClaims(),
): { pick: () => Promise<number>; releaseAll: () => void } {
  const handedOut = new Set<number>();
  const pick = async (): Promise<number> => {
    for (let i = 0; i < ATTEMPTS; i++) {
      const candidate = await bind().catch((err: NodeJS.ErrnoException) => {
        // Taken (or not ours to bind): another candidate.
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') return undefined;
        throw err;
      });
      if (!candidate) continue;
      // Let go at once: a port handed out earlier may be about to be bound by its target.
      await candidate.close();
      if (handedOut.has(candidate.port) || !claims.claim(candidate.port)) continue;
      handedOut.add(candidate.port);
      if (handedOut.size > REMEMBERED) {
        const oldest = handedOut.values().next().value!;
        handedOut.delete(oldest);
        claims.release(oldest);
      }
      return candidate.port;
    }
    throw new Error(`no free loopback port found that was not already given to a target (${ATTEMPTS} tries)`);
  };
  const releaseAll = (): void => {
    for (const port of handedOut) claims.release(port);
  };
  return { pick, releaseAll };
}

const picker = createPortPicker();
// The claims end with the process (an ended process's claims are also taken over by the next claim).
process.once('exit', picker.releaseAll);

/**
 * A TCP port on 127.0.0.1 below the kernel's ephemeral range (see {@link targetPortRange}) that was
 * free a moment ago, not handed out before by this process and not claimed by another harness process
 * (see {@link createPortPicker}). There is a window between closing the probe and the target binding;
 * targets are started right after.
 */
export const freeLoopbackPort: () => Promise<number> = picker.pick;
