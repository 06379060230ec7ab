/**
 * Lab native-loopback-localhost: a native app that fails `native.loopback-redirect`. The exercise is in
 * README.md; everything not replaced here is the reference native app (examples/reference-native/).
 */
import { closeServer, listenOnLoopback, runNativeApp } from '../../reference-native/native-app.js';

void runNativeApp('lab-native-loopback-localhost', {
  // "localhost" reads better than an IP address, and the operating system knows where it is.
  async openRedirect(registered) {
    const server = await listenOnLoopback('localhost', 0, registered.pathname);
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the listener has no port');
    return {
      redirectUri: `http://localhost:${address.port}${registered.pathname}`,
      close: () => closeServer(server),
    };
  },
});
