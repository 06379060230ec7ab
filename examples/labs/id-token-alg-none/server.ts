/**
 * Lab id-token-alg-none: a web client that fails `id-token.alg-none`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LoginError } from '../../shared/login-flow.js';

runLab('lab-id-token-alg-none', {
  flow: {
    verifyIdToken: async (idToken, nonce, ctx) => {
      // Unsigned tokens come from our local test provider; accept them after checking the claims.
      if (String(decodeProtectedHeader(idToken).alg).toLowerCase() === 'none') {
        const claims = decodeJwt(idToken);
        if (claims.iss !== ctx.meta.issuer || claims.aud !== ctx.env.clientId || claims.nonce !== nonce) {
          throw new LoginError('Sign-in failed', 'The ID token was rejected.');
        }
        return claims as typeof claims & { sub: string };
      }
      return ctx.verifyCorrectly(idToken, nonce);
    },
  },
});
