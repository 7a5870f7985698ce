import type { ConsentPageData } from '../options/provider-options';
import { html, type RawHtml } from './html';
import { documentPage, externalLink } from './layout';

/**
 * Every sentence the consent page says, in one place (the message catalog of a later version
 * takes them from here). Interpolated values are escaped by `html`.
 */
const TEXT = {
  title: (name: string) => `Authorize ${name}`,
  unverified: 'Unverified',
  registeredBy: {
    'first-party': (site: string) => `An application of ${site}.`,
    host: (site: string) => `Registered by ${site}.`,
    user: (who: string, site: string) =>
      `Registered by ${who}, a user of ${site}. ${site} has not verified it.`,
    dynamic: (site: string) => `Registered by the application itself. ${site} has not verified it.`,
  },
  homepage: 'Homepage:',
  wantsAccess: 'wants to access your account.',
  deviceAsks: 'A device is asking for access to your account.',
  compareCode: 'Continue only if your device shows this code:',
  willBeAbleTo: 'It will be able to:',
  defaultScope: 'Read your public profile information',
  remembered: '(approved before)',
  sentTo: 'Either way, you will then be sent to',
  signedInAs: (who: string) => `Signed in as ${who}.`,
  approve: (name: string) => `Authorize ${name}`,
  deny: 'Deny',
} as const;

/**
 * Bidirectional-override and isolate characters (U+202A–202E, U+2066–2069) and the invisible
 * marks (U+200E, U+200F, U+061C), removed: they let a name display in another order than it is
 * stored ("evil" shown as "live", a fake "(verified)" suffix).
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Text a registrant chose (an application's or a user's name), with bidi controls removed. */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

function registeredBy(data: ConsentPageData): RawHtml {
  const { application, site } = data;
  const label = application.verified ? html`` : html` <span class="badge">${TEXT.unverified}</span>`;
  const lines = TEXT.registeredBy;
  const who =
    application.trust === 'user'
      ? lines.user(withoutBidiControls(application.registeredBy ?? '?'), site)
      : lines[application.trust](site);
  return html`<p class="muted">${who}${label}</p>`;
}

function homepage(data: ConsentPageData): RawHtml {
  const { homepageUrl } = data.application;
  if (homepageUrl === '') return html``;
  return html`<p class="muted">${TEXT.homepage} ${externalLink(homepageUrl)}</p>`;
}

/** The built-in consent page: who asks, for what, approve or deny. Works without JavaScript. */
export function renderConsentPage(data: ConsentPageData): string {
  const name = withoutBidiControls(data.application.name);
  const hidden = Object.entries(data.fields).map(
    ([field, value]) => html`<input type="hidden" name="${field}" value="${value}">`,
  );
  const scopes =
    data.scopes.length === 0
      ? [html`<li>${TEXT.defaultScope}</li>`]
      : data.scopes.map(
          (scope) =>
            html`<li><code>${scope.name}</code> — ${scope.description}${scope.remembered ? html` <span class="muted">${TEXT.remembered}</span>` : html``}</li>`,
        );
  const who = data.user.username ?? data.user.id;
  const asks =
    data.userCode === null
      ? html`<p><bdi>${name}</bdi> ${TEXT.wantsAccess}</p>`
      : html`<p>${TEXT.deviceAsks}</p><p>${TEXT.compareCode} <code class="user-code">${data.userCode}</code></p>`;
  const destination =
    data.redirectHost === null
      ? html``
      : html`<p class="muted">${TEXT.sentTo} <strong class="redirect-host">${data.redirectHost}</strong>.</p>`;
  return documentPage(
    TEXT.title(name),
    html`<h1>Authorize <strong><bdi>${name}</bdi></strong></h1>
${registeredBy(data)}${homepage(data)}
${asks}
<p>${TEXT.willBeAbleTo}</p>
<ul>${scopes}</ul>
${destination}
<p class="muted">${TEXT.signedInAs(who)}</p>
<form method="post" action="${data.action}">${hidden}
<button class="primary" type="submit" name="decision" value="approve">${TEXT.approve(name)}</button>
<button type="submit" name="decision" value="deny">${TEXT.deny}</button>
</form>`,
  );
}
