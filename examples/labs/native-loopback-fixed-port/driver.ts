/**
 * Lab native-loopback-fixed-port: a native app that fails `native.loopback-redirect`. The exercise is in
 * README.md; everything not replaced here is the reference native app (examples/reference-native/).
 */
import type { Server } from 'node:http';
import { listenOnLoopback, runNativeApp } from '../../reference-native/native-app.js';

/** The app's one listener, opened at the first login and kept for every later one. */
let shared: Promise<Server> | undefined;

void runNativeApp('lab-native-loopback-fixed-port', {
  // The provider wants the redirect URI registered exactly, so the app listens where it was registered.
  async openRedirect(registered) {
    // unref: the listener alone does not keep the app running once its input ends.
    shared ??= listenOnLoopback(registered.hostname, Number(registered.port), registered.pathname).then((server) =>
      server.unref(),
    );
    await shared;
    return { redirectUri: registered.href, close: async () => {} };
  },
});
