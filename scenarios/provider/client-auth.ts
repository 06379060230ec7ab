/**
 * `private_key_jwt` at the token endpoint (RFC 7523 3, OIDC Core 9): the provider refuses client
 * assertions for another audience, expired ones, unsigned ones, and a replayed one.
 */
import type { AssertionOptions, TokenResponse } from '../../harness/provider/client.js';
import { defineProviderCheck } from '../define.js';
import type { Outcome, Requirement } from '../types.js';
import { notApplicable, pass, targetError, tokenData } from './verdicts.js';

/** The primary rule: the provider rejects an assertion that does not name it as audience. */
const AUDIENCE: Requirement = {
  text: 'The authorization server MUST reject any JWT that does not contain its own identity as the intended audience.',
  level: 'MUST',
  ref: 'RFC7523-3-3',
};

const EXPIRY: Requirement = {
  text: 'The authorization server MUST reject any JWT with an expiration time that has passed, subject to allowable clock skew between systems.',
  level: 'MUST',
  ref: 'RFC7523-3-4',
};

const SIGNATURE: Requirement = {
  text: 'The JWT MUST be digitally signed or have a Message Authentication Code (MAC) applied by the issuer. The authorization server MUST reject JWTs with an invalid signature or MAC.',
  level: 'MUST',
  ref: 'RFC7523-3-9',
};

/** OpenID providers: a client assertion is used only once. */
const REPLAY_OIDC: Requirement = {
  text: 'jti REQUIRED. JWT ID. A unique identifier for the token, which can be used to prevent reuse of the token. These tokens MUST only be used once, unless conditions for reuse were defined between the parties.',
  level: 'MUST',
  ref: 'OIDC-9',
};

/** Plain OAuth providers: RFC 7523 makes replay detection optional. */
const REPLAY_OAUTH: Requirement = {
  text: 'The authorization server MAY ensure that JWTs are not replayed by maintaining the set of used "jti" values for the length of time for which the JWT would be considered valid based on the applicable "exp" instant.',
  level: 'RECOMMENDED',
  ref: 'RFC7523-3-7',
};

/** One deviation, the requirement it breaks, and how to say so. */
interface Probe {
  what: string;
  options: AssertionOptions;
  requirement: Requirement;
}

export const clientAuthPrivateKeyJwt = defineProviderCheck({
  id: 'provider.client-auth.private-key-jwt',
  title: 'private_key_jwt assertions are verified: audience, expiry, signature, one use',
  severity: 'high',
  refs: ['RFC7523-3', 'OIDC-9'],
  must: 'assertions with a wrong `aud`, expired, with a replayed `jti`, or `alg: none` are refused',
  rationale:
    'With `private_key_jwt` the client proves who it is with a short-lived JWT signed by its private key instead of a shared secret (RFC 7523). The proof only holds if the provider checks it: an assertion meant for another server, an old one, an unsigned one or one seen before may have been captured or forged, and accepting it lets whoever holds it redeem codes and refresh tokens as the client.',
  remediation:
    'Verify every client assertion with the keys the client registered, allowing only asymmetric algorithms; require `aud` to be your issuer or token endpoint URL, `iss` and `sub` to be the client id, and `exp` to be in the near future; remember each `jti` until its `exp` and refuse it a second time.',
  needs: ['private-key-jwt'],
  catches: [
    'client-assertion-aud-not-checked',
    'client-assertion-exp-not-checked',
    'client-assertion-replay-allowed',
    'client-assertion-alg-none-accepted',
  ],
  requirement: AUDIENCE,
  async run(ctx) {
    const keyed = ctx.clients.privateKeyJwt;
    if (!keyed) return notApplicable('No private_key_jwt client is registered.');
    const client = ctx.client(keyed);
    const probes: Probe[] = [
      {
        what: 'an assertion for another audience',
        options: { aud: 'https://audience.invalid' },
        requirement: AUDIENCE,
      },
      {
        what: 'an assertion that expired two minutes ago',
        options: { issuedAt: -300, expiresIn: -120 },
        requirement: EXPIRY,
      },
      { what: 'an unsigned assertion (alg: none)', options: { unsigned: true }, requirement: SIGNATURE },
    ];
    const { pending, code } = await client.obtainCode();
    const accepted: Probe[] = [];
    for (const probe of probes) {
      const t = await client.redeem(pending, code, { assertion: probe.options });
      ctx.observe(`Redeeming the code with ${probe.what}: ${t.status}.`, tokenData(t));
      if (t.ok) {
        accepted.push(probe);
        // The code is spent; the remaining probes need a fresh one.
        return judge(
          accepted,
          probes.slice(probes.indexOf(probe) + 1).map((p) => p.what),
        );
      }
    }
    // Control: a correct assertion redeems the same code, so the refusals above were about the assertion.
    const good = await client.redeem(pending, code);
    ctx.observe(`Redeeming the code with a correct assertion: ${good.status}.`, tokenData(good));
    if (!good.ok) {
      return targetError(
        'A correct client assertion was refused too, so the refusals above say nothing about the assertions.',
      );
    }
    const replay = await replayed(good);
    const oidc = ctx.provider.metadata.scopes_supported?.includes('openid') ?? false;
    if (replay === 'accepted')
      accepted.push({
        what: 'a replayed assertion (same jti)',
        options: {},
        requirement: oidc ? REPLAY_OIDC : REPLAY_OAUTH,
      });
    if (replay === 'unknown') {
      ctx.observe('Whether a replayed assertion is refused could not be observed (a second code was not redeemable).');
    }
    return judge(accepted, []);

    async function replayed(first: TokenResponse): Promise<'refused' | 'accepted' | 'unknown'> {
      const second = await client.obtainCode();
      const again = await client.redeem(second.pending, second.code, { assertion: { raw: first.assertion ?? '' } });
      ctx.observe(
        `Redeeming a second code with the same assertion again (same jti): ${again.status}.`,
        tokenData(again),
      );
      if (again.ok) return 'accepted';
      const control = await client.redeem(second.pending, second.code);
      ctx.observe(`Redeeming the second code with a fresh assertion: ${control.status}.`, tokenData(control));
      return control.ok ? 'refused' : 'unknown';
    }

    function judge(found: Probe[], untried: string[]): Outcome {
      const note = untried.length ? ` (not tried: ${untried.join(', ')})` : '';
      if (found.length === 0) {
        return pass(
          'Assertions for another audience, expired, unsigned and replayed were refused; a correct one was accepted.',
        );
      }
      const primary = found.find((p) => p.requirement.level === 'MUST') ?? found[0];
      return {
        verdict: 'fail',
        summary: `The provider accepted ${found.map((p) => p.what).join(' and ')}${note}.`,
        ...(primary.requirement === AUDIENCE ? {} : { requirement: primary.requirement }),
      };
    }
  },
});
