/**
 * authz-response.iss and authz-response.iss-missing: when the provider advertises RFC 9207, the `iss`
 * parameter of the authorization response is checked (mix-up defence, RFC 9700 §4.4).
 */
import { defineClientCheck } from '../define.js';
import { tamperedCallbackRun } from './state-callback.js';
import { ONE_PROVIDER } from '../lib/allowances.js';

const RATIONALE_MIXUP =
  'In a "mix-up" attack a client that works with several providers is tricked into sending a code it got ' +
  'from one provider to another one (the attacker’s), which then redeems it. RFC 9207 closes this: the provider ' +
  'adds `iss` to the callback, and the client compares it with the issuer it sent the person to.';

/** A callback with a wrong `iss` is refused. */
export const authzResponseIss = defineClientCheck({
  id: 'authz-response.iss',
  title: 'Authorization response iss is checked',
  severity: 'high',
  refs: ['RFC9207-2.4', 'RFC9700-4.4'],
  requirement: {
    text: 'If the value does not match the expected issuer identifier, clients MUST reject the authorization response and MUST NOT proceed with the authorization grant.',
    level: 'MUST',
    ref: 'RFC9207-2.4',
    allowances: [ONE_PROVIDER],
    fapi2: {
      text: 'shall check the iss parameter of the authorization response as described in RFC 9207',
      level: 'MUST',
      ref: 'FAPI2-SP-5.3.3.2',
    },
  },
  faults: ['callback.iss-wrong'],
  discoveryFaults: ['discovery.iss-parameter'],
  must: 'Provider advertises RFC 9207: a callback with a wrong `iss` is rejected.',
  rationale: `${RATIONALE_MIXUP} A client that ignores a wrong \`iss\` gets none of that protection.`,
  remediation:
    'When the discovery document says `authorization_response_iss_parameter_supported: true`, require the ' +
    'callback’s `iss` to equal the issuer of the provider this login was started with, before redeeming the ' +
    'code. oauth4webapi’s `validateAuthResponse` and openid-client do this for you.',
  run: tamperedCallbackRun({ name: 'callback.iss-wrong' }, 'a callback with a wrong iss'),
});

/** A callback without `iss` is refused. */
export const authzResponseIssMissing = defineClientCheck({
  id: 'authz-response.iss-missing',
  title: 'Authorization response without iss is rejected',
  severity: 'medium',
  refs: ['RFC9207-2.4'],
  requirement: {
    text: "Clients MUST reject authorization responses without the iss parameter from authorization servers that do support the parameter according to the client's configuration.",
    level: 'MUST',
    ref: 'RFC9207-2.4',
    allowances: [ONE_PROVIDER],
    fapi2: {
      text: 'shall check the iss parameter of the authorization response as described in RFC 9207',
      level: 'MUST',
      ref: 'FAPI2-SP-5.3.3.2',
    },
  },
  faults: ['callback.iss-missing'],
  discoveryFaults: ['discovery.iss-parameter'],
  must: 'Provider advertises RFC 9207: a callback without `iss` is rejected.',
  rationale:
    `${RATIONALE_MIXUP} If the client only compares \`iss\` when it is present, the attacker simply strips it ` +
    'from the callback.',
  remediation:
    'When the provider advertises `authorization_response_iss_parameter_supported: true`, treat a callback ' +
    'without `iss` as invalid (RFC 9207 §2.4) and refuse it before redeeming the code. Write the comparison ' +
    'so that a missing value can never be equal to the expected issuer.',
  run: tamperedCallbackRun({ name: 'callback.iss-missing' }, 'a callback without iss'),
});
