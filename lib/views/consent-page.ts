import type { ConsentPageData } from '../options/provider-options';
import { DECISIONS, FORM_FIELDS } from './form-contract';
import { html } from './html';
import { externalLink } from './layout';
import type { ViewContext } from './view-types';

/**
 * The built-in consent page (view `consent`): who asks, for what, approve or deny. Works without
 * JavaScript: the form posts `data.fields` to `data.action` with two submit buttons named
 * `decision` (`approve`, `deny`). Wrap it, or start from it, in a view of your own.
 */
export async function renderConsentPage(
  data: ConsentPageData,
  context: ViewContext<'consent'>,
): Promise<string> {
  const { t } = context;
  const app = data.application.name;
  const hidden = Object.entries(data.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const scopes =
    data.scopes.length === 0
      ? [html`<li>${t.text('consent.noScopes')}</li>`]
      : data.scopes.map((scope) => html`<li><code>${scope.name}</code> — ${scope.description}</li>`);
  const who = data.user.username ?? data.user.id;
  return context.layout({
    title: t.text('consent.title', { app }),
    kind: 'flow',
    body: html`<h1>${t.html('consent.heading', { app: html`<strong>${app}</strong>` })}</h1>
<p>${t.html('consent.wantsAccess', { homepage: externalLink(data.application.homepageUrl) })}</p>
<p>${t.text('consent.willBeAbleTo')}</p>
<ul>${scopes}</ul>
<p class="muted">${t.text('consent.signedInAs', { user: who })}</p>
<form method="post" action="${data.action}">${hidden}
<button class="primary" type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.approve}">${t.text('consent.approve', { app })}</button>
<button type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.deny}">${t.text('consent.deny')}</button>
</form>`,
  });
}
