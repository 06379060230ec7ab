/** state.entropy: state values are unguessable and unique per login (RFC 6749 §10.10). */
import { defineClientCheck } from '../define.js';
import { stopNotApplicable } from '../lib/outcome.js';
import { judgeEntropy, sampleAuthorizationRequests } from '../lib/samples.js';

/** Number of logins sampled: enough for the position and repetition tests, cheap for the HTTP agent. */
const SAMPLES = 6;

/** state is unguessable (≥ 128 bits estimated over several logins) and never repeats. */
export const stateEntropy = defineClientCheck({
  id: 'state.entropy',
  title: 'state is unguessable and unique',
  severity: 'high',
  refs: ['RFC6749-10.10'],
  must: 'state is unguessable (>= 128 bits estimated) and unique across logins.',
  rationale:
    '`state` only protects the callback if an attacker cannot predict it. A timestamp, a counter, a user id or a ' +
    'short random number can be guessed or enumerated, and a value that is reused across logins can be learned ' +
    'once and replayed. The harness collects state from several logins and credits only the parts that vary ' +
    'like random noise.',
  remediation:
    'Generate state with a cryptographically secure random generator, e.g. `crypto.randomBytes(32).toString("base64url")` ' +
    'in Node.js or `secrets.token_urlsafe(32)` in Python, once per login. Do not derive it from the time, a ' +
    'counter or the session id, and do not reuse it after the callback.',
  async run(ctx) {
    const requests = await sampleAuthorizationRequests(ctx, SAMPLES);
    const values = requests.map((r) => r.params.state).filter((v): v is string => Boolean(v));
    if (values.length < requests.length)
      stopNotApplicable('Some authorization requests carry no state (see state.present).');
    return judgeEntropy(ctx, 'state', values);
  },
});
