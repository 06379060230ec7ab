/**
 * Lab id-token-kid-rotation: a web client that fails `id-token.kid-rotation`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { LoginError } from '../../shared/login-flow.js';

let trusted: JWK | undefined;

runLab('lab-id-token-kid-rotation', {
  flow: {
    verifyIdToken: async (idToken, nonce, ctx) => {
      const { keys } = (await (await fetch(ctx.meta.jwks_uri)).json()) as { keys: JWK[] };
      // Pin the key we first saw: a key that appears later could be an attacker's.
      trusted ??= keys[0];
      const { payload } = await jwtVerify(idToken, await importJWK(trusted, 'RS256'), {
        issuer: ctx.meta.issuer,
        audience: ctx.env.clientId,
      }).catch(() => {
        throw new LoginError('Sign-in failed', 'The ID token was rejected.');
      });
      if (payload.nonce !== nonce) throw new LoginError('Sign-in failed', 'The ID token was rejected (nonce).');
      return payload as typeof payload & { sub: string };
    },
  },
});
