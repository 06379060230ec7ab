/**
 * Lab bearer-header: a web client that fails `bearer.header`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-bearer-header', {
  flow: {
    // Query parameters survive every proxy.
    apiRequest: (url, accessToken) => {
      url.searchParams.set('access_token', accessToken);
      return { url, headers: { accept: 'application/json' } };
    },
  },
});
