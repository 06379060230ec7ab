/** scope.minimal: requested scopes stay within what the manifest declares (RFC 9700 §2.3). */
import { ordinaryRequest, scopesOf } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass } from '../lib/outcome.js';

/** The authorization request asks for no scope beyond the declared ones. */
export const scopeMinimal = defineClientCheck({
  id: 'scope.minimal',
  title: 'Requested scope is minimal',
  severity: 'low',
  refs: ['RFC9700-2.3'],
  requirement: {
    text: 'The privileges associated with an access token SHOULD be restricted to the minimum required for the particular application or use case.',
    level: 'SHOULD',
    ref: 'RFC9700-2.3',
  },
  must: 'Requested scopes stay within what the manifest declares the client needs.',
  rationale:
    'Every scope is a permission: a token for `invoice.write` can change invoices even if your application ' +
    'only ever reads them. Asking for more than needed makes a leaked token more dangerous and makes people ' +
    'approve access they would refuse if they understood it.',
  remediation:
    'Request only the scopes the features you ship need, as declared in the target manifest. Add scopes when a ' +
    'feature needs them, and ask for rarely used ones in a separate, later login.',
  async run(ctx) {
    const request = await ordinaryRequest(ctx);
    const declared = new Set(ctx.target.client.scopes);
    const requested = scopesOf(request.params.scope);
    const extra = requested.filter((s) => !declared.has(s));
    ctx.observe(`Requested scope: ${requested.join(' ') || '(none)'}; declared: ${[...declared].join(' ')}.`);
    if (extra.length > 0) return fail(`The client requests scope it is not declared to need: ${extra.join(' ')}.`);
    return pass('The client requests no scope beyond what it declares.');
  },
});
