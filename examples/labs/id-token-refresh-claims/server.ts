/**
 * Lab id-token-refresh-claims: a web client that fails `id-token.refresh-claims`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-id-token-refresh-claims', {
  flow: {
    // The person is already signed in; a refreshed ID token changes nothing.
    checkRefreshedIdToken: async () => undefined,
  },
});
