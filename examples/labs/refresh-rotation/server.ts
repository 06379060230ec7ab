/**
 * Lab refresh-rotation: a web client that fails `refresh.rotation`. The exercise is in README.md; everything
 * not replaced here is the reference client (examples/labs/_base/).
 */
import { runLab } from '../_base/lab.js';

runLab('lab-refresh-rotation', {
  flow: {
    // The refresh token from the login is valid for 30 days; keep using it.
    keepRefreshToken: (previous, issued) => previous ?? issued,
  },
});
