/**
 * Turns outside input into a ManifestTemplate: zod shape check, then the rules that join fields, then
 * defaults. Every failure is a ManifestError naming the JSON path and what was expected there.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { ClientAuthMethod } from '../../mock-idp/types.js';
import type { PolicyName } from '../../reports/model.js';
import type { ResolvedTarget } from '../types.js';
import { formatManifestPath, ManifestError } from './errors.js';
import { checkPlaceholders, isSecondProviderPlaceholder, PLACEHOLDER_NAMES, placeholdersIn } from './placeholders.js';
import { AUTH_METHODS, DEFAULT_TIMEOUT_MS, manifestSchema } from './schema.js';

/**
 * A validated manifest with defaults applied, placeholders not yet substituted. `resolveTarget` turns
 * it into a ResolvedTarget for one run (one provider, one port).
 */
export interface ManifestTemplate extends Omit<ResolvedTarget, 'start'> {
  /** `start.ready` is absent only for drivers (a driver is ready when spawned). */
  start?: Omit<NonNullable<ResolvedTarget['start']>, 'ready'> & {
    ready?: NonNullable<ResolvedTarget['start']>['ready'];
  };
  /** The manifest file, when loaded from one. */
  file?: string;
  /** The manifest's `policy`: how findings become verdicts unless `--policy` says otherwise. */
  policy?: PolicyName;
}

const BUNDLED_PROFILES = ['lexoffice', 'lexoffice-partner', 'fapi2'];

const quoteAll = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(' | ');

/** One zod issue as a ManifestError. */
function issueToError(issue: z.core.$ZodIssue): ManifestError {
  const at = formatManifestPath(issue.path);
  const got = 'input' in issue ? issue.input : undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined)
        return new ManifestError(at, `expected ${article(issue.expected)}, got nothing (required)`, {
          expected: issue.expected,
        });
      return ManifestError.expected(at, article(issue.expected), got);
    case 'invalid_value':
      return ManifestError.expected(at, `one of ${quoteAll(issue.values)}`, got);
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const where = formatManifestPath([...issue.path, key]);
      return new ManifestError(where, `unknown field (not part of the manifest format; check the spelling)`, {
        expected: 'no such field',
      });
    }
    case 'too_small':
      if (issue.origin === 'string') return ManifestError.expected(at, 'a non-empty string', got);
      if (issue.origin === 'array')
        return ManifestError.expected(at, `an array with at least ${String(issue.minimum)} item(s)`, got);
      return ManifestError.expected(at, `a number >= ${String(issue.minimum)}`, got);
    case 'too_big':
      return ManifestError.expected(at, `a number <= ${String(issue.maximum)}`, got);
    default:
      return new ManifestError(at, issue.message, {});
  }
}

function article(type: string): string {
  if (type === 'int') return 'an integer';
  if (type === 'array' || type === 'object') return `an ${type}`;
  return `a ${type}`;
}

/** Deterministic client id from the target's name, so reports and provider journals are stable. */
export function defaultClientId(name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'target';
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${slug}-${hash}`;
}

/**
 * Validates outside input (a parsed JSON document or a module's default export) and applies defaults.
 * `dir` is the folder relative paths resolve against.
 */
export function validateManifest(input: unknown, dir: string, file?: string): ManifestTemplate {
  try {
    return validate(input, dir, file);
  } catch (err) {
    if (err instanceof ManifestError && file && !err.file) throw err.withFile(file);
    throw err;
  }
}

function validate(input: unknown, dir: string, file?: string): ManifestTemplate {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw ManifestError.expected('', 'an object with name, kind and client', input);
  }
  const parsed = manifestSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    // zod reports in schema order; the first issue is the one to fix first.
    const first = parsed.error.issues[0];
    if (!first) throw new ManifestError('', 'invalid manifest');
    const error = issueToError(first);
    const more = parsed.error.issues.length - 1;
    if (more > 0) error.message += ` (and ${more} more problem${more === 1 ? '' : 's'})`;
    throw error;
  }
  const m = parsed.data;

  // --- client: secret versus authentication method (RFC 6749 section 2.3.1) ---
  const authMethod: ClientAuthMethod = m.client.authMethod ?? (m.client.secret ? 'client_secret_basic' : 'none');
  if (authMethod === 'none' && m.client.secret) {
    throw ManifestError.expected(
      'client.authMethod',
      `one of ${quoteAll(AUTH_METHODS.filter((a) => a !== 'none'))} for a client with a secret (or omit client.secret)`,
      authMethod,
    );
  }
  const keyed = authMethod === 'private_key_jwt';
  if (keyed) {
    // RFC 7523 / OIDC Core 9: the client signs with its private key; the provider knows the public one.
    if (m.client.secret)
      throw ManifestError.expected('client.secret', 'no secret for authMethod "private_key_jwt"', m.client.secret);
    if ((m.client.jwks === undefined) === (m.client.jwksUri === undefined)) {
      throw ManifestError.expected(
        'client.jwks',
        'exactly one of "jwks" (the public keys) or "jwksUri" for authMethod "private_key_jwt"',
        m.client.jwks ?? m.client.jwksUri,
      );
    }
    if (m.client.jwksUri !== undefined) checkPlaceholders(m.client.jwksUri, 'client.jwksUri');
  } else if (m.client.jwks !== undefined || m.client.jwksUri !== undefined) {
    throw ManifestError.expected(
      m.client.jwks !== undefined ? 'client.jwks' : 'client.jwksUri',
      'keys only with authMethod "private_key_jwt"',
      m.client.jwks ?? m.client.jwksUri,
    );
  } else if (authMethod !== 'none' && !m.client.secret) {
    throw ManifestError.expected('client.secret', `a secret for authMethod ${JSON.stringify(authMethod)}`, undefined);
  }
  // The redirect URI cannot refer to itself.
  checkPlaceholders(
    m.client.redirectUri,
    'client.redirectUri',
    new Set(PLACEHOLDER_NAMES.filter((n) => n !== 'client.redirectUri')),
  );

  // --- what each kind needs (TARGETS.md section 3) ---
  if (m.start && m.inProcess) {
    throw new ManifestError('inProcess', 'expected either "start" or "inProcess", not both', {
      expected: 'either start or inProcess',
    });
  }
  if (m.kind === 'driver') {
    if (!m.start)
      throw ManifestError.expected('start', 'a "start" with the driver\'s "command" for kind "driver"', undefined);
    if (m.inProcess)
      throw ManifestError.expected(
        'inProcess',
        'no inProcess for kind "driver" (drivers speak the driver protocol)',
        m.inProcess,
      );
  } else {
    if (!m.login) {
      throw ManifestError.expected(
        'login',
        `{ "url": ... } where a person starts signing in (required for kind ${JSON.stringify(m.kind)})`,
        undefined,
      );
    }
    if (!m.signedIn) {
      const shape = m.kind === 'web' ? '{ "url": ..., "status": 200, "text": ... }' : '{ "selector": ... }';
      throw ManifestError.expected(
        'signedIn',
        `a signed-in oracle ${shape} (required for kind ${JSON.stringify(m.kind)})`,
        undefined,
      );
    }
    if (m.start) {
      const ready = m.start.ready;
      if (!ready) throw ManifestError.expected('start.ready', '{ "url": ... } or { "stdout": "<regex>" }', undefined);
      if ((ready.url === undefined) === (ready.stdout === undefined)) {
        throw ManifestError.expected('start.ready', 'exactly one of "url" or "stdout"', ready);
      }
    }
  }
  if (m.native === true && m.kind !== 'driver') {
    throw ManifestError.expected(
      'native',
      `no "native" for kind ${JSON.stringify(m.kind)} (native apps are drivers)`,
      m.native,
    );
  }
  if (m.start?.ready?.url !== undefined && m.start.ready.stdout !== undefined) {
    throw ManifestError.expected('start.ready', 'exactly one of "url" or "stdout"', m.start.ready);
  }

  let signedIn: ManifestTemplate['signedIn'];
  if (m.signedIn && m.kind !== 'driver') {
    const s = m.signedIn;
    if (m.kind === 'web') {
      if (s.selector !== undefined)
        throw ManifestError.expected(
          'signedIn.selector',
          'no selector for kind "web" (use "url", "status", "text")',
          s.selector,
        );
      if (s.url === undefined)
        throw ManifestError.expected(
          'signedIn.url',
          'a URL answered differently when signed in (required for kind "web")',
          undefined,
        );
      signedIn = { url: s.url, status: s.status ?? 200, ...(s.text !== undefined ? { text: s.text } : {}) };
    } else {
      if (s.url !== undefined || s.status !== undefined || s.text !== undefined) {
        throw ManifestError.expected('signedIn', '{ "selector": ... } for kind "spa"', s);
      }
      if (s.selector === undefined)
        throw ManifestError.expected(
          'signedIn.selector',
          'a CSS selector visible only when signed in (required for kind "spa")',
          undefined,
        );
      signedIn = { selector: s.selector };
    }
  }

  // --- profile: bundled name or a discovery document next to the manifest ---
  let profile = m.profile ?? 'lexoffice';
  if (!BUNDLED_PROFILES.includes(profile)) {
    const abs = path.resolve(dir, profile);
    if (!existsSync(abs)) {
      throw ManifestError.expected(
        'profile',
        `"lexoffice", "lexoffice-partner", "fapi2" or the path of a discovery document (no file at ${abs})`,
        profile,
      );
    }
    profile = abs;
  }

  // --- placeholders: only the sections TARGETS.md names, only defined names ---
  const strings: Array<[string, string]> = [];
  if (m.start) {
    m.start.command.forEach((a, i) => strings.push([`start.command[${i}]`, a]));
    if (m.start.cwd !== undefined) strings.push(['start.cwd', m.start.cwd]);
    for (const [k, v] of Object.entries(m.start.env ?? {})) {
      strings.push([`start.env.${k}`, k], [`start.env.${k}`, v]);
    }
    if (m.start.ready?.url !== undefined) strings.push(['start.ready.url', m.start.ready.url]);
    if (m.start.ready?.stdout !== undefined) strings.push(['start.ready.stdout', m.start.ready.stdout]);
  }
  for (const [i, uri] of (m.client.postLogoutRedirectUris ?? []).entries())
    strings.push([`client.postLogoutRedirectUris[${i}]`, uri]);
  if (m.client.backchannelLogoutUri !== undefined)
    strings.push(['client.backchannelLogoutUri', m.client.backchannelLogoutUri]);
  if (m.login) strings.push(['login.url', m.login.url]);
  if (m.logout) strings.push(['logout.url', m.logout.url]);
  for (const [k, v] of Object.entries(m.signedIn ?? {})) if (typeof v === 'string') strings.push([`signedIn.${k}`, v]);
  for (const [k, v] of Object.entries(m.inProcess?.env ?? {})) strings.push([`inProcess.env.${k}`, v]);
  if (m.client.jwksUri !== undefined) strings.push(['client.jwksUri', m.client.jwksUri]);
  strings.push(['client.redirectUri', m.client.redirectUri]);
  for (const [at, text] of strings) checkPlaceholders(text, at);
  // TARGETS.md §1.1: the second provider exists only for a manifest that declares it.
  const providers = m.providers ?? 1;
  if (providers < 2) {
    for (const [at, text] of strings) {
      const name = placeholdersIn(text).find(isSecondProviderPlaceholder);
      if (name !== undefined) {
        throw new ManifestError(
          at,
          `{{${name}}} names the second provider, which exists only with "providers": 2 (the manifest declares ${
            m.providers === undefined ? 'no "providers", i.e. one provider' : `"providers": ${m.providers}`
          })`,
          { expected: '"providers": 2 for {{idp2.*}} placeholders' },
        );
      }
    }
  }

  const cwd = m.start?.cwd ?? '.';
  const template: ManifestTemplate = {
    name: m.name,
    kind: m.kind,
    dir,
    profile,
    client: {
      id: m.client.id ?? defaultClientId(m.name),
      ...(m.client.secret !== undefined ? { secret: m.client.secret } : {}),
      authMethod,
      redirectUri: m.client.redirectUri,
      scopes: m.client.scopes,
      ...(m.client.dpop !== undefined ? { dpop: m.client.dpop } : {}),
      ...(m.client.par !== undefined ? { par: m.client.par } : {}),
      ...(m.client.jwks !== undefined ? { jwks: m.client.jwks as { keys: Array<Record<string, unknown>> } } : {}),
      ...(m.client.jwksUri !== undefined ? { jwksUri: m.client.jwksUri } : {}),
      ...(m.client.postLogoutRedirectUris ? { postLogoutRedirectUris: m.client.postLogoutRedirectUris } : {}),
      ...(m.client.backchannelLogoutUri !== undefined ? { backchannelLogoutUri: m.client.backchannelLogoutUri } : {}),
    },
    ...(m.start
      ? {
          start: {
            command: m.start.command,
            // A cwd with a placeholder can only be resolved once substituted (resolveTarget does it again).
            cwd: cwd.includes('{{') ? cwd : path.resolve(dir, cwd),
            env: m.start.env ?? {},
            ...(m.start.ready
              ? {
                  ready:
                    m.start.ready.url !== undefined
                      ? { url: m.start.ready.url }
                      : { stdout: m.start.ready.stdout ?? '' },
                }
              : {}),
            timeoutMs: m.start.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          },
        }
      : {}),
    ...(m.login ? { login: { url: m.login.url } } : {}),
    ...(signedIn ? { signedIn } : {}),
    ...(m.logout ? { logout: { url: m.logout.url } } : {}),
    ...(m.inProcess
      ? {
          inProcess: {
            module: path.resolve(dir, m.inProcess.module),
            export: m.inProcess.export ?? 'start',
            env: m.inProcess.env ?? {},
          },
        }
      : {}),
    ...(file ? { file } : {}),
    ...(m.policy ? { policy: m.policy } : {}),
    ...(m.providers !== undefined ? { providers: m.providers } : {}),
    ...(m.native !== undefined ? { native: m.native } : {}),
  };
  if (template.inProcess && !existsSync(template.inProcess.module)) {
    throw ManifestError.expected(
      'inProcess.module',
      `the path of a module (no file at ${template.inProcess.module})`,
      m.inProcess?.module,
    );
  }
  return template;
}
