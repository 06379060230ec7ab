/**
 * Lab spa-leak-url: a browser application that fails `leak.url`. The exercise is in README.md;
 * everything not replaced here is the reference SPA (examples/reference-spa/public/).
 */
import { runSpaLab, type SpaLab } from '../_spa-base/lab.js';

/** What this lab changes about the reference SPA. */
export const lab: SpaLab = {
  name: 'lab-spa-leak-url',
  patches: [
    {
      // The callback reads the code and state from the address bar and leaves them there.
      file: 'app.js',
      find: "  history.replaceState(null, '', '/');\n  const raw = sessionStorage.getItem(PENDING_KEY);",
      replace: '  const raw = sessionStorage.getItem(PENDING_KEY);',
    },
  ],
};

runSpaLab(lab, import.meta.url);
