/**
 * Lab state-replay: a web client that fails `state.replay`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';
import type { Grant } from '../../shared/login-flow.js';

const byCode = new Map<string, Grant>();

runLab('lab-state-replay', {
  shell: {
    // Browsers sometimes load the callback twice; answer the second time from a cache.
    cachedGrant: (callbackUrl) => byCode.get(callbackUrl.searchParams.get('code') ?? ''),
    rememberGrant: (callbackUrl, grant) => void byCode.set(callbackUrl.searchParams.get('code') ?? '', grant),
  },
});
