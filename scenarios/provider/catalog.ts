/**
 * The provider check catalog, in the order of the "Provider checks" table of CHECKS.md, followed by the
 * opt-in slow checks.
 */
import { apiBearerQueryRefused } from './api.js';
import { authzClickjacking, authzNo307 } from './authz-pages.js';
import { clientAuthPrivateKeyJwt } from './client-auth.js';
import { codeConcurrent, refreshConcurrent } from './concurrent.js';
import { codeBoundClient, codeBoundRedirectUri, codeLifetime, codeReplayRevokes, codeSingleUse } from './code.js';
import { discoveryPkceAdvertised, discoveryValid } from './discovery.js';
import {
  dpopBound,
  dpopRefreshBound,
  dpopReplay,
  parRequestUriBound,
  parRequestUriSingleUse,
  parRequired,
} from './dpop-par.js';
import { errorsEscaped, errorsFormat } from './errors.js';
import { implicitDisabled, ropcDisabled } from './flows.js';
import { idTokenValid } from './id-token.js';
import {
  pkceDowngradeAuthz,
  pkceDowngradeToken,
  pkceFailedAttemptBurnsCode,
  pkcePlainRejected,
  pkceRequired,
  pkceVerifierChecked,
  pkceVerifierFormat,
} from './pkce.js';
import { redirectUriErrorNoRedirect, redirectUriExact } from './redirect-uri.js';
import { refreshBoundClient, refreshIdleExpiry, refreshReuseRevokes, refreshRotation } from './refresh.js';
import { issParam, stateEcho } from './response.js';
import { tokenCacheControl, tokenClientAuthRequired, tokenEntropy } from './token.js';
import type { ProviderCheck } from './types.js';

/** Every provider check. Ids are stable; opt-in checks (`optIn`) come last. */
export const providerChecks: ProviderCheck[] = [
  discoveryValid,
  discoveryPkceAdvertised,
  pkceRequired,
  pkceVerifierChecked,
  pkceDowngradeToken,
  pkceDowngradeAuthz,
  pkcePlainRejected,
  pkceVerifierFormat,
  pkceFailedAttemptBurnsCode,
  codeSingleUse,
  codeReplayRevokes,
  codeBoundClient,
  codeBoundRedirectUri,
  redirectUriExact,
  redirectUriErrorNoRedirect,
  stateEcho,
  issParam,
  tokenCacheControl,
  tokenClientAuthRequired,
  tokenEntropy,
  refreshRotation,
  refreshReuseRevokes,
  refreshBoundClient,
  implicitDisabled,
  ropcDisabled,
  errorsFormat,
  errorsEscaped,
  idTokenValid,
  apiBearerQueryRefused,
  parRequired,
  parRequestUriSingleUse,
  parRequestUriBound,
  dpopBound,
  dpopReplay,
  dpopRefreshBound,
  // Second wave (CHECKS.md, "Second wave: provider checks").
  codeConcurrent,
  refreshConcurrent,
  authzClickjacking,
  authzNo307,
  clientAuthPrivateKeyJwt,
  codeLifetime,
  refreshIdleExpiry,
];
