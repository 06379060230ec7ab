/**
 * Lab dpop-nonce: a web client that fails `dpop.nonce`. The exercise is in README.md; everything not
 * replaced here is the reference client (examples/reference-fapi2/).
 */
import type { CustomFetch } from 'openid-client';
import { runFapi2App } from '../../reference-fapi2/server.js';

/** Headers the outgoing HTTP layer lets through; everything else is dropped as noise. */
const KNOWN_HEADERS = ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'location'];

const sanitizingFetch: CustomFetch = async (url, options) => {
  const res = await fetch(url, options as RequestInit);
  const headers = new Headers();
  for (const name of KNOWN_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(await res.arrayBuffer(), { status: res.status, statusText: res.statusText, headers });
};

runFapi2App('lab-dpop-nonce', {}, sanitizingFetch);
