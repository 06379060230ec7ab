import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CLIENT,
  POST_CLIENT,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  authOf,
  authorize,
  codeRequest,
  login,
  obtainCode,
  pkcePair,
  postForm,
  redeem,
  refreshGrant,
  startTestIdp,
  userinfoStatus,
} from './testing/login-flow.js';
import { PERMISSIVE_MODE_DOCS } from './faults/fault-docs.js';
import { PAR_DPOP_MODES } from './dpop/par-dpop-modes.js';
import type { MockIdp, PermissiveMode, RunningMockIdp } from './types.js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { JWT_BEARER_ASSERTION_TYPE } from './http/client-assertion.js';

/** Something observable about one rule; the strict provider and the permissive one must differ. */
type Probe = (idp: MockIdp) => Promise<unknown>;

const withoutPkce = (): Record<string, string> => {
  const params = codeRequest(PUBLIC_CLIENT);
  delete params.code_challenge;
  delete params.code_challenge_method;
  return params;
};

const confidentialWithoutPkce = async (idp: MockIdp): Promise<string> => {
  const params = codeRequest(BASIC_CLIENT);
  delete params.code_challenge;
  delete params.code_challenge_method;
  return (await authorize(idp, params)).location!.searchParams.get('code')!;
};

const refreshWith = (idp: MockIdp, token: string, client = PUBLIC_CLIENT) => refreshGrant(idp, client, token);

/** A private_key_jwt client, registered on demand at each provider a probe runs against. */
const keyed = (() => {
  let pair: Promise<{ privateKey: CryptoKey; jwk: Record<string, unknown> }> | undefined;
  const keys = () =>
    (pair ??= generateKeyPair('ES256', { extractable: true }).then(async (p) => ({
      privateKey: p.privateKey,
      jwk: { ...(await exportJWK(p.publicKey)), kid: 'k1' },
    })));
  let n = 0;
  return {
    /** Redeems a fresh code with the assertion `claims` (over sensible defaults) built, or `raw` as given. */
    async redeem(idp: MockIdp, claims: Record<string, unknown> = {}, raw?: string): Promise<number> {
      const { privateKey, jwk } = await keys();
      const client = {
        clientId: 'keyed',
        authMethod: 'private_key_jwt' as const,
        redirectUris: [REDIRECT_URI],
        jwks: { keys: [jwk] },
      };
      idp.registerClient(client);
      const now = Date.parse('2026-03-01T10:00:00Z') / 1000;
      const assertion =
        raw ??
        (await new SignJWT({ iss: 'keyed', sub: 'keyed', aud: idp.issuer, exp: now + 60, jti: `j${++n}`, ...claims })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .sign(privateKey));
      const { code, verifier } = await obtainCode(idp, client);
      return (
        await postForm(
          idp.endpoints.token,
          {
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT_URI,
            code_verifier: verifier,
            client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
            client_assertion: assertion,
          },
          { kind: 'nothing' },
        )
      ).status;
    },
  };
})();

/** How many of two simultaneous requests succeeded. */
const bothAtOnce = async (send: () => Promise<{ status: number }>): Promise<number> =>
  (await Promise.all([send(), send()])).filter((a) => a.status === 200).length;

/** Each mode, a probe, and what the strict and the permissive provider answer. */
const CASES: Array<{ mode: PermissiveMode; probe: Probe; strict: unknown; permissive: unknown }> = [
  {
    mode: 'pkce-not-required',
    probe: async (idp) => (await authorize(idp, withoutPkce())).location?.searchParams.has('code'),
    strict: false,
    permissive: true,
  },
  {
    mode: 'verifier-not-checked',
    probe: async (idp) => {
      const { code } = await obtainCode(idp, PUBLIC_CLIENT);
      return (await redeem(idp, PUBLIC_CLIENT, code, pkcePair('wrong').verifier)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'verifier-optional',
    probe: async (idp) =>
      (await redeem(idp, PUBLIC_CLIENT, (await obtainCode(idp, PUBLIC_CLIENT)).code, undefined)).status,
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'verifier-without-challenge-accepted',
    probe: async (idp) =>
      (await redeem(idp, BASIC_CLIENT, await confidentialWithoutPkce(idp), pkcePair().verifier)).status,
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'plain-allowed',
    probe: async (idp) => {
      const { verifier } = pkcePair('plain');
      const answer = await authorize(
        idp,
        codeRequest(PUBLIC_CLIENT, { code_challenge: verifier, code_challenge_method: 'plain' }),
      );
      return answer.location?.searchParams.has('code');
    },
    strict: false,
    permissive: true,
  },
  {
    mode: 'verifier-format-not-checked',
    probe: async (idp) => {
      const verifier = 'short';
      const { createHash } = await import('node:crypto');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const { code } = await obtainCode(idp, PUBLIC_CLIENT, { pkce: { verifier, challenge } });
      return (await redeem(idp, PUBLIC_CLIENT, code, verifier)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'failed-verifier-keeps-code',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT);
      await redeem(idp, PUBLIC_CLIENT, code, pkcePair('wrong').verifier);
      return (await redeem(idp, PUBLIC_CLIENT, code, verifier)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'codes-reusable',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT);
      await redeem(idp, PUBLIC_CLIENT, code, verifier);
      return (await redeem(idp, PUBLIC_CLIENT, code, verifier)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'replay-does-not-revoke',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT);
      const first = await redeem(idp, PUBLIC_CLIENT, code, verifier);
      await redeem(idp, PUBLIC_CLIENT, code, verifier);
      return userinfoStatus(idp, first.json.access_token as string);
    },
    strict: 401,
    permissive: 200,
  },
  {
    mode: 'code-not-bound-to-client',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT);
      return (await redeem(idp, POST_CLIENT, code, verifier)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'code-not-bound-to-redirect-uri',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT);
      return (await redeem(idp, PUBLIC_CLIENT, code, verifier, { redirect_uri: `${REDIRECT_URI}/x` })).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'redirect-uri-prefix-match',
    probe: async (idp) =>
      (await authorize(idp, codeRequest(PUBLIC_CLIENT, { redirect_uri: `${REDIRECT_URI}/evil` }))).status,
    strict: 400,
    permissive: 302,
  },
  {
    mode: 'redirect-on-invalid-redirect-uri',
    probe: async (idp) => {
      const answer = await authorize(idp, codeRequest(PUBLIC_CLIENT, { redirect_uri: 'http://attacker.example/cb' }));
      return answer.location?.origin ?? answer.status;
    },
    strict: 400,
    permissive: 'http://attacker.example',
  },
  {
    mode: 'state-not-echoed',
    probe: async (idp) => (await authorize(idp, codeRequest(PUBLIC_CLIENT))).location?.searchParams.get('state'),
    strict: 'state-0123456789abcdef',
    permissive: null,
  },
  {
    mode: 'iss-param-wrong',
    probe: async (idp) => {
      const iss = (await authorize(idp, codeRequest(PUBLIC_CLIENT))).location?.searchParams.get('iss');
      return [
        idp.metadata.authorization_response_iss_parameter_supported === true,
        iss === null ? 'absent' : iss === idp.issuer ? 'right' : 'wrong',
      ];
    },
    strict: [false, 'absent'],
    permissive: [true, 'wrong'],
  },
  {
    mode: 'no-cache-control',
    probe: async (idp) => (await login(idp, PUBLIC_CLIENT)).headers.get('cache-control'),
    strict: 'no-store',
    permissive: null,
  },
  {
    mode: 'client-auth-not-required',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, BASIC_CLIENT);
      const answer = await postForm(
        idp.endpoints.token,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
        { kind: 'none', id: BASIC_CLIENT.clientId },
      );
      return answer.status;
    },
    strict: 401,
    permissive: 200,
  },
  {
    mode: 'low-entropy-tokens',
    probe: async (idp) => /^code\d+$/.test((await obtainCode(idp, PUBLIC_CLIENT)).code),
    strict: false,
    permissive: true,
  },
  {
    mode: 'no-refresh-rotation',
    probe: async (idp) => {
      const tokens = await login(idp, PUBLIC_CLIENT);
      const next = await refreshWith(idp, tokens.json.refresh_token as string);
      return next.json.refresh_token === tokens.json.refresh_token;
    },
    strict: false,
    permissive: true,
  },
  {
    mode: 'refresh-reuse-not-detected',
    probe: async (idp) => {
      const tokens = await login(idp, PUBLIC_CLIENT);
      const next = await refreshWith(idp, tokens.json.refresh_token as string);
      await refreshWith(idp, tokens.json.refresh_token as string);
      return (await refreshWith(idp, next.json.refresh_token as string)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'refresh-not-bound-to-client',
    probe: async (idp) => {
      const tokens = await login(idp, POST_CLIENT);
      return (await refreshWith(idp, tokens.json.refresh_token as string, BASIC_CLIENT)).status;
    },
    strict: 400,
    permissive: 200,
  },
  {
    mode: 'implicit-enabled',
    probe: async (idp) => {
      const params = codeRequest(PUBLIC_CLIENT, { response_type: 'token' });
      const answer = await authorize(idp, params);
      return new URLSearchParams(answer.location?.hash.slice(1)).has('access_token');
    },
    strict: false,
    permissive: true,
  },
  {
    mode: 'ropc-enabled',
    // An unknown user: the strict provider does not know the grant, the permissive one checks the credentials.
    probe: async (idp) =>
      (
        await postForm(
          idp.endpoints.token,
          { grant_type: 'password', username: 'nobody@example.com', password: 'x', scope: 'openid' },
          authOf(POST_CLIENT),
        )
      ).json.error,
    strict: 'unsupported_grant_type',
    permissive: 'invalid_grant',
  },
  {
    mode: 'errors-not-rfc',
    probe: async (idp) => {
      const answer = await postForm(idp.endpoints.token, { grant_type: 'bogus' }, authOf(PUBLIC_CLIENT));
      return [answer.status, answer.headers.get('content-type')?.split(';')[0]];
    },
    strict: [400, 'application/json'],
    permissive: [200, 'text/html'],
  },
  {
    mode: 'errors-reflect-unescaped',
    probe: async (idp) =>
      (await authorize(idp, codeRequest(PUBLIC_CLIENT, { redirect_uri: 'http://x/<b>hi</b>' }))).body.includes(
        '<b>hi</b>',
      ),
    strict: false,
    permissive: true,
  },
  {
    mode: 'api-bearer-query-accepted',
    probe: async (idp) => {
      const tokens = await login(idp, PUBLIC_CLIENT);
      const token = encodeURIComponent(tokens.json.access_token as string);
      const api = await fetch(`${idp.apiBaseUrl}/v1/profile?access_token=${token}`);
      const userinfo = await fetch(`${idp.endpoints.userinfo!}?access_token=${token}`);
      return [api.status, userinfo.status];
    },
    strict: [401, 400],
    permissive: [200, 200],
  },
  {
    mode: 'client-assertion-aud-not-checked',
    probe: (idp) => keyed.redeem(idp, { aud: 'https://other.example' }),
    strict: 401,
    permissive: 200,
  },
  {
    mode: 'client-assertion-exp-not-checked',
    probe: (idp) => keyed.redeem(idp, { exp: Date.parse('2026-03-01T09:00:00Z') / 1000 }),
    strict: 401,
    permissive: 200,
  },
  {
    mode: 'client-assertion-replay-allowed',
    probe: async (idp) => {
      const once = { jti: `replayed-${idp.issuer}` };
      return [await keyed.redeem(idp, once), await keyed.redeem(idp, once)];
    },
    strict: [200, 401],
    permissive: [200, 200],
  },
  {
    mode: 'client-assertion-alg-none-accepted',
    probe: (idp) => {
      const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
      const now = Date.parse('2026-03-01T10:00:00Z') / 1000;
      const claims = { iss: 'keyed', sub: 'keyed', aud: idp.issuer, exp: now + 60, jti: 'none-1' };
      return keyed.redeem(idp, {}, `${enc({ alg: 'none' })}.${enc(claims)}.`);
    },
    strict: 401,
    permissive: 200,
  },
  {
    mode: 'code-redemption-race',
    probe: async (idp) => {
      const { code, verifier } = await obtainCode(idp, PUBLIC_CLIENT);
      return bothAtOnce(() => redeem(idp, PUBLIC_CLIENT, code, verifier));
    },
    strict: 1,
    permissive: 2,
  },
  {
    mode: 'refresh-rotation-race',
    probe: async (idp) => {
      const tokens = await login(idp, PUBLIC_CLIENT);
      return bothAtOnce(() => refreshWith(idp, tokens.json.refresh_token as string));
    },
    strict: 1,
    permissive: 2,
  },
  {
    mode: 'framing-allowed',
    probe: async (idp) => {
      const page = await authorize(idp, codeRequest(PUBLIC_CLIENT, { redirect_uri: 'http://127.0.0.1:1/other' }));
      return [
        page.headers.get('x-frame-options'),
        /frame-ancestors 'none'/.test(page.headers.get('content-security-policy') ?? ''),
      ];
    },
    strict: ['DENY', true],
    permissive: [null, false],
  },
  {
    mode: 'redirect-307-after-post',
    probe: async (idp) => (await authorize(idp, codeRequest(PUBLIC_CLIENT), { method: 'POST' })).status,
    strict: 303,
    permissive: 307,
  },
];

let strict: RunningMockIdp;
beforeAll(async () => {
  strict = await startTestIdp();
});
afterAll(async () => {
  await strict.close();
});

describe('permissive modes', () => {
  it('covers every mode in the contract', () => {
    // PERMISSIVE_MODE_DOCS is a Record over the PermissiveMode union, so it lists every mode. The PAR
    // and DPoP modes need a provider that advertises both; dpop/dpop-par.test.ts probes them.
    expect([...CASES.map((c) => c.mode), ...PAR_DPOP_MODES].sort()).toEqual(Object.keys(PERMISSIVE_MODE_DOCS).sort());
  });

  it.each(CASES)('$mode changes what the provider does', async ({ mode, probe, strict: strictAnswer, permissive }) => {
    const loose = await startTestIdp({ permissive: [mode] });
    try {
      expect(await probe(strict.idp)).toEqual(strictAnswer);
      expect(await probe(loose.idp)).toEqual(permissive);
    } finally {
      await loose.close();
    }
  });
});

describe('ropc-enabled', () => {
  it('issues tokens for a seeded user and advertises the grant', async () => {
    const loose = await startTestIdp({ permissive: ['ropc-enabled'] });
    try {
      expect(loose.idp.metadata.grant_types_supported).toContain('password');
      const tokens = await login(loose.idp, PUBLIC_CLIENT, { extra: { scope: 'openid email' } });
      const info = (await (
        await fetch(loose.idp.endpoints.userinfo!, {
          headers: { authorization: `Bearer ${tokens.json.access_token as string}` },
        })
      ).json()) as { email: string };
      const answer = await postForm(
        loose.idp.endpoints.token,
        { grant_type: 'password', username: info.email, password: 'anything', scope: 'openid' },
        authOf(POST_CLIENT),
      );
      expect(answer.status).toBe(200);
      expect(answer.json.access_token).toBeTruthy();
    } finally {
      await loose.close();
    }
  });
});
