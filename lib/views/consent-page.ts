import type { Translator } from '../messages/translator';
import type { ConsentPageData, ConsentResourceChoice } from '../options/provider-options';
import { DECISIONS, FORM_FIELDS, RESOURCE_FIELDS } from './form-contract';
import { html, type RawHtml } from './html';
import { externalLink } from './layout';
import type { ViewContext } from './view-types';

/**
 * The built-in consent page (view `consent`): who asks, for what, approve or deny. Works without
 * JavaScript: the form posts `data.fields` to `data.action` with two submit buttons named
 * `decision` (`approve`, `deny`). Wrap it, or start from it, in a view of your own.
 */
/**
 * "All current and future <type>" (checked unless the request named resources) or "only these",
 * with one checkbox per resource (its value the resource id) and, when the host has more, a
 * "show more" submit button: no JavaScript needed.
 */
function resourceChoice(choice: ConsentResourceChoice, t: Translator): RawHtml {
  const type = choice.typeName;
  const radio = (value: string, label: string, checked: boolean) =>
    html`<label class="choice"><input type="radio" name="${choice.field}" value="${value}"${checked ? html` checked` : html``}><span>${label}</span></label>`;
  const items =
    choice.items.length === 0
      ? html`<p class="muted">${t.text('consent.resourcesNone', { type })}</p>`
      : html`<ul class="resources">${choice.items.map(
          (item) =>
            html`<li><label class="choice"><input type="checkbox" name="${item.field}" value="${item.id}"${item.checked ? html` checked` : html``}><span><strong>${item.name}</strong>${item.badge === undefined ? html`` : html` <span class="badge">${item.badge}</span>`}${item.description === undefined ? html`` : html` <span class="muted small">${item.description}</span>`}</span></label></li>`,
        )}</ul>`;
  const more = choice.more
    ? html`<button type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.more}">${t.text('consent.resourcesMore', { type })}</button>`
    : html``;
  return html`<fieldset class="resource-choice"><legend>${t.text('consent.resourcesLegend', { type, scope: choice.scope })}</legend>
${radio(RESOURCE_FIELDS.all, t.text('consent.resourcesAll', { type }), choice.choice === 'all')}
${radio(RESOURCE_FIELDS.selected, t.text('consent.resourcesSelected', { type }), choice.choice === 'selected')}
${items}${more}</fieldset>`;
}

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
${data.resourceChoices.map((choice) => resourceChoice(choice, t))}
<button class="primary" type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.approve}">${t.text('consent.approve', { app })}</button>
<button type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.deny}">${t.text('consent.deny')}</button>
</form>`,
  });
}
