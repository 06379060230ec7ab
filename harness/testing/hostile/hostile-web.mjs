// A hostile web (or SPA) target for the hostile-target suite: HOSTILE_MODE picks how it misbehaves.
// It records its pid in HOSTILE_PID_DIR so the suite can prove it is gone after the run.
import { appendFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';

const mode = process.env.HOSTILE_MODE ?? 'hang';
const port = Number(process.env.PORT);
if (process.env.HOSTILE_PID_DIR) appendFileSync(join(process.env.HOSTILE_PID_DIR, 'pids'), `${process.pid}\n`);

if (mode === 'exit') {
  console.error('hostile target: exiting at start');
  process.exit(3);
}

if (mode === 'garbage') {
  // Not HTTP at all: random bytes to whoever connects, then the connection is closed.
  createTcpServer((socket) => {
    socket.on('error', () => undefined);
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
    socket.end(junk);
  }).listen(port, '127.0.0.1', () => console.log(`hostile ready pid=${process.pid}`));
} else {
  const authorizeUrl = () => {
    const u = new URL(process.env.OAUTH_AUTHORIZATION_ENDPOINT);
    u.search = new URLSearchParams({
      response_type: 'code',
      client_id: process.env.OAUTH_CLIENT_ID,
      redirect_uri: process.env.OAUTH_REDIRECT_URI,
      scope: 'openid',
      state: 'fixed-state-value-0123456789abcdef',
    }).toString();
    return u.href;
  };
  const server = createHttpServer((req, res) => {
    res.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    switch (mode) {
      case 'hang':
        return; // never answers
      case 'loop':
        // Every page redirects to the next one, for ever.
        res.writeHead(302, { location: `/loop/${Math.random().toString(36).slice(2)}` }).end();
        return;
      case 'flood': {
        if (path === '/login') {
          // Huge headers: far beyond what an HTTP client accepts.
          const headers = {};
          for (let i = 0; i < 200; i++) headers[`x-flood-${i}`] = 'f'.repeat(4000);
          res.writeHead(200, headers).end('flood');
          return;
        }
        // Everything else: an endless 1 MB-per-chunk body.
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = '<p>' + 'x'.repeat(1024 * 1024) + '</p>';
        const pump = () => {
          while (res.write(chunk));
        };
        res.on('drain', pump);
        pump();
        return;
      }
      case 'crash':
        // Starts the login properly, then dies when the person comes back.
        if (path === '/callback') {
          console.error('hostile target: crashing mid-login');
          process.exit(9);
        }
        res.writeHead(302, { location: authorizeUrl() }).end();
        return;
      case 'drip': {
        // Answers one byte at a time, slowly, for ever.
        res.writeHead(200, { 'content-type': 'text/html' });
        const timer = setInterval(() => res.write('.'), 200);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'spa-loop':
        // A browser application whose page never stops running: a busy loop on load.
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script>for(;;){}</script>');
        return;
      case 'spa-reload':
        // A browser application that reloads itself for ever.
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script>location.replace("/again?" + Math.random())</script>');
        return;
      default:
        res.writeHead(500).end(`unknown mode ${mode}`);
    }
  });
  server.listen(port, '127.0.0.1', () => console.log(`hostile ready pid=${process.pid}`));
}
