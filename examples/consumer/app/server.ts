// The browser app of this example: one page that signs in with PKCE against https://login.lexoffice.io
// from the browser and shows who is signed in. Served on loopback for the Playwright test.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = new URL('./index.html', import.meta.url);

export async function startApp(): Promise<{ url: string; close(): Promise<void> }> {
  const html = await readFile(PAGE, 'utf8');
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
