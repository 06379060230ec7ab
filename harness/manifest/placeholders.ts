/**
 * `{{...}}` placeholders (TARGETS.md section 1): what exists, where it may appear, and substitution.
 */
import { ManifestError } from './errors.js';

/** One mock provider's values: its issuer, discovery URL, endpoints and API base URL. */
export interface ProviderPlaceholderValues {
  issuer: string;
  discoveryUrl: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint?: string;
  jwksUri?: string;
  revocationEndpoint?: string;
  endSessionEndpoint?: string;
  /** Base URL of the mock lexoffice API. */
  apiBaseUrl: string;
}

/**
 * Values the harness knows only at run time: the mock provider of this run, the second one when the
 * manifest declares `"providers": 2` (TARGETS.md §1.1), and the target's port.
 */
export interface PlaceholderValues {
  idp: ProviderPlaceholderValues;
  /** The run's second provider (`{{idp2.*}}`, the same names as `{{idp.*}}`); absent with one provider. */
  idp2?: ProviderPlaceholderValues;
  target: { port: number };
}

/** The names of one provider's placeholders, without the `idp.` / `idp2.` prefix. */
const PROVIDER_FIELDS = [
  'issuer',
  'discoveryUrl',
  'authorizationEndpoint',
  'tokenEndpoint',
  'userinfoEndpoint',
  'jwksUri',
  'revocationEndpoint',
  'endSessionEndpoint',
  'apiBaseUrl',
] as const satisfies ReadonlyArray<keyof ProviderPlaceholderValues>;

/** Every placeholder name TARGETS.md defines. `client.*` come from the manifest itself. */
export const PLACEHOLDER_NAMES = [
  'idp.issuer',
  'idp.discoveryUrl',
  'idp.authorizationEndpoint',
  'idp.tokenEndpoint',
  'idp.userinfoEndpoint',
  'idp.jwksUri',
  'idp.revocationEndpoint',
  'idp.endSessionEndpoint',
  'idp.apiBaseUrl',
  'idp2.issuer',
  'idp2.discoveryUrl',
  'idp2.authorizationEndpoint',
  'idp2.tokenEndpoint',
  'idp2.userinfoEndpoint',
  'idp2.jwksUri',
  'idp2.revocationEndpoint',
  'idp2.endSessionEndpoint',
  'idp2.apiBaseUrl',
  'client.id',
  'client.secret',
  'client.redirectUri',
  'target.port',
] as const;

export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const KNOWN = new Set<string>(PLACEHOLDER_NAMES);

/** Whether `name` is one of the second provider's placeholders (`{{idp2.*}}`). */
export function isSecondProviderPlaceholder(name: string): boolean {
  return name.startsWith('idp2.');
}

/** Short list for error messages. */
export const PLACEHOLDER_LIST = PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(', ');

/** The placeholder names used in `text`, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/**
 * Throws a ManifestError at `path` for the first placeholder in `text` that is not in `allowed`
 * (default: every defined placeholder).
 */
export function checkPlaceholders(text: string, path: string, allowed: ReadonlySet<string> = KNOWN): void {
  for (const name of placeholdersIn(text)) {
    if (!allowed.has(name)) {
      const expected = KNOWN.has(name)
        ? `a placeholder other than {{${name}}} here`
        : `a known placeholder (${PLACEHOLDER_LIST})`;
      throw ManifestError.expected(path, expected, `{{${name}}}`);
    }
  }
}

/**
 * Replaces every placeholder in `text` with its value. An unknown placeholder, or one whose value the
 * run does not have (a provider that advertises no revocation endpoint), is a usage error at `path`.
 */
export function substitute(text: string, path: string, values: Record<string, string | undefined>): string {
  return text.replace(PLACEHOLDER, (_whole, rawName: string) => {
    const name = rawName.trim();
    if (!KNOWN.has(name)) {
      throw ManifestError.expected(path, `a known placeholder (${PLACEHOLDER_LIST})`, `{{${name}}}`);
    }
    const value = values[name];
    if (value === undefined) {
      throw ManifestError.expected(
        path,
        `a placeholder this run has a value for ({{${name}}} is not advertised by the provider or not set)`,
        `{{${name}}}`,
      );
    }
    return value;
  });
}

/** Flattens run-time values and the manifest's client into the placeholder table. */
export function placeholderTable(
  vars: PlaceholderValues,
  client: { id: string; secret?: string; redirectUri?: string },
): Record<string, string | undefined> {
  const provider = (
    prefix: string,
    values: ProviderPlaceholderValues | undefined,
  ): Record<string, string | undefined> =>
    Object.fromEntries(PROVIDER_FIELDS.map((f) => [`${prefix}.${f}`, values?.[f]]));
  return {
    ...provider('idp', vars.idp),
    ...provider('idp2', vars.idp2),
    'client.id': client.id,
    'client.secret': client.secret,
    'client.redirectUri': client.redirectUri,
    'target.port': String(vars.target.port),
  };
}
