/**
 * The read-only resources of the mock lexoffice API. Each handler gets an already authenticated and
 * scope-checked request and answers from the seeded data set.
 */
import { contactName, lexofficeData, type Contact } from './data.js';
import { jsonResponse, legacyError, serviceError } from './errors.js';
import { SORT_BY_NAME, pageRequest, toPage } from './paging.js';
import type { ApiAccessToken } from './types.js';

/** Per-request facts a resource handler may need to build its answer. */
export interface ResourceRequest {
  url: URL;
  seed: number;
  token: ApiAccessToken;
  /** The path parameter (`{id}`), when the route has one. */
  id?: string;
  traceId(): string;
  requestId(): string;
  timestamp(): string;
}

export type ResourceHandler = (r: ResourceRequest) => Response;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GET /v1/profile */
export const getProfile: ResourceHandler = (r) => jsonResponse(200, lexofficeData(r.seed).profile);

/** GET /v1/ping: a cheap authenticated call integrations use to test a connection. */
export const getPing: ResourceHandler = (r) =>
  jsonResponse(200, { userEmail: lexofficeData(r.seed).profile.created.userEmail });

function notFound(r: ResourceRequest): Response {
  return serviceError(404, { path: r.url.pathname, traceId: r.traceId(), timestamp: r.timestamp() });
}

/** Filters the contacts endpoint documents: `email`, `name` (3+ characters, substring), `number`, `customer`, `vendor`. */
function contactFilter(params: URLSearchParams): ((c: Contact) => boolean) | { invalid: string } {
  const tests: ((c: Contact) => boolean)[] = [];
  const name = params.get('name');
  if (name !== null) {
    if (name.length < 3) return { invalid: 'name' };
    const needle = name.toLowerCase();
    tests.push((c) => contactName(c).toLowerCase().includes(needle));
  }
  const email = params.get('email');
  if (email !== null) {
    if (email.length < 3) return { invalid: 'email' };
    const needle = email.toLowerCase();
    tests.push((c) =>
      [...Object.values(c.emailAddresses).flat(), ...(c.company?.contactPersons.map((p) => p.emailAddress) ?? [])].some(
        (e) => e?.toLowerCase().includes(needle),
      ),
    );
  }
  const number = params.get('number');
  if (number !== null) {
    if (!/^\d{1,9}$/.test(number)) return { invalid: 'number' };
    const n = Number(number);
    tests.push((c) => c.roles.customer?.number === n || c.roles.vendor?.number === n);
  }
  for (const role of ['customer', 'vendor'] as const) {
    const v = params.get(role);
    if (v === null) continue;
    if (v !== 'true' && v !== 'false') return { invalid: role };
    const want = v === 'true';
    tests.push((c) => (c.roles[role] !== undefined) === want);
  }
  return (c) => tests.every((t) => t(c));
}

/** GET /v1/contacts: paged, sorted by name. Filter errors use the legacy format, as the contacts endpoint does. */
export const listContacts: ResourceHandler = (r) => {
  const filter = contactFilter(r.url.searchParams);
  if (typeof filter !== 'function') {
    return legacyError(400, r.requestId(), [
      { i18nKey: 'invalid_value', source: filter.invalid, type: 'validation_failure' },
    ]);
  }
  const { page, size } = pageRequest(r.url.searchParams);
  const all = lexofficeData(r.seed).contacts.filter(filter);
  return jsonResponse(200, toPage(all, page, size, SORT_BY_NAME));
};

/** GET /v1/contacts/{id} */
export const getContact: ResourceHandler = (r) => {
  if (!r.id || !UUID.test(r.id)) {
    return legacyError(400, r.requestId(), [{ i18nKey: 'invalid_value', source: 'id', type: 'validation_failure' }]);
  }
  const id = r.id.toLowerCase();
  const c = lexofficeData(r.seed).contacts.find((x) => x.id === id);
  return c ? jsonResponse(200, c) : notFound(r);
};

/** GET /v1/invoices/{id} */
export const getInvoice: ResourceHandler = (r) => {
  if (!r.id || !UUID.test(r.id)) {
    return serviceError(400, {
      path: r.url.pathname,
      traceId: r.traceId(),
      timestamp: r.timestamp(),
      message: 'Invalid id: not a UUID.',
    });
  }
  const id = r.id.toLowerCase();
  const inv = lexofficeData(r.seed).invoices.find((x) => x.id === id);
  return inv ? jsonResponse(200, inv) : notFound(r);
};
