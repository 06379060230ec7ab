/**
 * Lab spa-leak-referer: a browser application that fails `leak.referer`. The exercise is in README.md;
 * everything not replaced here is the reference SPA (examples/reference-spa/public/).
 */
import { runSpaLab, type SpaLab } from '../_spa-base/lab.js';

/** What this lab changes about the reference SPA. */
export const lab: SpaLab = {
  name: 'lab-spa-leak-referer',
  // ...neither in the page nor in a response header.
  headers: { 'referrer-policy': null },
  patches: [
    {
      // The page sets no referrer policy, so the browser's default applies.
      file: 'index.html',
      find: '    <meta name="referrer" content="no-referrer" />\n',
      replace: '',
    },
  ],
};

runSpaLab(lab, import.meta.url);
