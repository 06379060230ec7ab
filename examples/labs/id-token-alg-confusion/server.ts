/**
 * Lab id-token-alg-confusion: a web client that fails `id-token.alg-confusion`. The exercise is in
 * README.md; everything not replaced here is the reference client (examples/labs/_base/).
 */
import { decodeProtectedHeader, exportSPKI, importJWK, jwtVerify, type JWK } from 'jose';
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-alg-confusion', {
  flow: {
    verifyIdToken: async (idToken, nonce, ctx) => {
      const { alg, kid } = decodeProtectedHeader(idToken);
      if (alg === 'HS256') {
        // Symmetric tokens: verify with the provider's key material.
        const { keys } = (await (await fetch(ctx.meta.jwks_uri)).json()) as { keys: JWK[] };
        const jwk = keys.find((k) => k.kid === kid) ?? keys[0];
        const pem = await exportSPKI(
          (await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256', { extractable: true })) as CryptoKey,
        );
        const { payload } = await jwtVerify(idToken, new TextEncoder().encode(pem), {
          issuer: ctx.meta.issuer,
          audience: ctx.env.clientId,
        });
        return payload as typeof payload & { sub: string };
      }
      return ctx.verifyCorrectly(idToken, nonce);
    },
  },
});
