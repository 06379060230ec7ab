/**
 * Lab refresh-scope: a web client that fails `refresh.scope`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-refresh-scope', {
  flow: {
    // Ask for write access now, so the upcoming invoice editor works without a new login.
    tokenParams: (params) =>
      params.grant_type === 'refresh_token'
        ? { ...params, scope: 'openid profile contact.read invoice.read invoice.write' }
        : params,
  },
});
