// A hostile driver (TARGETS.md §4) for the hostile-target suite: HOSTILE_MODE picks how it misbehaves.
// It records its pid in HOSTILE_PID_DIR so the suite can prove it is gone after the run.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const mode = process.env.HOSTILE_MODE ?? 'hang';
if (process.env.HOSTILE_PID_DIR) appendFileSync(join(process.env.HOSTILE_PID_DIR, 'pids'), `${process.pid}\n`);

if (mode === 'exit') {
  console.error('hostile driver: exiting at start');
  process.exit(3);
}

const answer = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
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

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  switch (mode) {
    case 'hang':
      return; // reads, never answers
    case 'garbage':
      process.stdout.write('this is not json\n\u0000\u00ff{{{\n');
      return;
    case 'flood':
      // One enormous line that never ends in a newline.
      process.stdout.write('{"id":' + String(req.id) + ',"ok":true,"url":"' + 'A'.repeat(32 * 1024 * 1024));
      return;
    case 'drip': {
      const text = `${JSON.stringify({ id: req.id, ok: true, url: authorizeUrl() })}\n`;
      let i = 0;
      const timer = setInterval(() => {
        if (i >= text.length) return clearInterval(timer);
        process.stdout.write(text[i++]);
      }, 250);
      return;
    }
    case 'crash':
      if (req.op === 'authorize') return answer({ id: req.id, ok: true, url: authorizeUrl() });
      console.error('hostile driver: crashing mid-login');
      process.exit(9);
      return;
    default:
      answer({ id: req.id, ok: false, error: `unknown mode ${mode}` });
  }
});
