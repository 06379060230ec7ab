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
  startTestIdp,
} from './testing/login-flow.js';
import { PERMISSIVE_MODE_DOCS } from './faults/fault-docs.js';
import { PAR_DPOP_MODES } from './dpop/par-dpop-modes.js';
import type { MockIdp, PermissiveMode, RunningMockIdp } from './types.js';

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

const refreshWith = (idp: MockIdp, token: string, client = PUBLIC_CLIENT) =>
  postForm(idp.endpoints.token, { grant_type: 'refresh_token', refresh_token: token }, authOf(client));

const userinfoStatus = async (idp: MockIdp, token: string): Promise<number> =>
  (await fetch(idp.endpoints.userinfo!, { headers: { authorization: `Bearer ${token}` } })).status;

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
