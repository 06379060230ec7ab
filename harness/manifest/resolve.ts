/**
 * Substitutes `{{...}}` placeholders (TARGETS.md section 1) for one run and checks what only makes sense
 * afterwards: URLs parse, the ready pattern is a regular expression.
 */
import path from 'node:path';
import type { ResolvedTarget } from '../types.js';
import { ManifestError } from './errors.js';
import { placeholderTable, substitute, type PlaceholderValues } from './placeholders.js';
import type { ManifestTemplate } from './validate.js';

function httpUrl(value: string, at: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw ManifestError.expected(at, 'an absolute http(s) URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw ManifestError.expected(at, 'an absolute http(s) URL', value);
  return value;
}

/**
 * The manifest for one run: every placeholder in `start`, `client.redirectUri`,
 * `client.postLogoutRedirectUris`, `client.backchannelLogoutUri`, `login`, `signedIn`, `logout` (and
 * `inProcess.env`) replaced. Throws ManifestError for an unknown placeholder or one whose
 * value this run does not have.
 */
export function resolveTarget(template: ManifestTemplate, vars: PlaceholderValues): ResolvedTarget {
  const base = { id: template.client.id, secret: template.client.secret };
  const redirectUri = substitute(template.client.redirectUri, 'client.redirectUri', placeholderTable(vars, base));
  try {
    new URL(redirectUri);
  } catch {
    throw ManifestError.expected('client.redirectUri', 'an absolute URL', redirectUri);
  }
  const table = placeholderTable(vars, { ...base, redirectUri });
  const sub = (text: string, at: string): string => substitute(text, at, table);

  const target: ResolvedTarget = {
    name: template.name,
    kind: template.kind,
    dir: template.dir,
    profile: template.profile,
    ...(template.providers !== undefined ? { providers: template.providers } : {}),
    client: { ...template.client, scopes: [...template.client.scopes], redirectUri },
    ...(template.native !== undefined ? { native: template.native } : {}),
  };
  if (template.client.jwksUri !== undefined) {
    target.client.jwksUri = httpUrl(sub(template.client.jwksUri, 'client.jwksUri'), 'client.jwksUri');
  }
  if (template.client.postLogoutRedirectUris) {
    target.client.postLogoutRedirectUris = template.client.postLogoutRedirectUris.map((uri, i) =>
      httpUrl(sub(uri, `client.postLogoutRedirectUris[${i}]`), `client.postLogoutRedirectUris[${i}]`),
    );
  }
  if (template.client.backchannelLogoutUri !== undefined) {
    target.client.backchannelLogoutUri = httpUrl(
      sub(template.client.backchannelLogoutUri, 'client.backchannelLogoutUri'),
      'client.backchannelLogoutUri',
    );
  }

  if (template.start) {
    const s = template.start;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.env)) env[sub(k, `start.env.${k}`)] = sub(v, `start.env.${k}`);
    let ready: NonNullable<ResolvedTarget['start']>['ready'];
    if (!s.ready) {
      // Drivers are ready when spawned: an empty pattern matches at once.
      ready = { stdout: '' };
    } else if ('url' in s.ready) {
      ready = { url: httpUrl(sub(s.ready.url, 'start.ready.url'), 'start.ready.url') };
    } else {
      const pattern = sub(s.ready.stdout, 'start.ready.stdout');
      try {
        new RegExp(pattern);
      } catch (err) {
        throw ManifestError.expected('start.ready.stdout', `a regular expression (${(err as Error).message})`, pattern);
      }
      ready = { stdout: pattern };
    }
    target.start = {
      command: s.command.map((a, i) => sub(a, `start.command[${i}]`)),
      cwd: path.resolve(template.dir, sub(s.cwd, 'start.cwd')),
      env,
      ready,
      timeoutMs: s.timeoutMs,
    };
  }
  if (template.login) target.login = { url: httpUrl(sub(template.login.url, 'login.url'), 'login.url') };
  if (template.logout) target.logout = { url: httpUrl(sub(template.logout.url, 'logout.url'), 'logout.url') };
  if (template.signedIn) {
    const s = template.signedIn;
    target.signedIn =
      'selector' in s
        ? { selector: sub(s.selector, 'signedIn.selector') }
        : {
            url: httpUrl(sub(s.url, 'signedIn.url'), 'signedIn.url'),
            status: s.status,
            ...(s.text !== undefined ? { text: sub(s.text, 'signedIn.text') } : {}),
          };
  }
  if (template.inProcess) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(template.inProcess.env)) env[k] = sub(v, `inProcess.env.${k}`);
    target.inProcess = { ...template.inProcess, env, port: vars.target.port };
  }
  return target;
}
