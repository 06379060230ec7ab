/**
 * Model-based, stateful fuzzing of the strict mock provider, in process through `MockIdp.handle`.
 *
 * A sequence is a list of operations (authorize, redeem, refresh, revoke, userinfo, API call, clock
 * steps), each with at most one parameter mutated, some run concurrently. The model does not predict
 * every answer; it records what was observed and when (a logical clock of starts and completions) and
 * checks the provider's strict promises against it:
 *
 * - no answer is a 5xx;
 * - a code redeems at most once, never after it expired, never after a failed PKCE verification
 *   burned it, never with a wrong or missing verifier (RFC 6749 4.1.2, RFC 7636 4.6, RFC 9700 4.8);
 * - a code is never delivered to a redirect URI that was not registered (RFC 6749 3.1.2);
 * - a rotated refresh token never works again and its reuse kills the grant (RFC 9700 4.14.2); a
 *   replayed code kills its grant too (RFC 6749 4.1.2);
 * - no token works once its revocation (or its grant's death) has completed, including tokens whose
 *   issuance was still under way at that moment (RFC 7009 2.1);
 * - no token works after it expired;
 * - with the default memory limits, an ordinary step on live state, run alone, succeeds (the model is
 *   not satisfied by a provider that refuses everything).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { LoginHarnessError } from '../../core/errors.js';
import { createMockIdp } from '../create-mock-idp.js';
import type { MemoryLimits } from '../store/memory-limits.js';
import { LOGIN_TAG_HEADER, type MockIdp, type PermissiveMode } from '../types.js';

const BASE = 'http://127.0.0.1:9';
const REDIRECT = 'http://127.0.0.1:8080/callback';
const SCOPE = 'openid profile email contact.read';
const START = Date.parse('2026-03-01T10:00:00Z');

/** The clients every sequence uses: one public (PKCE only), one confidential (HTTP Basic). */
const CLIENTS = {
  public: { clientId: 'fuzz-public', authMethod: 'none' as const, redirectUris: [REDIRECT] },
  basic: {
    clientId: 'fuzz-basic',
    clientSecret: 'fuzz-basic-secret-0123456789',
    authMethod: 'client_secret_basic' as const,
    redirectUris: [REDIRECT],
  },
};
type ClientName = keyof typeof CLIENTS;
const OTHER: Record<ClientName, ClientName> = { public: 'basic', basic: 'public' };

/** Small caps, so eviction and sweeping run inside a short sequence (safety still has to hold). */
export const TINY_MEMORY: Partial<MemoryLimits> = {
  maxTags: 2,
  maxEntriesPerTag: 8,
  untaggedEntries: 8,
  untaggedArtifacts: 4,
  maxGrants: 3,
  maxCodes: 3,
  retainExpiredMs: 0,
};

export type AuthorizeMutation = 'none' | 'no-challenge' | 'plain-method' | 'bad-redirect' | 'unknown-client';
export type RedeemMutation =
  | 'none'
  | 'wrong-verifier'
  | 'no-verifier'
  | 'malformed-verifier'
  | 'wrong-redirect'
  | 'other-client'
  | 'repeated-code';
export type RefreshMutation = 'none' | 'other-client' | 'wider-scope' | 'repeated-token';
export type BearerMutation = 'none' | 'query' | 'lower-case-scheme' | 'truncated';
export type RevokeMutation = 'none' | 'other-client' | 'no-client';

/** One operation of a sequence. `pick` chooses among the known codes or tokens, newest first. */
export type Op =
  | { kind: 'authorize'; client: ClientName; tag: 0 | 1 | 2; mutation: AuthorizeMutation }
  | { kind: 'redeem'; pick: number; mutation: RedeemMutation }
  | { kind: 'refresh'; pick: number; mutation: RefreshMutation }
  | { kind: 'revoke'; pick: number; which: 'access' | 'refresh'; mutation: RevokeMutation }
  | { kind: 'userinfo'; pick: number; mutation: BearerMutation }
  | { kind: 'api'; pick: number; mutation: BearerMutation }
  | { kind: 'clock'; seconds: 1 | 61 | 3601 | 7300 }
  | { kind: 'parallel'; ops: Op[] };

interface CodeModel {
  value: string;
  client: ClientName;
  verifier?: string;
  /** A grant is created by the first successful redemption. */
  grant?: GrantModel;
  expiresAt: number;
  attempts: number;
  /** Logical time a redemption completed with 200. */
  redeemedAt?: number;
  /** Logical time a failed PKCE verification completed (the code is burned from then on). */
  burnedAt?: number;
  /** Something about this code's fate is unknown (concurrent attempts, evictions): no liveness checks. */
  uncertain: boolean;
  /** Logical completion times of refused attempts that had nothing mutated (only a replay refuses those). */
  plainRefusals: number[];
}

interface GrantModel {
  id: number;
  client: ClientName;
  /** Logical time the grant was known dead (replay, reuse, revocation of a refresh token). */
  deadAt?: number;
  uncertain: boolean;
  rotations: number;
}

interface TokenModel {
  value: string;
  kind: 'access' | 'refresh';
  grant: GrantModel;
  expiresAt: number;
  /** Logical time its own revocation completed. */
  revokedAt?: number;
  /** Refresh tokens: logical time a refresh with it completed with 200 (rotated from then on). */
  rotatedAt?: number;
  attempts: number;
  /** Logical completion times of refused refreshes that had nothing mutated (only reuse refuses those). */
  plainRefusals: number[];
}

/** A broken promise: what was done, what came back, which rule it breaks. */
export class InvariantViolation extends LoginHarnessError<'fuzz-invariant'> {
  constructor(message: string) {
    super('fuzz-invariant', message);
  }
}

/** The model of one sequence. */
export class Model {
  readonly codes: CodeModel[] = [];
  readonly grants: GrantModel[] = [];
  readonly tokens: TokenModel[] = [];
  /** Logical time: bumped at every start and completion of an operation. */
  tick = 0;
  now = START;
  /** Operations in flight (more than one: concurrent). */
  inFlight = 0;
  readonly tiny: boolean;

  constructor(tiny: boolean) {
    this.tiny = tiny;
  }

  /**
   * An abstract summary of the state, to count distinct states reached: each code's and grant's
   * lifecycle position, bucketed, as a sorted multiset.
   */
  signature(): string {
    const codes = this.codes.map((c) =>
      [
        c.redeemedAt !== undefined ? 'redeemed' : c.burnedAt !== undefined ? 'burned' : 'open',
        c.expiresAt <= this.now ? 'expired' : 'fresh',
        c.verifier ? 'pkce' : 'plain',
        Math.min(c.attempts, 2),
      ].join(':'),
    );
    const grants = this.grants.map((g) => {
      const live = this.tokens.filter((t) => t.grant === g && t.revokedAt === undefined && t.expiresAt > this.now);
      return [
        g.deadAt !== undefined ? 'dead' : 'live',
        Math.min(g.rotations, 3),
        live.some((t) => t.kind === 'access') ? 'at' : '-',
        this.tokens.some((t) => t.grant === g && t.revokedAt !== undefined) ? 'revoked' : '-',
      ].join(':');
    });
    return JSON.stringify([codes.sort(), grants.sort()]);
  }
}

/** The system under test and its clock. */
export interface Real {
  idp: MockIdp;
  clock: { now: number };
}

/** A fresh provider (strict unless `permissive` says otherwise) with the two fuzz clients. */
export async function createReal(tiny: boolean, permissive: PermissiveMode[] = []): Promise<Real> {
  const clock = { now: START };
  const idp = await createMockIdp({
    baseUrl: BASE,
    clock: () => clock.now,
    permissive,
    ...(tiny ? { memory: TINY_MEMORY } : {}),
  });
  idp.registerClient(CLIENTS.public);
  idp.registerClient(CLIENTS.basic);
  return { idp, clock };
}

function violation(op: Op, rule: string, detail: string): never {
  throw new InvariantViolation(`${describeOp(op)}: ${rule} (${detail})`);
}

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** Newest first, so small picks hit the objects a sequence just made (where races happen). */
function pickFrom<T>(list: T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[list.length - 1 - (pick % list.length)];
}

function clientHeaders(client: ClientName, form: URLSearchParams): Record<string, string> {
  const c = CLIENTS[client];
  if ('clientSecret' in c) {
    return { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` };
  }
  form.set('client_id', c.clientId);
  return {};
}

async function send(real: Real, op: Op, request: Request): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await real.idp.handle(request);
  const body = await response.text();
  if (response.status >= 500) violation(op, 'no 5xx', `${response.status} ${body.slice(0, 200)}`);
  return { status: response.status, body, headers: response.headers };
}

function post(url: string, form: URLSearchParams, headers: Record<string, string>): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form.toString(),
  });
}

/** Whether `token` was dead (revoked, grant dead, rotated, expired) before the operation started. */
function deadBefore(model: Model, token: TokenModel, startTick: number): string | undefined {
  if (token.revokedAt !== undefined && token.revokedAt < startTick) return 'revoked';
  if (token.grant.deadAt !== undefined && token.grant.deadAt < startTick) return 'grant dead';
  if (token.kind === 'refresh' && token.rotatedAt !== undefined && token.rotatedAt < startTick) return 'rotated';
  if (token.expiresAt <= model.now) return 'expired';
  return undefined;
}

function alive(model: Model, token: TokenModel): boolean {
  return deadBefore(model, token, Number.POSITIVE_INFINITY) === undefined;
}

/** Records the tokens of a 200 token response under `grant`. */
function recordTokens(model: Model, grant: GrantModel, body: string): void {
  const parsed = JSON.parse(body) as { access_token?: string; refresh_token?: string; expires_in?: number };
  if (parsed.access_token) {
    model.tokens.push({
      value: parsed.access_token,
      kind: 'access',
      grant,
      expiresAt: model.now + (parsed.expires_in ?? 3600) * 1000,
      attempts: 0,
      plainRefusals: [],
    });
  }
  if (parsed.refresh_token) {
    model.tokens.push({
      value: parsed.refresh_token,
      kind: 'refresh',
      grant,
      expiresAt: model.now + 30 * 24 * 3600 * 1000,
      attempts: 0,
      plainRefusals: [],
    });
  }
}

/** Runs one operation against the provider and checks the promises it touches. */
export async function execute(op: Op, model: Model, real: Real, concurrent = false): Promise<void> {
  if (op.kind === 'parallel') {
    await Promise.all(op.ops.map((o) => execute(o, model, real, true)));
    return;
  }
  if (op.kind === 'clock') {
    model.now += op.seconds * 1000;
    real.clock.now = model.now;
    return;
  }
  const start = ++model.tick;
  // The first step of a parallel group starts with nothing in flight, but is not alone for all that.
  const alone = !concurrent && model.inFlight === 0;
  model.inFlight += 1;
  try {
    await executeOne(op, model, real, start, alone);
  } finally {
    model.inFlight -= 1;
  }
}

async function executeOne(
  op: Exclude<Op, { kind: 'parallel' | 'clock' }>,
  model: Model,
  real: Real,
  start: number,
  alone: boolean,
): Promise<void> {
  const { idp } = real;
  // Liveness is only asserted for a step that ran alone on state the model knows for certain.
  const expectLive = alone && !model.tiny;
  switch (op.kind) {
    case 'authorize': {
      const client = CLIENTS[op.client];
      const verifier = createHash('sha256').update(`v${start}`).digest('base64url');
      const params = new URLSearchParams({
        response_type: 'code',
        client_id: op.mutation === 'unknown-client' ? 'no-such-client' : client.clientId,
        redirect_uri: op.mutation === 'bad-redirect' ? 'http://127.0.0.1:8081/evil' : REDIRECT,
        scope: SCOPE,
        state: `s${start}`,
        nonce: `n${start}`,
      });
      if (op.mutation !== 'no-challenge') {
        params.set('code_challenge', op.mutation === 'plain-method' ? verifier : s256(verifier));
        params.set('code_challenge_method', op.mutation === 'plain-method' ? 'plain' : 'S256');
      }
      const headers: Record<string, string> = op.tag === 0 ? {} : { [LOGIN_TAG_HEADER]: `fuzz-${op.tag}` };
      const res = await send(real, op, new Request(`${idp.endpoints.authorization}?${params}`, { headers }));
      model.tick += 1;
      const location = res.headers.get('location');
      const target = location ? new URL(location, idp.endpoints.authorization) : undefined;
      const code = target?.searchParams.get('code') ?? undefined;
      if (code && !target?.href.startsWith(REDIRECT)) {
        violation(op, 'a code goes only to a registered redirect URI', target?.href ?? '');
      }
      if (code && (op.mutation === 'bad-redirect' || op.mutation === 'unknown-client')) {
        violation(op, 'no code for an invalid authorization request', String(target));
      }
      if (!code && op.mutation === 'none' && expectLive) {
        violation(
          op,
          'a valid authorization request gets a code',
          `${res.status} ${location ?? res.body.slice(0, 120)}`,
        );
      }
      if (code) {
        model.codes.push({
          value: code,
          client: op.client,
          ...(op.mutation === 'no-challenge' ? {} : { verifier }),
          expiresAt: model.now + 60_000,
          attempts: 0,
          uncertain: op.mutation === 'plain-method' || op.mutation === 'no-challenge',
          plainRefusals: [],
        });
      }
      return;
    }
    case 'redeem': {
      const picked = pickFrom(model.codes, op.pick);
      if (!picked) return;
      const code = picked;
      // Leaving out the verifier of a code issued without a challenge changes nothing: not a mutation.
      const mutation: RedeemMutation =
        op.mutation === 'no-verifier' && code.verifier === undefined ? 'none' : op.mutation;
      code.attempts += 1;
      const client = mutation === 'other-client' ? OTHER[code.client] : code.client;
      const form = new URLSearchParams({ grant_type: 'authorization_code', code: code.value });
      form.set('redirect_uri', mutation === 'wrong-redirect' ? `${REDIRECT}/other` : REDIRECT);
      const verifier =
        mutation === 'wrong-verifier'
          ? createHash('sha256').update(`wrong${start}`).digest('base64url')
          : mutation === 'malformed-verifier'
            ? 'short'
            : code.verifier;
      if (mutation !== 'no-verifier' && verifier !== undefined) form.set('code_verifier', verifier);
      const headers = clientHeaders(client, form);
      if (mutation === 'repeated-code') form.append('code', code.value);
      const wasRedeemed = code.redeemedAt;
      const wasBurned = code.burnedAt;
      const priorAttempts = code.attempts - 1;
      const res = await send(real, op, post(idp.endpoints.token, form, headers));
      const done = ++model.tick;
      if (res.status === 200) {
        if (mutation !== 'none') violation(op, 'a mutated code redemption is refused', res.body.slice(0, 120));
        if (wasRedeemed !== undefined || code.redeemedAt !== undefined) {
          violation(op, 'a code redeems once', 'second 200 for the same code');
        }
        if (wasBurned !== undefined) violation(op, 'a failed PKCE verification burns the code', 'redeemed after');
        if (code.expiresAt <= model.now) violation(op, 'an expired code is refused', 'redeemed after expiry');
        const grant: GrantModel = {
          id: model.grants.length,
          client: code.client,
          uncertain: code.uncertain,
          rotations: 0,
        };
        model.grants.push(grant);
        code.redeemedAt = done;
        code.grant = grant;
        recordTokens(model, grant, res.body);
        if (!alone) grant.uncertain = true;
        // An unmutated attempt refused while this one was under way was processed after it: a replay,
        // which revoked the grant before these tokens were handed out (RFC 6749 4.1.2).
        if (code.plainRefusals.some((t) => t > start)) grant.deadAt = done;
        return;
      }
      if (mutation === 'none' && expectLive && priorAttempts === 0 && !code.uncertain && code.expiresAt > model.now) {
        violation(op, 'a first, valid redemption of a fresh code succeeds', `${res.status} ${res.body.slice(0, 120)}`);
      }
      const pkceMutation =
        mutation === 'wrong-verifier' || mutation === 'no-verifier' || mutation === 'malformed-verifier';
      if (mutation === 'none') code.plainRefusals.push(done);
      if (pkceMutation && code.verifier !== undefined && code.redeemedAt === undefined && code.expiresAt > model.now) {
        // Processed before any successful redemption (none had completed): the code is burned from now.
        code.burnedAt ??= done;
        if (!alone) code.uncertain = true;
      }
      // A refused attempt on a code already redeemed when it started is a replay: the grant dies.
      if (wasRedeemed !== undefined && code.grant && mutation !== 'repeated-code') code.grant.deadAt ??= done;
      else if (code.redeemedAt !== undefined && code.grant) {
        // Concurrent with the successful redemption: a replay only if processed after it.
        if (mutation === 'none') code.grant.deadAt ??= done;
        else code.grant.uncertain = true;
      }
      return;
    }
    case 'refresh': {
      const token = pickFrom(
        model.tokens.filter((t) => t.kind === 'refresh'),
        op.pick,
      );
      if (!token) return;
      token.attempts += 1;
      const grant = token.grant;
      const client = op.mutation === 'other-client' ? OTHER[grant.client] : grant.client;
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token.value });
      if (op.mutation === 'wider-scope') form.set('scope', `${SCOPE} invoice.write`);
      const headers = clientHeaders(client, form);
      if (op.mutation === 'repeated-token') form.append('refresh_token', token.value);
      const deadReason = deadBefore(model, token, start);
      const wasRotated = token.rotatedAt;
      const res = await send(real, op, post(idp.endpoints.token, form, headers));
      const done = ++model.tick;
      if (res.status === 200) {
        if (op.mutation !== 'none') violation(op, 'a mutated refresh is refused', res.body.slice(0, 120));
        if (deadReason) violation(op, 'a dead refresh token is refused', deadReason);
        if (token.rotatedAt !== undefined) violation(op, 'a refresh token rotates once', 'second 200');
        token.rotatedAt = done;
        grant.rotations += 1;
        recordTokens(model, grant, res.body);
        if (!alone) grant.uncertain = true;
        // An unmutated refresh refused while this one was under way was reuse of the rotated token.
        if (token.plainRefusals.some((t) => t > start)) grant.deadAt = done;
        return;
      }
      if (op.mutation === 'none') token.plainRefusals.push(done);
      if (
        op.mutation === 'none' &&
        expectLive &&
        !deadReason &&
        !grant.uncertain &&
        token.rotatedAt === undefined &&
        alive(model, token)
      ) {
        violation(op, 'a valid refresh with a live token succeeds', `${res.status} ${res.body.slice(0, 120)}`);
      }
      // Reuse of a token rotated before this attempt started kills the grant (RFC 9700 4.14.2). The
      // repeated-parameter request is refused before the token is looked at.
      if (wasRotated !== undefined && op.mutation !== 'repeated-token') grant.deadAt ??= done;
      else if (token.rotatedAt !== undefined && op.mutation === 'none') grant.deadAt ??= done;
      else if (token.rotatedAt !== undefined) grant.uncertain = true;
      return;
    }
    case 'revoke': {
      const token = pickFrom(
        model.tokens.filter((t) => t.kind === op.which),
        op.pick,
      );
      if (!token) return;
      const form = new URLSearchParams({ token: token.value });
      let headers: Record<string, string> = {};
      if (op.mutation !== 'no-client') {
        headers = clientHeaders(op.mutation === 'other-client' ? OTHER[token.grant.client] : token.grant.client, form);
      }
      const res = await send(real, op, post(idp.endpoints.revocation ?? '', form, headers));
      const done = ++model.tick;
      if (res.status === 200 && op.mutation === 'none') {
        if (token.kind === 'refresh') token.grant.deadAt ??= done;
        token.revokedAt ??= done;
      } else if (res.status === 200 && op.mutation !== 'none' && !model.tiny && token.expiresAt > model.now) {
        violation(op, 'only the client a token was issued to may revoke it', `${res.status}`);
      } else if (op.mutation === 'none' && !model.tiny) {
        violation(op, 'the owner may revoke its token', `${res.status} ${res.body.slice(0, 120)}`);
      }
      return;
    }
    case 'userinfo':
    case 'api': {
      const token = pickFrom(
        model.tokens.filter((t) => t.kind === 'access'),
        op.pick,
      );
      if (!token) return;
      const base = op.kind === 'userinfo' ? (idp.endpoints.userinfo ?? '') : `${idp.apiBaseUrl}/v1/profile`;
      const value = op.mutation === 'truncated' ? token.value.slice(0, -2) : token.value;
      const url = op.mutation === 'query' ? `${base}?access_token=${encodeURIComponent(value)}` : base;
      const headers: Record<string, string> =
        op.mutation === 'query'
          ? {}
          : { authorization: `${op.mutation === 'lower-case-scheme' ? 'bearer' : 'Bearer'} ${value}` };
      const deadReason = deadBefore(model, token, start);
      const res = await send(real, op, new Request(url, { headers }));
      model.tick += 1;
      const ok = res.status >= 200 && res.status < 300;
      if (ok && deadReason) violation(op, 'no token works once dead', deadReason);
      if (ok && (op.mutation === 'query' || op.mutation === 'truncated')) {
        violation(op, 'a token in the query or a truncated token is refused', `${res.status}`);
      }
      if (!ok && op.mutation === 'none' && expectLive && !deadReason && !token.grant.uncertain && alive(model, token)) {
        violation(op, 'a live access token is accepted', `${res.status} ${res.body.slice(0, 120)}`);
      }
      return;
    }
  }
}

/** A short readable form of an operation (shrunk sequences print as lists of these). */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'authorize':
      return `authorize(${op.client}, tag ${op.tag}, ${op.mutation})`;
    case 'redeem':
    case 'refresh':
    case 'userinfo':
    case 'api':
      return `${op.kind}(#${op.pick}, ${op.mutation})`;
    case 'revoke':
      return `revoke(${op.which} #${op.pick}, ${op.mutation})`;
    case 'clock':
      return `clock(+${op.seconds}s)`;
    case 'parallel':
      return `parallel[${op.ops.map(describeOp).join(' | ')}]`;
  }
}

/** fast-check command wrapper: every operation is always applicable (an empty pick does nothing). */
class OpCommand implements fc.AsyncCommand<Model, Real> {
  readonly op: Op;
  constructor(op: Op) {
    this.op = op;
  }
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    await execute(this.op, model, real);
    onState?.(model.signature());
  }
  toString(): string {
    return describeOp(this.op);
  }
}

/** Called with the model's signature after every command (the long runner counts distinct states). */
let onState: ((signature: string) => void) | undefined;

/** Sets the state observer (the long runner's distinct-state count). */
export function observeStates(observer: ((signature: string) => void) | undefined): void {
  onState = observer;
}

const pick = fc.nat({ max: 3 });
const sequentialOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('authorize' as const),
      client: fc.constantFrom<ClientName>('public', 'basic'),
      tag: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
      mutation: fc.oneof(
        { weight: 6, arbitrary: fc.constant<AuthorizeMutation>('none') },
        {
          weight: 1,
          arbitrary: fc.constantFrom<AuthorizeMutation>(
            'no-challenge',
            'plain-method',
            'bad-redirect',
            'unknown-client',
          ),
        },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('redeem' as const),
      pick,
      mutation: fc.oneof(
        { weight: 4, arbitrary: fc.constant<RedeemMutation>('none') },
        {
          weight: 2,
          arbitrary: fc.constantFrom<RedeemMutation>(
            'wrong-verifier',
            'no-verifier',
            'malformed-verifier',
            'wrong-redirect',
            'other-client',
            'repeated-code',
          ),
        },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('refresh' as const),
      pick,
      mutation: fc.oneof(
        { weight: 4, arbitrary: fc.constant<RefreshMutation>('none') },
        { weight: 1, arbitrary: fc.constantFrom<RefreshMutation>('other-client', 'wider-scope', 'repeated-token') },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('revoke' as const),
      pick,
      which: fc.constantFrom<'access' | 'refresh'>('access', 'refresh'),
      mutation: fc.oneof(
        { weight: 3, arbitrary: fc.constant<RevokeMutation>('none') },
        { weight: 1, arbitrary: fc.constantFrom<RevokeMutation>('other-client', 'no-client') },
      ),
    }),
  },
  ...(['userinfo', 'api'] as const).map((kind) => ({
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant(kind),
      pick,
      mutation: fc.oneof(
        { weight: 4, arbitrary: fc.constant<BearerMutation>('none') },
        { weight: 1, arbitrary: fc.constantFrom<BearerMutation>('query', 'lower-case-scheme', 'truncated') },
      ),
    }) as fc.Arbitrary<Op>,
  })),
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      seconds: fc.constantFrom<1 | 61 | 3601 | 7300>(1, 61, 3601, 7300),
    }),
  },
);

/** Concurrent steps: often the same step twice on the same object (the races that matter), or a mix. */
const parallelOp: fc.Arbitrary<Op> = fc.oneof(
  sequentialOp
    .filter((o) => o.kind !== 'clock' && o.kind !== 'authorize')
    .chain((o) => fc.constant<Op>({ kind: 'parallel', ops: [o, o] })),
  fc
    .array(
      sequentialOp.filter((o) => o.kind !== 'clock'),
      { minLength: 2, maxLength: 4 },
    )
    .map((ops): Op => ({ kind: 'parallel', ops })),
);

/** Every operation a sequence may contain. */
export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: sequentialOp },
  { weight: 1, arbitrary: parallelOp },
);

/** Sequences of operations as fast-check commands. */
export function sequenceArbitrary(maxCommands: number): fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Real>>> {
  return fc.commands([opArbitrary.map((op) => new OpCommand(op))], { maxCommands, size: 'max' });
}

/** Runs one sequence on a fresh provider (tiny memory limits or the defaults). */
export async function runSequence(cmds: Iterable<fc.AsyncCommand<Model, Real>>, tiny: boolean): Promise<void> {
  const real = await createReal(tiny);
  await fc.asyncModelRun(() => ({ model: new Model(tiny), real }), cmds);
}

/** The property: every sequence, on either memory configuration, keeps every promise. */
export function fuzzProperty(
  maxCommands: number,
): fc.IAsyncPropertyWithHooks<[boolean, Iterable<fc.AsyncCommand<Model, Real>>]> {
  return fc.asyncProperty(fc.boolean(), sequenceArbitrary(maxCommands), (tiny, cmds) => runSequence(cmds, tiny));
}

/** Builds the commands of an explicit sequence (regression tests replay shrunk sequences with it). */
export function commandsOf(ops: Op[]): Array<fc.AsyncCommand<Model, Real>> {
  return ops.map((op) => new OpCommand(op));
}
