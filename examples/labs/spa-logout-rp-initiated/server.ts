/**
 * Lab spa-logout-rp-initiated: a browser application that fails `logout.rp-initiated`. The exercise is in
 * README.md; everything not replaced here is the reference SPA (examples/reference-spa/public/).
 */
import { runSpaLab, type SpaLab } from '../_spa-base/lab.js';

/** What this lab changes about the reference SPA. */
export const lab: SpaLab = {
  name: 'lab-spa-logout-rp-initiated',
  patches: [
    {
      // After signing out at the provider, back to the home page, which the client never registered.
      file: 'oidc.js',
      find: "  url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);",
      replace: "  url.searchParams.set('post_logout_redirect_uri', new URL('/', config.redirectUri).href);",
    },
  ],
};

runSpaLab(lab, import.meta.url);
