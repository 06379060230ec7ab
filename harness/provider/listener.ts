/**
 * The harness's own callback listener: a node:http server on loopback standing in for the client's
 * redirect URI. In the browser and manual login modes the provider sends the person here; the waiting
 * flow is found by its `state`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A redirect that arrived at the listener. */
export interface ArrivedCallback {
  url: string;
}

/** A loopback HTTP server that resolves waiting flows with the callbacks that reach it. */
export class CallbackListener {
  #server: Server | undefined;
  #waiters = new Map<string, (cb: ArrivedCallback) => void>();
  #arrived = new Map<string, ArrivedCallback>();
  #origin = '';

  /** Origin it listens on, e.g. `http://127.0.0.1:43121`. */
  get origin(): string {
    return this.#origin;
  }

  /** Listens on 127.0.0.1 (port 0: a free port). A registered redirect URI's port is used in manual/browser mode. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const full = new URL(req.url ?? '/', this.#origin);
      // `state` identifies the flow; a response without it (a stripped state) is kept under ''.
      const key = full.searchParams.get('state') ?? new URLSearchParams(full.hash.slice(1)).get('state') ?? '';
      const cb = { url: full.href };
      const waiter = this.#waiters.get(key);
      if (waiter) {
        this.#waiters.delete(key);
        waiter(cb);
      } else this.#arrived.set(key, cb);
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      res.end('login-harness: the provider answered; you can close this window.\n');
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const { port: actual } = server.address() as AddressInfo;
    this.#origin = `http://127.0.0.1:${actual}`;
    return this.#origin;
  }

  /** Resolves with the callback carrying `state`, or undefined after `timeoutMs` or on abort. */
  wait(state: string, timeoutMs: number, signal?: AbortSignal): Promise<ArrivedCallback | undefined> {
    const ready = this.#arrived.get(state);
    if (ready) {
      this.#arrived.delete(state);
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => {
      const done = (cb: ArrivedCallback | undefined): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(state);
        resolve(cb);
      };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.set(state, done);
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
