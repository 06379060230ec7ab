import { z } from 'zod';
import type { MockIdpSettings } from './types.js';

/** Provider settings with their defaults; each default documents itself. */
export const DEFAULT_SETTINGS: MockIdpSettings = {
  /** 3600 s, as the lexoffice.login paper's token response shows. */
  accessTokenTtl: 3600,
  /** RFC 6749 4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; 60 s is stricter. */
  codeTtl: 60,
  /** 30 days. */
  refreshTokenTtl: 30 * 24 * 3600,
  idTokenTtl: 3600,
  /** Auto-approve unless a login form is asked for. */
  loginForm: false,
  /** lexoffice's 2 requests/second limit is opt-in, so ordinary test flows are not throttled. */
  apiRateLimit: false,
  /** RFC 9449 8: server nonces are the server's choice; on per login with the `dpop.use-nonce` fault. */
  dpopNonce: false,
  /**
   * RFC 9449 9: a resource server may demand nonces too. Off by default; a profile may turn it on
   * (`ProfileSettings.resourceDpopNonce`: the `fapi2` profile does), and an explicit setting wins.
   */
  resourceDpopNonce: false,
  /** RFC 9126 2.2 gives 5 to 600 seconds as typical; short, since a request_uri is used at once. */
  requestUriTtl: 60,
};

const seconds = z.number().int().positive();

/** Partial settings as callers pass them (validated: a CLI or manifest may be the source). */
export const settingsSchema = z
  .object({
    accessTokenTtl: seconds,
    codeTtl: seconds,
    refreshTokenTtl: seconds,
    idTokenTtl: seconds,
    loginForm: z.boolean(),
    apiRateLimit: z.boolean(),
    dpopNonce: z.boolean(),
    resourceDpopNonce: z.boolean(),
    requestUriTtl: seconds,
  })
  .partial()
  .strict();

/**
 * Settings with defaults filled in: the caller's, else the profile's (`profileDefaults`), else
 * {@link DEFAULT_SETTINGS}. Errors name the path (`settings.codeTtl: ...`).
 */
export function resolveSettings(input: unknown, profileDefaults: Partial<MockIdpSettings> = {}): MockIdpSettings {
  const result = settingsSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new Error(
      `invalid settings: ${result.error.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { ...DEFAULT_SETTINGS, ...profileDefaults, ...result.data };
}
