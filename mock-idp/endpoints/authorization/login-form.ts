import { escapeHtml, htmlResponse, noStoreHeaders, pageSecurityHeaders } from '../../http/responses.js';
import type { AuthorizationFlow } from './flow.js';

/** Hidden form field that marks a login-form submission (POST to the authorization endpoint). */
export const LOGIN_FORM_FIELD = 'login_harness_user';
/** Hidden field carrying the login tag through the form, for user agents that drop the header on POST. */
export const LOGIN_FORM_TAG_FIELD = 'login_harness_tag';

/** The login form's HTML: the request as hidden fields, the seeded users to pick from; all of it escaped. */
export function loginFormHtml(flow: AuthorizationFlow): string {
  const { ctx, exchange } = flow;
  const hidden = Object.entries(flow.params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const tagField =
    exchange.headerTag !== undefined
      ? `<input type="hidden" name="${LOGIN_FORM_TAG_FIELD}" value="${escapeHtml(exchange.headerTag)}">`
      : '';
  const users = ctx.users
    .map(
      (u, i) =>
        `<label><input type="radio" name="${LOGIN_FORM_FIELD}" value="${i}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} &lt;${escapeHtml(u.email)}&gt;</label><br>`,
    )
    .join('\n');
  const action = escapeHtml(exchange.url.pathname);
  return `<h1>Sign in to ${escapeHtml(flow.client!.clientId)}</h1>\n<form method="post" action="${action}">\n${hidden}\n${tagField}\n${users}\n<button type="submit" id="approve">Sign in</button>\n</form>`;
}

/** Shows the login form instead of approving (setting `loginForm`); its submission comes back as `login-form`. */
export function showLoginForm(flow: AuthorizationFlow): Response {
  return htmlResponse(
    'Sign in',
    loginFormHtml(flow),
    200,
    // No form-action: browsers apply it to the redirect after the POST, which goes to the client.
    { ...noStoreHeaders(flow.ctx), ...pageSecurityHeaders(flow.ctx) },
  );
}

/** The user the person picked in the form (the first one when the field is not a valid index). */
export function readLoginForm(flow: AuthorizationFlow): void {
  const { users } = flow.ctx;
  const index = Number.parseInt(flow.form.user ?? '', 10);
  flow.user = users[Number.isInteger(index) && index >= 0 && index < users.length ? index : 0];
}
