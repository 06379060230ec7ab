/**
 * The example client's key pair (example-client-key.json): the private half for clients that
 * authenticate with private_key_jwt (RFC 7523); manifests register the public half in `client.jwks`.
 */
import { readFileSync } from 'node:fs';
import { importJWK } from 'jose';

/** The private key and its `kid`, in the shape openid-client's `PrivateKeyJwt` takes. */
export async function loadExampleClientKey(): Promise<{ key: CryptoKey; kid: string }> {
  const file = new URL('./example-client-key.json', import.meta.url);
  const { privateJwk } = JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: { kid: string; alg: string } };
  return { key: (await importJWK(privateJwk, privateJwk.alg)) as CryptoKey, kid: privateJwk.kid };
}
