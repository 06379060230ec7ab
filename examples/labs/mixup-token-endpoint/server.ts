/**
 * Lab mixup-token-endpoint: a web client of two providers that fails `mixup.token-endpoint`. The exercise
 * is in README.md; everything not replaced here is the two-provider reference client
 * (examples/openid-client-two-providers/).
 */
import { providerByIssuer } from '../../openid-client-two-providers/flow.js';
import { runTwoProviderApp } from '../../openid-client-two-providers/app.js';

runTwoProviderApp('lab-mixup-token-endpoint', {
  // The response says which provider it is from (RFC 9207), so finish the login with that one.
  providerFor: (url, started, providers) => providerByIssuer(providers, url.searchParams.get('iss')) ?? started,
});
