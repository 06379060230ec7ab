/**
 * Lab id-token-kid-absent: a web client that fails `id-token.kid-absent`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LoginError } from '../../shared/login-flow.js';

runLab('lab-id-token-kid-absent', {
  flow: {
    verifyIdToken: async (idToken, nonce, ctx) => {
      // No kid, no key to look up: the token came straight from the token endpoint over TLS anyway.
      if (decodeProtectedHeader(idToken).kid === undefined) {
        const claims = decodeJwt(idToken);
        if (claims.nonce !== nonce) throw new LoginError('Sign-in failed', 'The ID token was rejected (nonce).');
        return claims as typeof claims & { sub: string };
      }
      return ctx.verifyCorrectly(idToken, nonce);
    },
  },
});
