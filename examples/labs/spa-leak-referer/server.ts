/**
 * Lab spa-leak-referer: a browser application that fails `leak.referer`. The exercise is in README.md;
 * everything not replaced here is the reference SPA (examples/reference-spa/public/).
 */
import { runSpaLab, type SpaLab } from '../_spa-base/lab.js';

/** What this lab changes about the reference SPA. */
export const lab: SpaLab = {
  name: 'lab-spa-leak-referer',
  // The analytics vendor's setup guide asks for this policy, so it can see where visits come from.
  headers: { 'referrer-policy': 'no-referrer-when-downgrade' },
  patches: [
    {
      // ...in the page too, and the vendor's tag goes first in the head, "to count every page view".
      file: 'index.html',
      find: '    <meta name="referrer" content="no-referrer" />\n',
      replace:
        '    <meta name="referrer" content="no-referrer-when-downgrade" />\n' +
        '    <script async src="{{THIRD_PARTY}}/tag.js"></script>\n',
    },
  ],
  // The analytics vendor: another origin.
  thirdParty: { '/tag.js': '// counts a page view\n' },
};

runSpaLab(lab, import.meta.url);
