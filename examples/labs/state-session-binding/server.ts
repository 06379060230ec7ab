/**
 * Lab state-session-binding: a web client that fails `state.session-binding`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import type { Pending } from '../_base/app.js';

const inFlight = new Map<string, Pending>();

runLab('lab-state-session-binding', {
  shell: {
    // Remember logins server-wide, so a callback opened in a new tab still works.
    loginStarted: (pending) => {
      if (pending.flow.state) inFlight.set(pending.flow.state, pending);
    },
    pendingFor: (session, callbackUrl) =>
      session?.data.pending ?? inFlight.get(callbackUrl.searchParams.get('state') ?? ''),
  },
});
