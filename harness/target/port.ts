import { createServer, type Server } from 'node:net';

/** A port the kernel bound for us, still held, and how to let it go. */
export interface HeldPort {
  port: number;
  close: () => Promise<void>;
}

/** Binds port 0 on 127.0.0.1 (the kernel picks a free port) and holds it. */
function bindEphemeral(): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const close = (): Promise<void> => new Promise((done) => server.close(() => done()));
      if (port) resolve({ port, close });
      else void close().then(() => reject(new Error('no port assigned')));
    });
  });
}

/** How many handed-out ports a picker remembers (the oldest is forgotten first). */
const REMEMBERED = 4096;
/** Kernel picks in a row that may all be remembered ports before giving up. */
const ATTEMPTS = 64;

/**
 * Picks loopback ports for targets, never the same port twice in a row of {@link REMEMBERED} picks.
 *
 * A picked port is free when picked, but the target binds it only later, and the kernel may hand the
 * same free port to the next pick: a run that starts several targets at once could then give two of
 * them one port. A target that never binds (one that refuses to start) would have its readiness probe
 * answered by the other target, and be taken for started. So a port is handed out once, and the
 * kernel's picks that were handed out already are held open while another is asked for.
 */
export function createPortPicker(bind: () => Promise<HeldPort> = bindEphemeral): () => Promise<number> {
  const handedOut = new Set<number>();
  return async () => {
    const held: HeldPort[] = [];
    try {
      for (let i = 0; i < ATTEMPTS; i++) {
        const candidate = await bind();
        held.push(candidate);
        if (handedOut.has(candidate.port)) continue;
        handedOut.add(candidate.port);
        if (handedOut.size > REMEMBERED) handedOut.delete(handedOut.values().next().value!);
        return candidate.port;
      }
      throw new Error(`no loopback port found that was not already given to a target (${ATTEMPTS} tries)`);
    } finally {
      await Promise.all(held.map((h) => h.close()));
    }
  };
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it), and not handed out before by
 * this process (see {@link createPortPicker}). There is a window between closing the probe and the
 * target binding; targets are started right after.
 */
export const freeLoopbackPort: () => Promise<number> = createPortPicker();
