/**
 * Races (RFC 6749 4.1.2, RFC 9700 4.14.2): the same code, or the same rotating refresh token, presented
 * twice at the same moment. A provider that reads the grant, issues tokens and only then marks it used
 * lets both requests through. Both requests are sent before either answer is awaited.
 */
import type { TokenResponse } from '../../harness/provider/client.js';
import { defineProviderCheck } from '../define.js';
import type { Requirement } from '../types.js';
import { fail, notApplicable, pass, targetError, tokenData } from './verdicts.js';

/** How many requests are raced. Two is the attack; a third makes a narrow window easier to hit. */
export const RACERS = 3;

const CODE_ONCE: Requirement = {
  text: 'If an authorization code is used more than once, the authorization server MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on that authorization code.',
  level: 'MUST',
  ref: 'RFC6749-4.1.2',
};

const REFRESH_ROTATION: Requirement = {
  text: 'Authorization servers MUST utilize one of these methods to detect refresh token replay by malicious actors for public clients: ... Refresh token rotation: the authorization server issues a new refresh token with every access token refresh response. The previous refresh token is invalidated.',
  level: 'MUST',
  ref: 'RFC9700-4.14.2',
};

function count(answers: TokenResponse[]): string {
  const ok = answers.filter((a) => a.ok).length;
  return `${ok} of ${answers.length} simultaneous requests succeeded (statuses ${answers.map((a) => a.status).join(', ')})`;
}

export const codeConcurrent = defineProviderCheck({
  id: 'provider.code.concurrent',
  title: 'Simultaneous redemptions of one code do not both succeed',
  severity: 'high',
  refs: ['RFC6749-4.1.2'],
  must: 'two simultaneous redemptions of one code do not both succeed',
  rationale:
    'A code must work once. Providers that look the code up, issue tokens and only then mark it used have a window in which a second redemption, sent at the same moment by someone who intercepted the code, also gets tokens; the single-use check one request at a time never sees it.',
  remediation:
    'Mark the code used in the same atomic step that reads it (a conditional update, a compare-and-set, or a row lock), before issuing any token.',
  catches: ['code-redemption-race'],
  requirement: CODE_ONCE,
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.obtainCode();
    // Every request is started before any is awaited: they reach the provider together.
    const answers = await Promise.all(Array.from({ length: RACERS }, () => client.redeem(pending, code)));
    answers.forEach((a, i) => ctx.observe(`Simultaneous redemption ${i + 1}: ${a.status}.`, tokenData(a)));
    const ok = answers.filter((a) => a.ok).length;
    if (ok > 1) return fail(`The same code was redeemed more than once: ${count(answers)}.`);
    if (ok === 0) return targetError(`No redemption succeeded, so the race could not be judged: ${count(answers)}.`);
    return pass(`Exactly one redemption got tokens: ${count(answers)}.`);
  },
});

export const refreshConcurrent = defineProviderCheck({
  id: 'provider.refresh.concurrent',
  title: 'Simultaneous refreshes with one rotating refresh token do not both succeed',
  severity: 'medium',
  refs: ['RFC9700-4.14.2'],
  must: 'two simultaneous refreshes with one rotating refresh token do not both succeed',
  rationale:
    'Rotation invalidates a refresh token when it is used, so a stolen copy and the real one cannot both be used without the provider noticing (RFC 9700 4.14.2). A provider that rotates only after issuing the new tokens lets two refreshes sent at the same moment both succeed: the thief keeps a live token family of its own and reuse detection never fires.',
  remediation:
    'Mark the refresh token rotated in the same atomic step that reads it, before issuing the new tokens; a request that finds it already rotated is a reuse.',
  needs: ['refresh'],
  catches: ['refresh-rotation-race'],
  requirement: REFRESH_ROTATION,
  async run(ctx) {
    const client = ctx.client();
    const { tokens } = await client.login();
    const rt = tokens.refreshToken;
    if (!rt) return notApplicable('The token response carried no refresh token.');
    const answers = await Promise.all(Array.from({ length: RACERS }, () => client.refresh(rt)));
    answers.forEach((a, i) => ctx.observe(`Simultaneous refresh ${i + 1}: ${a.status}.`, tokenData(a)));
    const winners = answers.filter((a) => a.ok);
    if (winners.length === 0)
      return targetError(`No refresh succeeded, so the race could not be judged: ${count(answers)}.`);
    if (winners.length === 1) return pass(`Exactly one refresh succeeded: ${count(answers)}.`);
    if (winners.every((a) => a.refreshToken === undefined || a.refreshToken === rt)) {
      return notApplicable(
        `The provider does not rotate refresh tokens (see provider.refresh.rotation), so simultaneous refreshes may all succeed: ${count(answers)}.`,
      );
    }
    return fail(`One refresh token was rotated more than once: ${count(answers)}, each with a new refresh token.`);
  },
});
