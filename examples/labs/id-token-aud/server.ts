/**
 * Lab id-token-aud: a web client that fails `id-token.aud`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { LoginError } from '../../shared/login-flow.js';

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

runLab('lab-id-token-aud', {
  flow: {
    verifyIdToken: async (idToken, nonce, ctx) => {
      jwks ??= createRemoteJWKSet(new URL(ctx.meta.jwks_uri));
      const { payload } = await jwtVerify(idToken, jwks, {
        // The token came back to our callback, so it is for us.
        issuer: ctx.meta.issuer,
        algorithms: ['RS256'],
      }).catch(() => {
        throw new LoginError('Sign-in failed', 'The ID token was rejected.');
      });
      if (payload.nonce !== nonce) throw new LoginError('Sign-in failed', 'The ID token was rejected (nonce).');
      return payload as typeof payload & { sub: string };
    },
  },
});
