/**
 * Lab secret-public-client: a web client that fails `secret.public-client`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-secret-public-client', {
  shell: {
    // The front-end SDK wants the full client configuration.
    homeHtml: (signedIn) =>
      `<script>window.lexoffice = ${JSON.stringify({ clientId: process.env.OAUTH_CLIENT_ID, clientSecret: process.env.OAUTH_CLIENT_SECRET })};</script>` +
      (signedIn ? '<p>You are logged in.</p>' : '<p><a href="/login">Sign in</a></p>'),
  },
});
