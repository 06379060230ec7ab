import { readFile } from 'node:fs/promises';
import { BUNDLED_PROFILES, isBundledProfile, type ProfileSettings } from '../profiles/profile-settings.js';
import { parseDiscovery, type DiscoveryDocument } from './discovery-schema.js';

/** A profile resolved to a parsed document and its settings. */
export interface LoadedProfile {
  /** `lexoffice`, `lexoffice-partner`, the file path / URL, or `custom` for a document given directly. */
  name: string;
  document: DiscoveryDocument;
  settings: ProfileSettings;
}

/** The path a document is served at when it did not come with settings: OIDC if it looks like OIDC. */
function defaultSettingsFor(document: DiscoveryDocument): ProfileSettings {
  const looksOidc =
    document.userinfo_endpoint !== undefined ||
    document.id_token_signing_alg_values_supported !== undefined ||
    document.subject_types_supported !== undefined ||
    (document.scopes_supported ?? []).includes('openid');
  const issuerPath = new URL(document.issuer).pathname.replace(/\/$/, '');
  return {
    // OIDC Discovery 4 appends to the issuer; RFC 8414 3 inserts the well-known segment before the path.
    discoveryPath: looksOidc
      ? `${issuerPath}/.well-known/openid-configuration`
      : `/.well-known/oauth-authorization-server${issuerPath}`,
    apiBaseUrl: new URL(document.issuer).origin,
    scopeParams: ['scope'],
    apiScopes: BUNDLED_PROFILES.lexoffice.settings.apiScopes,
  };
}

async function readDocument(source: string): Promise<unknown> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`discovery document ${source}: HTTP ${response.status}`);
    return response.json();
  }
  const text = await readFile(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`discovery document ${source}: not JSON (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Resolves `discovery` (a document given directly) or `profile` (a bundled name, a file path or an
 * http(s) URL) to a parsed document.
 */
export async function loadProfile(opts: { profile?: string; discovery?: unknown }): Promise<LoadedProfile> {
  if (opts.discovery !== undefined) {
    const document = parseDiscovery(opts.discovery);
    const bundled = opts.profile !== undefined && isBundledProfile(opts.profile) ? opts.profile : undefined;
    return {
      name: bundled ?? opts.profile ?? 'custom',
      document,
      settings: bundled ? BUNDLED_PROFILES[bundled].settings : defaultSettingsFor(document),
    };
  }
  const profile = opts.profile ?? 'lexoffice';
  if (isBundledProfile(profile)) {
    const definition = BUNDLED_PROFILES[profile];
    return { name: profile, document: parseDiscovery(definition.discovery), settings: definition.settings };
  }
  const document = parseDiscovery(await readDocument(profile));
  return { name: profile, document, settings: defaultSettingsFor(document) };
}
