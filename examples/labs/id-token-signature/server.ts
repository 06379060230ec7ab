/**
 * Lab id-token-signature: a web client that fails `id-token.signature`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { decodeJwt } from 'jose';
import { LoginError } from '../../shared/login-flow.js';

runLab('lab-id-token-signature', {
  flow: {
    // The token came straight from the token endpoint over TLS, so decoding it is enough.
    verifyIdToken: async (idToken, nonce, ctx) => {
      const claims = decodeJwt(idToken);
      const now = Date.now() / 1000;
      if (
        claims.iss !== ctx.meta.issuer ||
        claims.aud !== ctx.env.clientId ||
        (claims.exp ?? 0) < now ||
        claims.nonce !== nonce
      ) {
        throw new LoginError('Sign-in failed', 'The ID token was rejected.');
      }
      return claims as typeof claims & { sub: string };
    },
  },
});
