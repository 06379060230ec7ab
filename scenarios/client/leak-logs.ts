/** leak.logs: the target's logs contain no code, token or client secret (CWE-532). */
import { describeLeaks, knownSecrets, scanPlaces } from '../lib/evidence.js';
import { exerciseClient } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';

/** Nothing the provider issued shows up in stdout/stderr of the target. */
export const leakLogs = defineClientCheck({
  id: 'leak.logs',
  title: 'No secrets in logs',
  severity: 'medium',
  refs: ['CWE-532'],
  requirement: {
    text: 'Access token credentials (as well as any confidential access token attributes) MUST be kept confidential in transit and storage.',
    level: 'MUST',
    ref: 'RFC6749-10.3',
  },
  must: "The target's logs contain no code, token or client secret.",
  rationale:
    'Logs are read by many more people and systems than the application’s secrets should be: operators, log ' +
    'shipping services, support tickets, backups. Request logging that prints full URLs (with `?code=`), debug ' +
    'output of token responses, or a dump of the configuration puts usable credentials into all of them.',
  remediation:
    'Log paths without query strings, and log the `error` code of failed logins but never request bodies or ' +
    'token responses. Configure your logger to redact known secret fields (`code`, `access_token`, ' +
    '`refresh_token`, `id_token`, `client_secret`, `Authorization`).',
  async run(ctx) {
    if (ctx.target.kind !== 'driver' && !ctx.target.start) {
      stopNotApplicable('The harness did not start the target, so it has no access to its logs.');
    }
    const login = await exerciseClient(ctx);
    ctx.observe(
      `Refresh through the client: ${await login.session.refresh()}; sign-out: ${await login.session.logout()}.`,
    );
    const logs = ctx.targetLogs();
    const secrets = knownSecrets(ctx, ['code', 'access_token', 'refresh_token', 'id_token', 'client_secret']);
    const leaks = scanPlaces(
      [{ where: ctx.target.kind === 'driver' ? 'driver stderr' : 'target stdout/stderr', text: logs }],
      secrets,
    );
    ctx.observe(
      `Scanned ${logs.length} characters of target output for ${secrets.length} known values: ${leaks.length} hit(s).`,
      {
        kinds: leaks.map((l) => l.kind),
      },
    );
    if (leaks.length > 0) return fail(`The target's logs contain secrets: ${describeLeaks(leaks)}.`);
    return pass('The target’s logs contain none of the codes, tokens or the client secret of this login.');
  },
});
