/**
 * Lab mixup-iss: a web client of two providers that fails `mixup.iss`. The exercise is in README.md;
 * everything not replaced here is the two-provider reference client (examples/openid-client-two-providers/).
 */
import { runTwoProviderApp } from '../../openid-client-two-providers/app.js';

runTwoProviderApp('lab-mixup-iss', {
  // The library insists on `iss`; we already know which provider this login is with, so we tell it.
  callbackFor: (url, provider) => {
    const copy = new URL(url);
    copy.searchParams.set('iss', provider.issuer);
    return copy;
  },
});
