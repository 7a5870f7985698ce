import type { ConsentPageData } from '../options/provider-options';
import { html } from './html';
import { documentPage, externalLink } from './layout';

/** The built-in consent page: who asks, for what, approve or deny. Works without JavaScript. */
export function renderConsentPage(data: ConsentPageData): string {
  const hidden = Object.entries(data.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const scopes =
    data.scopes.length === 0
      ? [html`<li>Read your public profile information</li>`]
      : data.scopes.map((scope) => html`<li><code>${scope.name}</code> — ${scope.description}</li>`);
  const who = data.user.username ?? data.user.id;
  return documentPage(
    `Authorize ${data.application.name}`,
    html`<h1>Authorize <strong>${data.application.name}</strong></h1>
<p>${externalLink(data.application.homepageUrl)} wants to access your account.</p>
<p>It will be able to:</p>
<ul>${scopes}</ul>
<p class="muted">Signed in as ${who}.</p>
<form method="post" action="${data.action}">${hidden}
<button class="primary" type="submit" name="decision" value="approve">Authorize ${data.application.name}</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}
