import { timingSafeEqual } from 'node:crypto';
import type { Exchange, ProviderContext } from '../provider-context.js';
import type { ClientAssertionInfo, ClientAuthMethod, ClientRegistration } from '../types.js';
import { decodeAssertion, JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from './client-assertion.js';
import { oauthError } from './responses.js';

/** The outcome of client authentication at the token, revocation or introspection endpoint. */
export type ClientAuthResult =
  | {
      ok: true;
      client: ClientRegistration;
      method: ClientAuthMethod;
      secretInQuery: boolean;
      /** `private_key_jwt`: the assertion, decoded. */
      assertion?: ClientAssertionInfo;
    }
  | {
      ok: false;
      clientId?: string;
      method: ClientAuthMethod | 'invalid';
      secretInQuery: boolean;
      error: string;
      response: Response;
      assertion?: ClientAssertionInfo;
    };

/** RFC 6749 2.3.1: id and secret are form-urlencoded before they are put into the Basic header. */
function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (id === undefined || secret === undefined || id === '') return undefined;
  return { id, secret };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Authenticates the client of a back-channel request with the method it registered: `client_secret_basic`
 * (RFC 6749 2.3.1, id and secret form-urlencoded before base64), `client_secret_post` (body parameters),
 * or `none` (public client, `client_id` only). Using more than one method is refused (RFC 6749 2.3).
 * Credentials in the URL query are refused (RFC 6749 2.3.1: "MUST NOT be included in the request URI")
 * and reported as `secretInQuery`. Permissive mode `client-auth-not-required` lets a confidential
 * client omit authentication. `private_key_jwt` (RFC 7523 2.2, OIDC Core 9): `client_assertion_type` and a
 * `client_assertion` verified by {@link verifyClientAssertion}; the assertion is journaled as a secret
 * (kind `client_assertion`, under `tag`) so leak scans and redaction know it.
 */
export async function authenticateClient(
  ctx: ProviderContext,
  exchange: Exchange,
  opts: { allowPublic: boolean; tag?: string } = { allowPublic: true },
): Promise<ClientAuthResult> {
  const { form, url, request } = exchange;
  const secretInQuery = url.searchParams.has('client_secret');
  const authorization = request.headers.get('authorization');
  const basicHeader = authorization !== null && /^Basic\s/i.test(authorization);

  const fail = (
    error: 'invalid_client' | 'invalid_request',
    description: string,
    clientId?: string,
    method: ClientAuthMethod | 'invalid' = 'invalid',
    assertion?: ClientAssertionInfo,
  ): ClientAuthResult => {
    const headers: Record<string, string> = {};
    // RFC 6749 5.2: a client that tried the Authorization header gets 401 with WWW-Authenticate.
    if (error === 'invalid_client' && basicHeader)
      headers['www-authenticate'] = 'Basic realm="mock-idp", charset="UTF-8"';
    return {
      ok: false,
      clientId,
      method,
      secretInQuery,
      error,
      response: oauthError(ctx, error, description, error === 'invalid_client' ? 401 : 400, headers),
      ...(assertion ? { assertion } : {}),
    };
  };

  if (secretInQuery) {
    return fail(
      'invalid_request',
      'client credentials must not be sent in the request URI (RFC 6749 2.3.1)',
      url.searchParams.get('client_id') ?? undefined,
    );
  }

  let basic: { id: string; secret: string } | undefined;
  if (basicHeader) {
    basic = parseBasic(authorization);
    if (!basic) return fail('invalid_client', 'malformed Basic authorization header');
  }
  const bodyId = form.get('client_id') ?? undefined;
  const bodySecret = form.get('client_secret') ?? undefined;
  const assertion = form.get('client_assertion') ?? undefined;
  const assertionType = form.get('client_assertion_type') ?? undefined;
  if (assertion !== undefined || assertionType !== undefined) {
    if (basic || bodySecret !== undefined) {
      return fail(
        'invalid_request',
        'more than one client authentication method used (RFC 6749 2.3)',
        basic?.id ?? bodyId,
      );
    }
    return authenticateWithAssertion(ctx, { assertion, assertionType, bodyId, tag: opts.tag }, fail, secretInQuery);
  }
  if (basic && bodySecret !== undefined) {
    return fail('invalid_request', 'more than one client authentication method used (RFC 6749 2.3)', basic.id);
  }
  if (basic && bodyId !== undefined && bodyId !== basic.id) {
    return fail('invalid_request', 'client_id does not match the authenticated client', basic.id);
  }
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined || clientId === '') return fail('invalid_client', 'client authentication required');

  const method: ClientAuthMethod = basic
    ? 'client_secret_basic'
    : bodySecret !== undefined
      ? 'client_secret_post'
      : 'none';
  const client = ctx.clients.get(clientId);
  if (!client) return fail('invalid_client', 'unknown client', clientId, method);

  if (client.authMethod === 'private_key_jwt') {
    if (method === 'none' && ctx.permissive.has('client-auth-not-required'))
      return { ok: true, client, method, secretInQuery };
    return fail(
      'invalid_client',
      'client registered private_key_jwt: send a client_assertion (RFC 7523 2.2)',
      clientId,
      method === 'none' ? 'none' : 'invalid',
    );
  }
  if (client.authMethod === 'none') {
    if (method !== 'none') return fail('invalid_client', 'public client must not authenticate with a secret', clientId);
    if (!opts.allowPublic) return fail('invalid_client', 'public clients cannot use this endpoint', clientId, method);
    return { ok: true, client, method, secretInQuery };
  }
  if (method === 'none') {
    if (ctx.permissive.has('client-auth-not-required')) return { ok: true, client, method, secretInQuery };
    return fail('invalid_client', `client authentication required (${client.authMethod})`, clientId, method);
  }
  if (method !== client.authMethod) {
    return fail('invalid_client', `client registered ${client.authMethod}, used ${method}`, clientId, 'invalid');
  }
  const secret = basic?.secret ?? bodySecret ?? '';
  if (!sameSecret(secret, client.clientSecret ?? '')) {
    return fail('invalid_client', 'client authentication failed', clientId, 'invalid');
  }
  return { ok: true, client, method, secretInQuery };
}

/** The `private_key_jwt` branch of {@link authenticateClient}. */
async function authenticateWithAssertion(
  ctx: ProviderContext,
  sent: { assertion?: string; assertionType?: string; bodyId?: string; tag?: string },
  fail: (
    error: 'invalid_client' | 'invalid_request',
    description: string,
    clientId?: string,
    method?: ClientAuthMethod | 'invalid',
    assertion?: ClientAssertionInfo,
  ) => ClientAuthResult,
  secretInQuery: boolean,
): Promise<ClientAuthResult> {
  const { assertion, assertionType, bodyId } = sent;
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    return fail('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE} (RFC 7523 2.2)`, bodyId);
  }
  if (assertion === undefined || assertion === '') {
    return fail('invalid_request', 'client_assertion is missing (RFC 7523 2.2)', bodyId);
  }
  const decoded = decodeAssertion(assertion);
  const sub = typeof decoded.claims?.sub === 'string' ? decoded.claims.sub : undefined;
  const clientId = bodyId ?? sub;
  // The assertion is a credential until it expires: known as a secret from the moment it is received.
  ctx.journal.recordIssued({
    kind: 'client_assertion',
    value: assertion,
    ...(sent.tag !== undefined ? { tag: sent.tag } : {}),
    clientId: clientId ?? '',
    at: ctx.clock(),
  });
  if (clientId === undefined || clientId === '') {
    return fail('invalid_client', 'the client assertion names no client (sub)', undefined, 'invalid', decoded);
  }
  if (bodyId !== undefined && sub !== undefined && bodyId !== sub) {
    return fail(
      'invalid_client',
      'client_id does not match the assertion sub (RFC 7523 3)',
      bodyId,
      'invalid',
      decoded,
    );
  }
  const client = ctx.clients.get(clientId);
  if (!client) return fail('invalid_client', 'unknown client', clientId, 'private_key_jwt', decoded);
  if (client.authMethod !== 'private_key_jwt') {
    return fail(
      'invalid_client',
      `client registered ${client.authMethod}, used private_key_jwt`,
      clientId,
      'invalid',
      decoded,
    );
  }
  const verified = await verifyClientAssertion(ctx, client, assertion);
  if (!verified.ok) {
    return fail(
      'invalid_client',
      `client assertion refused: ${verified.info.error ?? 'invalid'}`,
      clientId,
      'invalid',
      verified.info,
    );
  }
  return { ok: true, client, method: 'private_key_jwt', secretInQuery, assertion: verified.info };
}
