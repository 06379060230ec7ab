/**
 * The client check catalog, in the order of the required minimum (CHECKS.md). Ids are stable: reports,
 * baselines and CI gates name checks by them.
 */
import type { ClientCheck } from './types.js';
import { authzResponseIss, authzResponseIssMissing } from './client/authz-response-iss.js';
import { bearerHeader } from './client/bearer-header.js';
import { callbackErrorXss } from './client/callback-error-xss.js';
import { callbackErrorResponse, callbackMissingCode } from './client/callback-errors.js';
import { dpopNonce, dpopProof, dpopScheme, parFrontChannel } from './client/dpop-par.js';
import { flowCodeOnly } from './client/flow-code-only.js';
import { idTokenKidRotation } from './client/id-token-kid-rotation.js';
import {
  idTokenAtHash,
  idTokenAzp,
  idTokenIat,
  idTokenKidAbsent,
  idTokenRefreshClaims,
  idTokenSub,
} from './client/id-token-claims.js';
import { discoveryIssuerMatch } from './client/discovery-issuer.js';
import { logoutBackchannel, logoutBackchannelValidation, logoutRpInitiated, logoutSession } from './client/logout.js';
import { idTokenSubUserinfo } from './client/id-token-userinfo.js';
import {
  idTokenAlgConfusion,
  idTokenAlgNone,
  idTokenAud,
  idTokenExp,
  idTokenIss,
  idTokenNonce,
  idTokenSignature,
} from './client/id-token-validation.js';
import { leakLogs } from './client/leak-logs.js';
import { leakPage } from './client/leak-page.js';
import { leakReferer } from './client/leak-referer.js';
import { leakStorage } from './client/leak-storage.js';
import { leakUrl } from './client/leak-url.js';
import { logoutRevoke } from './client/logout-revoke.js';
import { noncePresent } from './client/nonce-present.js';
import { pkceDowngradeMetadata, pkceNoPlainRetry } from './client/pkce-downgrade.js';
import { pkcePresent, pkceS256 } from './client/pkce-request.js';
import { pkceVerifierFormat, pkceVerifierFresh, pkceVerifierSent } from './client/pkce-verifier.js';
import { redirectOpenRedirect } from './client/redirect-open-redirect.js';
import { refreshRotation, refreshScope } from './client/refresh.js';
import { scopeMinimal } from './client/scope-minimal.js';
import { secretPublicClient } from './client/secret-public-client.js';
import { sessionCookieFlags, sessionFixation } from './client/session-cookies.js';
import { stateMismatch, stateMissing } from './client/state-callback.js';
import { stateEntropy } from './client/state-entropy.js';
import { statePresent } from './client/state-present.js';
import { stateReplay } from './client/state-replay.js';
import { stateSessionBinding } from './client/state-session-binding.js';
import { tokenErrorHandled, tokenResponseMalformed } from './client/token-errors.js';
import { tokenRequestClientAuth, tokenRequestRedirectUri } from './client/token-request.js';
import { clientAuthPrivateKeyJwt } from './client/client-auth-private-key-jwt.js';
import { mixupIss, mixupTokenEndpoint } from './client/mixup.js';
import { nativeLoopbackRedirect } from './client/native-loopback-redirect.js';

/** Every client check, in a stable order. */
export const clientChecks: ClientCheck[] = [
  statePresent,
  stateEntropy,
  stateMismatch,
  stateMissing,
  stateSessionBinding,
  stateReplay,
  callbackMissingCode,
  callbackErrorResponse,
  callbackErrorXss,
  pkcePresent,
  pkceS256,
  pkceVerifierSent,
  pkceVerifierFormat,
  pkceVerifierFresh,
  pkceDowngradeMetadata,
  pkceNoPlainRetry,
  noncePresent,
  idTokenSignature,
  idTokenAlgNone,
  idTokenAlgConfusion,
  idTokenIss,
  idTokenAud,
  idTokenExp,
  idTokenNonce,
  idTokenSubUserinfo,
  idTokenKidRotation,
  authzResponseIss,
  authzResponseIssMissing,
  flowCodeOnly,
  redirectOpenRedirect,
  tokenRequestRedirectUri,
  tokenRequestClientAuth,
  tokenErrorHandled,
  tokenResponseMalformed,
  leakUrl,
  leakReferer,
  leakStorage,
  leakLogs,
  leakPage,
  bearerHeader,
  secretPublicClient,
  refreshRotation,
  refreshScope,
  scopeMinimal,
  sessionCookieFlags,
  sessionFixation,
  logoutRevoke,
  dpopProof,
  dpopNonce,
  dpopScheme,
  parFrontChannel,
  // Second wave (CHECKS.md, "Second wave: client checks (modern OAuth)").
  clientAuthPrivateKeyJwt,
  mixupIss,
  mixupTokenEndpoint,
  nativeLoopbackRedirect,
  // Second wave: OpenID Connect relying-party completeness (CHECKS.md).
  idTokenIat,
  idTokenSub,
  idTokenAzp,
  idTokenKidAbsent,
  idTokenAtHash,
  idTokenRefreshClaims,
  discoveryIssuerMatch,
  logoutSession,
  logoutRpInitiated,
  logoutBackchannel,
  logoutBackchannelValidation,
];

/** The check with this exact id, or undefined. */
export function checkById(id: string): ClientCheck | undefined {
  return clientChecks.find((c) => c.id === id);
}
