/**
 * Lab spa-leak-session-storage: a browser application that fails `leak.storage` with its tokens in
 * sessionStorage. The exercise is in README.md; everything not replaced here is the reference SPA
 * (examples/reference-spa/public/).
 */
import { runSpaLab, type SpaLab } from '../_spa-base/lab.js';

/** What this lab changes about the reference SPA. */
export const lab: SpaLab = {
  name: 'lab-spa-leak-session-storage',
  patches: [
    {
      file: 'app.js',
      find: "const PENDING_KEY = 'lexoffice-login.pending';",
      replace: "const PENDING_KEY = 'lexoffice-login.pending';\nconst GRANT_KEY = 'lexoffice-login.grant';",
    },
    {
      // Every new grant (sign-in and refresh) is written to sessionStorage, so a reload of the tab keeps
      // the login (the default of several browser OIDC libraries).
      file: 'app.js',
      find: '  };\n  scheduleRefresh();\n}',
      replace: '  };\n  sessionStorage.setItem(GRANT_KEY, JSON.stringify(grant));\n  scheduleRefresh();\n}',
    },
    {
      file: 'app.js',
      find: 'function endSession() {\n  grant = null;',
      replace: 'function endSession() {\n  grant = null;\n  sessionStorage.removeItem(GRANT_KEY);',
    },
    {
      // After a reload of the tab the saved grant is picked up again instead of asking the person to sign in.
      file: 'app.js',
      find: "  if (location.hash === '#logout') history.replaceState(null, '', '/');\n  render();",
      replace: [
        '  const saved = sessionStorage.getItem(GRANT_KEY);',
        '  if (saved) grant = JSON.parse(saved);',
        "  if (location.hash === '#logout') {",
        "    history.replaceState(null, '', '/');",
        '    if (grant) return void signOut();',
        '  } else if (grant) {',
        '    scheduleRefresh();',
        '    return void loadProfile();',
        '  }',
        '  render();',
      ].join('\n'),
    },
  ],
};

runSpaLab(lab, import.meta.url);
