/**
 * Serves one provider of the comparison in its own process, so that providers do not share a heap,
 * an event loop or a garbage collector with each other or with the load generator.
 *
 * `node --import tsx bench/idp/serve.ts <provider name>` prints one JSON line
 * `{"name","version","target"}` once listening, and stops when its stdin closes.
 */
import { PROVIDERS } from './providers.js';

const name = process.argv[2];
const entry = PROVIDERS.find((p) => p.name === name);
if (!entry) {
  process.stderr.write(`unknown provider ${name}; one of: ${PROVIDERS.map((p) => p.name).join(', ')}\n`);
  process.exit(2);
}
const running = await entry.start();
process.stdout.write(JSON.stringify({ name: running.name, version: running.version, target: running.target }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void running.close().then(() => process.exit(0));
});
