/**
 * Lab leak-page: a web client that fails `leak.page`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import { escapeHtml } from '../../shared/html.js';

runLab('lab-leak-page', {
  shell: {
    accountHtml: (grant, api) =>
      `<p>Signed in as ${escapeHtml(grant.sub)} (API status ${api.status}).</p>\n<!-- debug: refresh_token=${grant.refreshToken ?? ''} -->`,
  },
});
