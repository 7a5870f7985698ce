import type { ConsentPageData } from '../options/provider-options';
import { withoutBidiControls } from './bidi';
import { DECISIONS, FORM_FIELDS } from './form-contract';
import { html, type RawHtml } from './html';
import { externalLink } from './layout';
import { resourceChoiceFieldset } from './resource-choice-view';
import type { ViewContext } from './view-types';

type Translate = ViewContext<'consent'>['t'];

/** Who registered the application, and the "unverified" label for those nobody vetted. */
function registeredBy(data: ConsentPageData, t: Translate): RawHtml {
  const { application, site } = data;
  const label = application.verified
    ? html``
    : html` <span class="badge">${t.text('consent.unverified')}</span>`;
  let who: string;
  switch (application.trust) {
    case 'first-party':
      who = t.text('consent.byFirstParty', { site });
      break;
    case 'host':
      who = t.text('consent.byHost', { site });
      break;
    case 'user':
      who = t.text('consent.byUser', { who: withoutBidiControls(application.registeredBy ?? '?'), site });
      break;
    case 'dynamic':
      who = t.text('consent.byDynamic', { site });
      break;
  }
  return html`<p class="muted">${who}${label}</p>`;
}

/** The homepage: a link only when it is http(s) (`externalLink` shows anything else as text). */
function homepage(data: ConsentPageData, t: Translate): RawHtml {
  const { homepageUrl } = data.application;
  if (homepageUrl === '') return html``;
  return html`<p class="muted">${t.html('consent.homepage', { homepage: externalLink(homepageUrl) })}</p>`;
}

/**
 * The built-in consent page (view `consent`): who asks and who registered it, whether anyone
 * vetted it, where the browser goes next, for what; approve or deny. For a device (RFC 8628
 * §5.4) it says a device asks and shows the code to compare. Works without JavaScript: the form
 * posts `data.fields` to `data.action` with two submit buttons named `decision` (`approve`,
 * `deny`). Wrap it, or start from it, in a view of your own.
 */
export async function renderConsentPage(
  data: ConsentPageData,
  context: ViewContext<'consent'>,
): Promise<string> {
  const { t } = context;
  const app = withoutBidiControls(data.application.name);
  const hidden = Object.entries(data.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  const remembered = html` <span class="muted">${t.text('consent.remembered')}</span>`;
  const scopes =
    data.scopes.length === 0
      ? [html`<li>${t.text('consent.noScopes')}</li>`]
      : data.scopes.map(
          (scope) =>
            html`<li><code>${scope.name}</code> — ${scope.description}${scope.remembered ? remembered : html``}</li>`,
        );
  const who = data.user.username ?? data.user.id;
  const asks =
    data.userCode === null
      ? html`<p>${t.html('consent.wantsAccess', { app: html`<bdi>${app}</bdi>` })}</p>`
      : html`<p>${t.text('consent.deviceAsks')}</p>
<p>${t.html('consent.compareCode', { code: html`<code class="user-code">${data.userCode}</code>` })}</p>`;
  const destination =
    data.redirectHost === null
      ? html``
      : html`<p class="muted">${t.html('consent.sentTo', { host: html`<strong class="redirect-host">${data.redirectHost}</strong>` })}</p>`;
  return context.layout({
    title: t.text('consent.title', { app }),
    kind: 'flow',
    body: html`<h1>${t.html('consent.heading', { app: html`<strong><bdi>${app}</bdi></strong>` })}</h1>
${registeredBy(data, t)}${homepage(data, t)}
${asks}
<p>${t.text('consent.willBeAbleTo')}</p>
<ul>${scopes}</ul>
${destination}
<p class="muted">${t.text('consent.signedInAs', { user: who })}</p>
<form method="post" action="${data.action}">${hidden}
${data.resourceChoices.map((choice) => resourceChoiceFieldset(choice, t))}
<button class="primary" type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.approve}">${t.text('consent.approve', { app })}</button>
<button type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.deny}">${t.text('consent.deny')}</button>
</form>`,
  });
}
