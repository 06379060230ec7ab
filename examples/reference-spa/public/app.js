// The reference single-page app: a public client (no secret) that signs in with the authorization code
// flow and PKCE S256. Tokens live in this module's memory only: never in localStorage, sessionStorage,
// cookies or URLs. sessionStorage holds the login in flight (state, nonce, verifier) across the
// redirect to the provider and is emptied by the callback; it holds the state of a sign-out at the
// provider (RP-initiated logout) until the provider sends the person back to the post-logout URI.
import {
  LoginError,
  authorizationUrl,
  createJwks,
  discover,
  endSessionUrl,
  isOwnLogoutReturn,
  fetchUserInfo,
  prepareLogin,
  randomToken,
  revokeToken,
  tokenRequest,
  validateCallback,
  verifyIdToken,
} from './oidc.js';

const config = JSON.parse(document.getElementById('login-config').textContent);
const PENDING_KEY = 'lexoffice-login.pending';
const LOGOUT_KEY = 'lexoffice-login.logout-state';
const callbackPath = new URL(config.redirectUri).pathname;
const postLogoutPath = config.postLogoutRedirectUri ? new URL(config.postLogoutRedirectUri).pathname : undefined;

/** @type {{ sub: string, accessToken: string, refreshToken?: string, idToken?: string, expiresAt?: number, refreshAt?: number } | null} */
let grant = null;
/** The refresh in flight, so the same refresh token is never spent twice (rotation, RFC 9700 4.14.2). */
let refreshing = null;
let refreshTimer;
let metaPromise = null;
let jwks = null;

const $ = (id) => document.getElementById(id);

function metadata() {
  metaPromise ??= discover(config.issuer).then(
    (meta) => {
      jwks = createJwks(meta.jwks_uri);
      return meta;
    },
    (err) => {
      metaPromise = null;
      throw err;
    },
  );
  return metaPromise;
}

function messageOf(err) {
  return err instanceof LoginError ? err.message : 'The sign-in could not be completed.';
}

function setStatus(text) {
  $('status').textContent = text;
}

function showError(text) {
  // textContent, never innerHTML: error and error_description come from the URL (CWE-79).
  $('error').textContent = text;
  $('error').hidden = false;
}

function render() {
  $('account').hidden = !grant;
  $('sign-in').hidden = Boolean(grant);
  if (!grant) setStatus('You are not logged in.');
}

function renderAccount(sub, profile) {
  $('account-sub').textContent = sub;
  $('account-company').textContent =
    profile && typeof profile.companyName === 'string' ? profile.companyName : '(profile unavailable)';
  setStatus('');
  $('error').hidden = true;
  render();
}

function setGrant(tokens, sub, previous) {
  const now = Date.now();
  const lifetime = tokens.expiresIn === undefined ? undefined : tokens.expiresIn * 1000;
  grant = {
    sub,
    accessToken: tokens.accessToken,
    // RFC 6749 6: when no new refresh token is issued the old one stays valid.
    refreshToken: tokens.refreshToken ?? previous?.refreshToken,
    // The newest ID token, the hint for RP-initiated logout.
    idToken: tokens.idToken ?? previous?.idToken,
    expiresAt: lifetime === undefined ? undefined : now + lifetime,
    // Long-lived tokens are refreshed a little before they expire; short-lived ones (seconds) once they
    // have expired, since "a little before" would be at once.
    refreshAt: lifetime === undefined ? undefined : now + (lifetime > 10_000 ? lifetime - 5_000 : lifetime + 500),
  };
  scheduleRefresh();
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!grant || grant.refreshAt === undefined || !grant.refreshToken) return;
  const delay = Math.max(250, grant.refreshAt - Date.now());
  refreshTimer = setTimeout(() => void loadProfile(), delay);
}

function endSession() {
  grant = null;
  clearTimeout(refreshTimer);
  render();
}

async function signIn() {
  try {
    setStatus('Redirecting to lexoffice…');
    // The secrets are prepared while discovery loads, so the redirect follows the metadata at once.
    const [meta, prepared] = await Promise.all([metadata(), prepareLogin(config)]);
    const url = authorizationUrl(meta, config, prepared);
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(prepared.pending));
    location.assign(url);
  } catch (err) {
    render();
    showError(messageOf(err));
  }
}

async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  // The code and state leave the address bar and the history entry before anything else happens
  // (RFC 9700 4.2.4, 4.3).
  history.replaceState(null, '', '/');
  const raw = sessionStorage.getItem(PENDING_KEY);
  // The login in flight is spent by the first callback, whatever its outcome: a replay finds nothing.
  sessionStorage.removeItem(PENDING_KEY);
  let pending = null;
  try {
    pending = raw ? JSON.parse(raw) : null;
  } catch {
    pending = null;
  }
  setStatus('Signing in…');
  const meta = await metadata();
  const code = validateCallback(params, pending, meta);
  // RFC 6749 4.1.3 and RFC 7636 4.5: the same redirect_uri, and the verifier.
  const tokens = await tokenRequest(meta, config, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: config.redirectUri,
    code_verifier: pending.codeVerifier,
  });
  let sub;
  if (tokens.idToken) {
    const claims = await verifyIdToken(tokens.idToken, {
      issuer: meta.issuer,
      clientId: config.clientId,
      nonce: pending.nonce,
      jwks,
    });
    sub = claims.sub;
  } else if (config.scopes.includes('openid')) {
    throw new LoginError('The provider sent no ID token.');
  }
  if (meta.userinfo_endpoint) {
    const info = await fetchUserInfo(meta, tokens.accessToken, sub);
    sub ??= info.sub;
  }
  if (!sub) throw new LoginError('The provider did not say who signed in.');
  setGrant(tokens, sub);
  await loadProfile();
}

async function refresh(used) {
  if (refreshing) return refreshing;
  if (grant !== used) return grant;
  if (!used.refreshToken) throw new LoginError('There is no refresh token.');
  refreshing = (async () => {
    const meta = await metadata();
    // No scope parameter: the grant keeps its original scope and never widens (RFC 6749 6).
    const tokens = await tokenRequest(meta, config, { grant_type: 'refresh_token', refresh_token: used.refreshToken });
    if (tokens.idToken) {
      // OIDC Core 12.2: a refreshed ID token is about the same person.
      const claims = await verifyIdToken(tokens.idToken, { issuer: meta.issuer, clientId: config.clientId, jwks });
      if (claims.sub !== used.sub) throw new LoginError('The refreshed ID token is about someone else.');
    }
    setGrant(tokens, used.sub, used);
    return grant;
  })();
  try {
    return await refreshing;
  } finally {
    refreshing = null;
  }
}

function callApi(g, path) {
  const base = config.apiBaseUrl.endsWith('/') ? config.apiBaseUrl : `${config.apiBaseUrl}/`;
  // RFC 6750 2.1: the Authorization header, never the query string.
  return fetch(new URL(path.replace(/^\/+/, ''), base), {
    headers: { authorization: `Bearer ${g.accessToken}`, accept: 'application/json' },
  });
}

async function loadProfile() {
  let g = grant;
  if (!g) return;
  try {
    if (g.refreshAt !== undefined && Date.now() >= g.refreshAt) g = await refresh(g);
    let res = await callApi(g, '/v1/profile');
    if (res.status === 401) {
      g = await refresh(g);
      res = await callApi(g, '/v1/profile');
    }
    if (res.status === 401) throw new LoginError('The lexoffice API no longer accepts this sign-in.');
    const profile = res.status === 200 ? await res.json().catch(() => null) : null;
    if (grant === g) renderAccount(g.sub, profile);
  } catch (err) {
    endSession();
    showError(`Your sign-in has ended. ${messageOf(err)}`);
  }
}

async function signOut() {
  const g = refreshing ? await refreshing.catch(() => grant) : grant;
  endSession();
  setStatus('You have been signed out.');
  if (!g) return;
  let meta;
  try {
    meta = await metadata();
    // RFC 7009: the refresh token first (it ends the grant), then the access token.
    if (g.refreshToken) await revokeToken(meta, config, g.refreshToken, 'refresh_token');
    await revokeToken(meta, config, g.accessToken, 'access_token');
  } catch {
    showError('The provider could not be told about the sign-out.');
  }
  if (!meta) return;
  // OIDC RP-Initiated Logout: the provider's session ends too, or the next "Sign in" would succeed
  // without a password. The provider sends the person back to the registered post-logout URI with the
  // state, which proves the return belongs to this sign-out.
  const state = randomToken();
  const url = endSessionUrl(meta, config, { idToken: g.idToken, state });
  if (!url) return;
  sessionStorage.setItem(LOGOUT_KEY, state);
  location.assign(url);
}

/** The provider sent the person back after RP-initiated logout. */
function completeSignOut() {
  const params = new URLSearchParams(location.search);
  history.replaceState(null, '', '/');
  const expected = sessionStorage.getItem(LOGOUT_KEY);
  sessionStorage.removeItem(LOGOUT_KEY);
  render();
  // Nothing is signed in either way (the tokens were in memory only); a return without this tab's
  // state is not a confirmation that this sign-out reached the provider.
  if (isOwnLogoutReturn(params, expected)) setStatus('You have been signed out at lexoffice too.');
  else showError('This sign-out confirmation does not belong to a sign-out started in this tab.');
}

function onHash() {
  // `#logout` is a same-document navigation, so signing out keeps the in-memory tokens long enough to revoke them.
  if (location.hash === '#logout') {
    history.replaceState(null, '', '/');
    void signOut();
  }
}

async function boot() {
  $('sign-in').addEventListener('click', () => void signIn());
  $('sign-out').addEventListener('click', () => void signOut());
  window.addEventListener('hashchange', onHash);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && grant) void loadProfile();
  });
  if (location.pathname === callbackPath) {
    try {
      await completeSignIn();
    } catch (err) {
      endSession();
      showError(messageOf(err));
    }
    return;
  }
  if (postLogoutPath !== undefined && location.pathname === postLogoutPath) {
    completeSignOut();
    return;
  }
  if (location.pathname === '/login') {
    history.replaceState(null, '', '/');
    await signIn();
    return;
  }
  if (location.hash === '#logout') history.replaceState(null, '', '/');
  render();
}

void boot();
