import { readFileSync } from 'node:fs';
/**
 * Decision logic of every client check against the in-process fake client signing in at the real mock
 * provider: each check passes on the correct client and fails on the one planted flaw it exists to catch.
 * (The end-to-end proof against real example targets and labs runs through the runner.)
 */
import { describe, expect, it } from 'vitest';
import { checkById, clientChecks } from '../catalog.js';
import { createFakeWorld, type FakeFlaws, type FakeWorldOptions } from './testing/fake-client.js';
import type { ClientCheckContext } from '../types.js';

interface Case {
  id: string;
  world?: FakeWorldOptions;
  flaws: Partial<FakeFlaws>;
  /** Verdict on the flawed client (default fail). */
  flawed?: 'fail' | 'warn';
}

const CASES: Case[] = [
  { id: 'state.present', flaws: { noState: true, stateCheck: 'off' } },
  { id: 'state.entropy', flaws: { counterState: true } },
  { id: 'state.mismatch', flaws: { stateCheck: 'off' } },
  { id: 'state.missing', flaws: { stateCheck: 'if-present' } },
  { id: 'state.session-binding', flaws: { stateCheck: 'global' } },
  { id: 'state.replay', flaws: { keepStateAfterUse: true }, flawed: 'fail' },
  { id: 'callback.missing-code', flaws: { crashOnMissingCode: true } },
  { id: 'callback.error-response', flaws: { crashOnErrorResponse: true } },
  { id: 'callback.error-xss', flaws: { reflectErrorRaw: true } },
  { id: 'pkce.present', flaws: { noPkce: true } },
  { id: 'pkce.s256', flaws: { plainPkce: true } },
  { id: 'pkce.verifier-sent', flaws: { noVerifierSent: true } },
  { id: 'pkce.verifier-format', flaws: { timestampVerifier: true } },
  { id: 'pkce.verifier-fresh', flaws: { reuseVerifier: true } },
  {
    id: 'pkce.downgrade-metadata',
    world: { discoveryFaults: ['discovery.pkce-plain-only'] },
    flaws: { followsPlainMetadata: true },
  },
  { id: 'pkce.no-plain-retry', flaws: { retryPlainAfterError: true } },
  { id: 'nonce.present', flaws: { noNonce: true } },
  { id: 'id-token.signature', flaws: { idTokenLapses: ['signature'] } },
  { id: 'id-token.alg-none', flaws: { idTokenLapses: ['alg-none'] } },
  { id: 'id-token.alg-confusion', flaws: { idTokenLapses: ['hs256-with-public-key'] } },
  { id: 'id-token.iss', flaws: { idTokenLapses: ['iss'] } },
  { id: 'id-token.aud', flaws: { idTokenLapses: ['aud'] } },
  { id: 'id-token.exp', flaws: { idTokenLapses: ['exp'] } },
  { id: 'id-token.nonce', flaws: { idTokenLapses: ['nonce'] } },
  { id: 'id-token.sub-userinfo', flaws: { ignoresUserinfoSub: true } },
  { id: 'id-token.kid-rotation', flaws: { firstJwksKey: true } },
  { id: 'authz-response.iss', world: { discoveryFaults: ['discovery.iss-parameter'] }, flaws: { noIssCheck: true } },
  {
    id: 'authz-response.iss-missing',
    world: { discoveryFaults: ['discovery.iss-parameter'] },
    flaws: { noIssCheck: true },
  },
  { id: 'flow.code-only', flaws: { implicit: true } },
  { id: 'redirect.open-redirect', flaws: { openRedirect: true } },
  { id: 'token-request.redirect-uri', flaws: { wrongRedirectUriAtToken: true, noPkce: false } },
  { id: 'token-request.client-auth', flaws: { secretInQuery: true } },
  { id: 'token-error.handled', flaws: { crashOnTokenError: true } },
  { id: 'token-response.malformed', flaws: { acceptsMalformedToken: true } },
  { id: 'leak.url', flaws: { codeStaysInAddressBar: true } },
  { id: 'leak.referer', flaws: { codeStaysInAddressBar: true, thirdPartyScript: true } },
  { id: 'leak.storage', flaws: { refreshTokenInLocalStorage: true } },
  { id: 'leak.logs', flaws: { logsUrls: true } },
  { id: 'leak.page', flaws: { refreshTokenInPage: true } },
  // The API refuses the query-string token, so the client never signs in: still a failure, not an error.
  { id: 'bearer.header', flaws: { bearerInQuery: true } },
  { id: 'secret.public-client', flaws: { secretInPage: true } },
  { id: 'refresh.rotation', flaws: { refreshWithFirstToken: true } },
  { id: 'refresh.scope', flaws: { widenScopeOnRefresh: true } },
  { id: 'scope.minimal', flaws: { extraScope: true } },
  { id: 'session.cookie-flags', flaws: { cookieNotHttpOnly: true } },
  { id: 'session.fixation', flaws: { noSessionRegeneration: true } },
  { id: 'logout.revoke', flaws: { noRevokeOnLogout: true } },
];

/** Further flaws a check grades differently from its main one. */
const MORE_CASES: Case[] = [
  // Redeeming a missing code sends a token request the provider cannot attribute to the login.
  { id: 'callback.missing-code', flaws: { redeemsMissingCode: true } },

  // Comparing `aud` only when it is there accepts an ID token without an audience.
  { id: 'id-token.aud', flaws: { idTokenLapses: ['aud-if-present'] } },

  // A refusal without a JWKS refetch may be a refetch rate limit (oauth4webapi: once a minute): warn only.
  { id: 'id-token.kid-rotation', flaws: { noJwksRefetch: true }, flawed: 'warn' },
  // A crash (5xx, stack trace) on a malformed token response fails even though nobody was signed in.
  { id: 'token-response.malformed', flaws: { crashOnTokenError: true }, flawed: 'fail' },
];

/** Behaviour a check must not count as a finding. */
const NOT_FINDINGS: Case[] = [
  // The landing page at the callback URL loads only its own script: the Referer reaches the client itself.
  { id: 'leak.referer', flaws: { codeStaysInAddressBar: true } },
];

/** Verdicts the correct fake client legitimately gets instead of pass. */
const CORRECT_CLIENT: Record<string, string> = {
  // The fake serves loopback http, so Secure cannot be set: warn by design.
  'session.cookie-flags': 'warn',
};

/**
 * Checks the fake client does not implement yet (ID token claims beyond the first catalog, refresh ID
 * tokens, an impostor discovery document, the logout family). They are proven against real targets
 * only: each fails its lab in examples/labs/ and passes the reference clients (scenarios/efficacy.test.ts).
 */
const REAL_TARGETS_ONLY = [
  'id-token.iat',
  'id-token.sub',
  'id-token.azp',
  'id-token.kid-absent',
  'id-token.at-hash',
  'id-token.refresh-claims',
  'discovery.issuer-match',
  'logout.session',
  'logout.rp-initiated',
  'logout.backchannel',
  'logout.backchannel-validation',
];

/** Checks that need `client.dpop`, `client.par` or `private_key_jwt`, proven by their labs and reference clients. */
const DPOP_PAR_IDS = ['dpop.proof', 'dpop.nonce', 'dpop.scheme', 'par.front-channel'];
/** Needs `authMethod: private_key_jwt`; proven by its lab and openid-client-web's private_key_jwt manifest. */
const PRIVATE_KEY_JWT_IDS = ['client-auth.private-key-jwt'];
/** Need `"providers": 2`; proven by their labs and examples/openid-client-two-providers (mixup.test.ts). */
const MIXUP_IDS = ['mixup.iss', 'mixup.token-endpoint'];
/** Needs `native: true` on a driver; proven by its labs and examples/reference-native. */
const NATIVE_IDS = ['native.loopback-redirect'];

describe('client checks against the fake client', () => {
  it('covers every check in the catalog, except those proven against real targets only', () => {
    expect(
      [
        ...CASES.map((c) => c.id),
        ...REAL_TARGETS_ONLY,
        ...DPOP_PAR_IDS,
        ...PRIVATE_KEY_JWT_IDS,
        ...MIXUP_IDS,
        ...NATIVE_IDS,
      ].sort(),
    ).toEqual(clientChecks.map((c) => c.id).sort());
  });

  it('has a lab for every check it leaves to real targets', () => {
    const index = JSON.parse(readFileSync(new URL('../../examples/labs/labs.json', import.meta.url), 'utf8')) as {
      labs: Array<{ fails: string[] }>;
    };
    const withLab = new Set(index.labs.flatMap((l) => l.fails));
    for (const id of REAL_TARGETS_ONLY) expect(withLab.has(id), id).toBe(true);
  });

  // The fake client speaks neither DPoP nor PAR: those checks are proven both ways by their labs and
  // examples/reference-fapi2 (scenarios/efficacy.test.ts); here, that they need the manifest field.
  for (const id of DPOP_PAR_IDS) {
    it(`${id} is not applicable to a client whose manifest does not declare ${id.startsWith('par') ? 'client.par' : 'client.dpop'}`, async () => {
      const { outcome } = await (await createFakeWorld({})).run(checkById(id)!);
      expect(outcome.verdict).toBe('not-applicable');
      expect(outcome.summary).toContain(id.startsWith('par') ? '`client.par`' : '`client.dpop`');
    });
  }

  // The fake client has one provider: the mix-up checks need the manifest field that adds a second.
  for (const id of MIXUP_IDS) {
    it(`${id} is not applicable to a client whose manifest does not declare providers`, async () => {
      const { outcome } = await (await createFakeWorld({})).run(checkById(id)!);
      expect(outcome.verdict).toBe('not-applicable');
      expect(outcome.summary).toContain('`providers`');
    });
  }

  for (const c of MORE_CASES) {
    it(`${c.id} ends in ${c.flawed ?? 'fail'} when the client ${Object.keys(c.flaws).join(', ')}`, async () => {
      const { outcome } = await (await createFakeWorld({ ...c.world, flaws: c.flaws })).run(checkById(c.id)!);
      expect(outcome.verdict, outcome.summary).toBe(c.flawed ?? 'fail');
    });
  }

  for (const c of NOT_FINDINGS) {
    it(`${c.id} passes when the client ${Object.keys(c.flaws).join(', ')}`, async () => {
      const { outcome } = await (await createFakeWorld({ ...c.world, flaws: c.flaws })).run(checkById(c.id)!);
      expect(outcome.verdict, outcome.summary).toBe('pass');
    });
  }

  it.each([
    [{ loginNeedsScript: true }, 'pass'],
    [{ loginNeedsScript: true, refreshTokenInLocalStorage: true }, 'fail'],
  ] as const)(
    'leak.storage signs in with the browser when a plain HTTP agent cannot (%o: %s)',
    async (flaws, verdict) => {
      const { outcome, observations } = await (await createFakeWorld({ flaws })).run(checkById('leak.storage')!);
      expect(outcome.verdict, outcome.summary).toBe(verdict);
      if (verdict === 'fail') expect(outcome.summary).toContain('localStorage["rt"]');
      expect(observations.map((o) => o.text).join('\n')).toMatch(
        /The login did not complete through a plain HTTP agent \(The client did not send the person to the provider: the login URL did not send the person to the provider's authorization endpoint \(status 200\)\): it is made in Chromium\./,
      );
    },
  );

  for (const c of CASES) {
    const check = checkById(c.id);
    it(`${c.id} passes on the correct client`, async () => {
      const { outcome, observations } = await (await createFakeWorld(c.world)).run(check!);
      expect(outcome.verdict, outcome.summary).toBe(CORRECT_CLIENT[c.id] ?? 'pass');
      expect(observations.length).toBeGreaterThan(0);
    });
    it(`${c.id} ends in ${c.flawed ?? 'fail'} when the client ${Object.keys(c.flaws).join(', ')}`, async () => {
      const { outcome, observations } = await (await createFakeWorld({ ...c.world, flaws: c.flaws })).run(check!);
      expect(outcome.verdict, outcome.summary).toBe(c.flawed ?? 'fail');
      expect(observations.length).toBeGreaterThan(0);
    });
  }
});

describe('client checks against a driver-kind fake client', () => {
  it('reports browser-only checks as not applicable to a driver', async () => {
    const world = await createFakeWorld({ kind: 'driver' });
    for (const id of ['callback.error-xss', 'leak.storage', 'session.cookie-flags', 'redirect.open-redirect']) {
      const { outcome } = await world.run(checkById(id)!);
      expect(outcome.verdict, id).toBe('not-applicable');
    }
  });

  it('reports native.loopback-redirect as not applicable to a driver whose manifest does not declare native', async () => {
    const { outcome } = await (await createFakeWorld({ kind: 'driver' })).run(checkById('native.loopback-redirect')!);
    expect(outcome.verdict).toBe('not-applicable');
    expect(outcome.summary).toContain('`native`');
  });

  it.each([
    [{}, 'RFC8252-8.3', 'RECOMMENDED', /both logins, held open at once, redirect to port 3000/],
    [{ noPkce: true }, 'RFC8252-6', 'MUST', /carries no code_challenge/],
    [{ plainPkce: true }, 'RFC7636-4.2', 'MUST', /code_challenge_method is plain/],
  ] as const)(
    'native.loopback-redirect names the worst rule a native driver breaks (%o: %s)',
    async (flaws, ref, level, summary) => {
      const world = await createFakeWorld({ kind: 'driver', native: true, flaws });
      const { outcome } = await world.run(checkById('native.loopback-redirect')!);
      expect(outcome.verdict).toBe('fail');
      expect(outcome.summary).toMatch(summary);
      expect(outcome.requirement).toMatchObject({ ref, level });
    },
  );

  it('says why the logout checks that follow or serve a user agent cannot test a driver', async () => {
    const world = await createFakeWorld({ kind: 'driver' });
    const rp = await world.run(checkById('logout.rp-initiated')!);
    expect(rp.outcome.verdict).toBe('not-applicable');
    expect(rp.outcome.summary).toMatch(/driver protocol's `logout` answer carries no URL/);
    const bc = await world.run(checkById('logout.backchannel')!);
    expect(bc.outcome.verdict).toBe('not-applicable');
    expect(bc.outcome.summary).toMatch(/no way for a driver to serve the back-channel logout URI/);
  });

  it('judges a driver by its callback answers, without pages or status codes', async () => {
    for (const id of ['state.mismatch', 'callback.missing-code', 'token-error.handled', 'id-token.signature']) {
      const good = await (await createFakeWorld({ kind: 'driver' })).run(checkById(id)!);
      expect(good.outcome.verdict, `${id}: ${good.outcome.summary}`).toBe('pass');
    }
    const flawed = await (
      await createFakeWorld({ kind: 'driver', flaws: { stateCheck: 'off' } })
    ).run(checkById('state.mismatch')!);
    expect(flawed.outcome.verdict).toBe('fail');
  });
});

describe('client checks running side by side on one target', () => {
  it('callback.error-response does not count the junk token request of a concurrent callback.missing-code', async () => {
    const world = await createFakeWorld({ flaws: { redeemsMissingCode: true } });
    const junkSeqs = (): number[] =>
      world.journal
        .entries({ endpoint: 'token' })
        .filter((e) => e.token?.code === '')
        .map((e) => e.seq);
    const lastSeq = (): number => Math.max(0, ...world.journal.entries().map((e) => e.seq));
    let window: [number, number] = [0, 0];
    // Both checks open their faulted session right after taking their journal mark. Gating those
    // openings orders the two logins whatever the scheduling: callback.missing-code sends its junk
    // token request only after callback.error-response took its mark, and callback.error-response
    // judges only after that request arrived: the case this test is about.
    const faulted = (ctx: ClientCheckContext, before: () => Promise<void>): ClientCheckContext => ({
      ...ctx,
      session: async (name) => {
        if (name === 'faulted') await before();
        return ctx.session(name);
      },
    });
    let errorResponseMarked!: () => void;
    const marked = new Promise<void>((resolve) => (errorResponseMarked = resolve));
    const missingCode = checkById('callback.missing-code')!;
    const errorResponse = checkById('callback.error-response')!;
    const [missing, error] = await Promise.all([
      world.run({ ...missingCode, run: (ctx) => missingCode.run(faulted(ctx, () => marked)) }),
      world.run({
        ...errorResponse,
        run: async (ctx) => {
          const from = lastSeq();
          const outcome = await errorResponse.run(
            faulted(ctx, async () => {
              const mark = lastSeq();
              errorResponseMarked();
              await world.journal.waitFor((e) => e.endpoint === 'token' && e.token?.code === '' && e.seq > mark);
            }),
          );
          window = [from, lastSeq()];
          return outcome;
        },
      }),
    ]);
    // The other check's junk request fell inside this check's window: the case this test is about.
    expect(junkSeqs().some((s) => s > window[0] && s <= window[1])).toBe(true);
    expect(missing.outcome.verdict, missing.outcome.summary).toBe('fail');
    expect(error.outcome.verdict, error.outcome.summary).toBe('pass');
  });
});

describe('a rejection judged against the shared control login', () => {
  it('id-token.sub-userinfo takes a faulted login that never reached userinfo for no refusal', async () => {
    const world = await createFakeWorld({});
    const check = checkById('id-token.sub-userinfo')!;
    // The faulted login's callback never reaches the client: it cannot have seen the mismatching subject.
    const stalled = (ctx: ClientCheckContext): ClientCheckContext => ({
      ...ctx,
      session: async (name, opts) => {
        const session = await ctx.session(name, opts);
        if (name !== 'faulted') return session;
        return {
          ...session,
          deliver: async (url: string) => ({ status: 400, finalUrl: url, body: '<p>Sign-in error</p>' }),
        };
      },
    });
    const { outcome } = await world.run({ ...check, run: (ctx) => check.run(stalled(ctx)) });
    expect(outcome).toMatchObject({ verdict: 'error', errorKind: 'target' });
    expect(outcome.summary).toMatch(/did not call userinfo in the faulted login/);
    // The same check on the same client, delivered: a refusal.
    const delivered = await (await createFakeWorld({})).run(check);
    expect(delivered.outcome.verdict, delivered.outcome.summary).toBe('pass');
  });
});
