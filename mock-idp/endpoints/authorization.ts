import { errorPage, redirectResponse, noStoreHeaders } from '../http/responses.js';
import type { EndpointResult, Exchange } from '../provider-context.js';
import type { AuthorizationRequestInfo, FaultName, FaultPoint, MockIdpSettings, PermissiveMode } from '../types.js';
import {
  allowErrorRedirectToUnregisteredUri,
  allowImplicitResponse,
  allowMissingPkce,
  allowPlainPkce,
  allowRedirectUriPrefix,
} from './authorization/allow-steps.js';
import {
  checkClient,
  checkPkce,
  checkRedirectUri,
  checkRepeatedParams,
  checkResponseMode,
  checkResponseType,
  checkScopes,
} from './authorization/check-steps.js';
import { applyCallbackFault, rejectS256 } from './authorization/fault-steps.js';
import {
  allowPlainRequest,
  allowRequestUriOfOtherClient,
  allowRequestUriReuse,
  checkParRequired,
  resolveRequestUri,
} from './authorization/par-steps.js';
import {
  PageRefusal,
  RedirectRefusal,
  appendToUri,
  type AuthorizationFlow,
  type AuthorizationVia,
} from './authorization/flow.js';
import { LOGIN_FORM_FIELD, LOGIN_FORM_TAG_FIELD, readLoginForm, showLoginForm } from './authorization/login-form.js';
import {
  echoState,
  issueCode,
  issueImplicitToken,
  pickFirstUser,
  sendIss,
  sendWrongIss,
} from './authorization/respond-steps.js';

export { appendToUri } from './authorization/flow.js';
export { LOGIN_FORM_FIELD } from './authorization/login-form.js';

/** When a step runs, besides the request it runs on: a permissive mode, a fault armed for the login, a setting. */
export type StepCondition =
  | { permissive: PermissiveMode }
  | { unless: PermissiveMode }
  | { fault: FaultName }
  | { faultAt: FaultPoint }
  | { setting: keyof MockIdpSettings };

/** One step of the authorization endpoint's pipeline. */
export interface AuthorizationStep {
  /** verb_noun, as node-oidc-provider names its authorization steps. */
  readonly name: string;
  /** The requests it runs on. */
  readonly on: readonly AuthorizationVia[];
  readonly when?: StepCondition;
  /** `check` steps may refuse; `respond` steps shape the redirect back (with `onError`, error redirects too). */
  readonly phase: 'check' | 'approve' | 'respond';
  readonly onError?: boolean;
  /** A returned Response ends the pipeline with that answer (the login form). */
  readonly run: (flow: AuthorizationFlow) => void | Response | Promise<void>;
}

const BOTH: readonly AuthorizationVia[] = ['authorization', 'login-form'];

/**
 * The authorization endpoint's steps (RFC 6749 4.1.1, OIDC Core 3.1.2), in order, and which request each
 * runs on: `authorization` is the request as the client sends it, `login-form` the person's submission of
 * the login form (it repeats the request, so it is checked again). Permissive modes and faults are steps
 * of their own that run only when on; the checks see them only as allowances.
 */
export const AUTHORIZATION_STEPS: readonly AuthorizationStep[] = [
  { name: 'check_client', on: BOTH, phase: 'check', run: checkClient },
  {
    name: 'allow_request_uri_reuse',
    on: ['authorization'],
    when: { permissive: 'request-uri-reusable' },
    phase: 'check',
    run: allowRequestUriReuse,
  },
  {
    name: 'allow_request_uri_of_other_client',
    on: ['authorization'],
    when: { permissive: 'request-uri-not-bound' },
    phase: 'check',
    run: allowRequestUriOfOtherClient,
  },
  { name: 'resolve_request_uri', on: ['authorization'], phase: 'check', run: resolveRequestUri },
  {
    name: 'allow_redirect_uri_prefix',
    on: BOTH,
    when: { permissive: 'redirect-uri-prefix-match' },
    phase: 'check',
    run: allowRedirectUriPrefix,
  },
  {
    name: 'allow_error_redirect_to_unregistered_uri',
    on: BOTH,
    when: { permissive: 'redirect-on-invalid-redirect-uri' },
    phase: 'check',
    run: allowErrorRedirectToUnregisteredUri,
  },
  { name: 'check_redirect_uri', on: BOTH, phase: 'check', run: checkRedirectUri },
  { name: 'check_repeated_params', on: BOTH, phase: 'check', run: checkRepeatedParams },
  {
    name: 'allow_plain_request',
    on: ['authorization'],
    when: { permissive: 'par-not-required' },
    phase: 'check',
    run: allowPlainRequest,
  },
  { name: 'check_par_required', on: ['authorization'], phase: 'check', run: checkParRequired },
  {
    name: 'allow_implicit_response',
    on: BOTH,
    when: { permissive: 'implicit-enabled' },
    phase: 'check',
    run: allowImplicitResponse,
  },
  { name: 'check_response_type', on: BOTH, phase: 'check', run: checkResponseType },
  { name: 'check_response_mode', on: BOTH, phase: 'check', run: checkResponseMode },
  { name: 'check_scopes', on: BOTH, phase: 'check', run: checkScopes },
  {
    name: 'allow_missing_pkce',
    on: BOTH,
    when: { permissive: 'pkce-not-required' },
    phase: 'check',
    run: allowMissingPkce,
  },
  { name: 'allow_plain_pkce', on: BOTH, when: { permissive: 'plain-allowed' }, phase: 'check', run: allowPlainPkce },
  { name: 'reject_s256', on: BOTH, when: { fault: 'authorize.reject-s256' }, phase: 'check', run: rejectS256 },
  { name: 'check_pkce', on: BOTH, phase: 'check', run: checkPkce },
  {
    name: 'show_login_form',
    on: ['authorization'],
    when: { setting: 'loginForm' },
    phase: 'approve',
    run: showLoginForm,
  },
  { name: 'pick_first_user', on: ['authorization'], phase: 'approve', run: pickFirstUser },
  { name: 'read_login_form', on: ['login-form'], phase: 'approve', run: readLoginForm },
  { name: 'issue_code', on: BOTH, phase: 'approve', run: issueCode },
  {
    name: 'issue_implicit_token',
    on: BOTH,
    when: { permissive: 'implicit-enabled' },
    phase: 'approve',
    run: issueImplicitToken,
  },
  {
    name: 'echo_state',
    on: BOTH,
    when: { unless: 'state-not-echoed' },
    phase: 'respond',
    onError: true,
    run: echoState,
  },
  { name: 'send_iss', on: BOTH, when: { unless: 'iss-param-wrong' }, phase: 'respond', onError: true, run: sendIss },
  {
    name: 'send_wrong_iss',
    on: BOTH,
    when: { permissive: 'iss-param-wrong' },
    phase: 'respond',
    onError: true,
    run: sendWrongIss,
  },
  {
    name: 'apply_callback_fault',
    on: BOTH,
    when: { faultAt: 'authorization response' },
    phase: 'respond',
    run: applyCallbackFault,
  },
];

function describeCondition(when: StepCondition | undefined): string {
  if (when === undefined) return 'always';
  if ('permissive' in when) return `permissive \`${when.permissive}\``;
  if ('unless' in when) return `unless permissive \`${when.unless}\``;
  if ('fault' in when) return `fault \`${when.fault}\` armed`;
  if ('faultAt' in when) return `a fault armed at the ${when.faultAt}`;
  return `setting \`${when.setting}\``;
}

/** {@link AUTHORIZATION_STEPS} as a Markdown table (the README shows it; a test keeps it current). */
export function authorizationStepTable(): string {
  const mark = (step: AuthorizationStep, via: AuthorizationVia): string => (step.on.includes(via) ? 'yes' : '-');
  return [
    '| step | authorization | login-form | runs when | phase |',
    '| --- | --- | --- | --- | --- |',
    ...AUTHORIZATION_STEPS.map(
      (s) =>
        `| \`${s.name}\` | ${mark(s, 'authorization')} | ${mark(s, 'login-form')} | ${describeCondition(s.when)} | ${s.phase}${s.onError ? ' (also error redirects)' : ''} |`,
    ),
  ].join('\n');
}

function applies(step: AuthorizationStep, flow: AuthorizationFlow): boolean {
  if (!step.on.includes(flow.via)) return false;
  const when = step.when;
  if (when === undefined) return true;
  const { ctx, tag } = flow;
  if ('permissive' in when) return ctx.permissive.has(when.permissive);
  if ('unless' in when) return !ctx.permissive.has(when.unless);
  if ('fault' in when) return ctx.faults.get(tag, when.fault) !== undefined;
  if ('faultAt' in when) return ctx.faults.at(tag, when.faultAt) !== undefined;
  return Boolean(ctx.settings[when.setting]);
}

/** The request parameters (first value of each) and the names that were repeated. */
function paramsOf(exchange: Exchange): { params: Record<string, string>; repeated: string[] } {
  // OIDC Core 3.1.2.1: the request may come as GET query or as POST form.
  const source = exchange.request.method === 'POST' ? exchange.form : exchange.url.searchParams;
  const params: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [k, v] of source) {
    if (k in params) repeated.add(k);
    else params[k] = v;
  }
  return { params, repeated: [...repeated] };
}

/** Starts the flow: the parameters, the login form's own fields and the login tag. */
function startFlow(ctx: AuthorizationFlow['ctx'], exchange: Exchange): AuthorizationFlow {
  const { params, repeated } = paramsOf(exchange);
  const via: AuthorizationVia =
    exchange.request.method === 'POST' && params[LOGIN_FORM_FIELD] !== undefined ? 'login-form' : 'authorization';
  const { [LOGIN_FORM_FIELD]: user, [LOGIN_FORM_TAG_FIELD]: formTag, ...requestParams } = params;
  return {
    ctx,
    exchange,
    via,
    params: requestParams,
    repeated,
    form: { user },
    tag: exchange.headerTag ?? (via === 'login-form' ? formTag : undefined),
    allows: new Set(),
    response: {},
    responseIn: 'query',
  };
}

/** Runs the respond steps (all, or those that also shape error redirects) and redirects back. */
async function redirectToClient(
  flow: AuthorizationFlow,
  steps: readonly AuthorizationStep[],
  headers: Record<string, string> = {},
): Promise<Response> {
  for (const step of steps) await step.run(flow);
  return redirectResponse(
    appendToUri(flow.redirectUri!, flow.response, flow.responseIn),
    headers,
    redirectStatus(flow),
  );
}

/**
 * A redirect answering a POST (the login form carries the person's choice; a real one, their password)
 * is 303, so the browser follows with a GET and drops the form (RFC 9700 4.12); GET requests keep 302.
 * Permissive mode `redirect-307-after-post` answers a POST with 307, which re-posts the form to the client.
 */
function redirectStatus(flow: AuthorizationFlow): 302 | 303 | 307 {
  if (flow.exchange.request.method !== 'POST') return 302;
  return flow.ctx.permissive.has('redirect-307-after-post') ? 307 : 303;
}

/**
 * The authorization endpoint, code flow only: runs {@link AUTHORIZATION_STEPS} in order. A check before
 * the redirect URI is trusted refuses with an HTML error page, never a redirect; later ones redirect back
 * with `error`, `state` and `iss` (RFC 6749 4.1.2.1). Approval issues the code bound to client,
 * redirect_uri, PKCE challenge, nonce and login tag.
 */
export async function authorizationEndpoint(
  ctx: AuthorizationFlow['ctx'],
  exchange: Exchange,
): Promise<EndpointResult> {
  const method = exchange.request.method;
  if (method !== 'GET' && method !== 'POST') {
    return { response: new Response('method not allowed', { status: 405, headers: { allow: 'GET, POST' } }) };
  }
  const flow = startFlow(ctx, exchange);
  const info: AuthorizationRequestInfo = {
    params: flow.params,
    clientId: flow.params.client_id,
    outcome: 'error-page',
  };
  const result = (response: Response, extra: Partial<AuthorizationRequestInfo> = {}): EndpointResult => {
    const location = response.headers.get('location') ?? undefined;
    return {
      response,
      tag: flow.tag,
      ...(flow.via === 'login-form' ? { endpoint: 'login-form' as const } : {}),
      authorization: {
        ...info,
        ...(flow.pushed ? { params: flow.params, frontChannel: info.params } : {}),
        ...(location ? { outcome: 'redirect', location } : {}),
        ...extra,
      },
    };
  };
  const steps = AUTHORIZATION_STEPS.filter((s) => applies(s, flow));
  const respond = steps.filter((s) => s.phase === 'respond');
  try {
    for (const step of steps) {
      if (step.phase === 'respond') continue;
      const answer = await step.run(flow);
      if (answer instanceof Response) return result(answer, { outcome: 'login-form' });
    }
  } catch (error) {
    if (error instanceof PageRefusal) {
      return result(errorPage(ctx, 'invalid_request', error.description, error.reflected), {
        error: 'invalid_request',
      });
    }
    if (!(error instanceof RedirectRefusal)) throw error;
    flow.response = { error: error.error, error_description: error.description };
    flow.responseIn = 'query';
    const shaping = error.bare ? [] : respond.filter((s) => s.onError);
    return result(await redirectToClient(flow, shaping), { error: error.error });
  }
  return result(await redirectToClient(flow, respond, noStoreHeaders(ctx)));
}
