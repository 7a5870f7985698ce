import type { Translator } from '../messages/translator';
import type { ConsentResourceChoice } from '../options/provider-options';
import { buttonForm, csrfField } from './form-fields';
import { html, type RawHtml } from './html';
import { externalLink } from './layout';
import { resourceChoiceFieldset } from './resource-choice-view';
import { formatDate, noticeBox, type SettingsFrame, scopeList, sectionPage } from './settings-layout';
import type { ViewContext } from './view-types';

/** One resource-scoped scope of a grant as the authorizations page shows it. */
export interface AuthorizationResourceAccess {
  scope: string;
  /** The type's plural ("repositories"). */
  typeName: string;
  /** `null`: all current and future resources of the type; else the chosen ones. */
  chosen: { id: string; name: string }[] | null;
  /**
   * The narrowing form's fieldset: for a scope on all resources, "all" (checked) or "only these"
   * over the user's resources; for a restricted one, the chosen resources, all checked — the form
   * narrows, it never widens.
   */
  choice: ConsentResourceChoice;
}

/** One application the user authorized, as the page shows it. */
export interface AuthorizationRow {
  clientId: string;
  name: string;
  homepageUrl: string;
  /** The granted scopes, with descriptions in the page's language. */
  scopes: { name: string; description: string }[];
  /** Per resource-scoped scope of the grant: all resources, or the chosen ones, and the narrowing form. */
  resources: AuthorizationResourceAccess[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** What the authorized applications page shows (view `authorizations`). */
export interface AuthorizationsViewData {
  frame: SettingsFrame;
  rows: readonly AuthorizationRow[];
  notice: string | null;
}

/** What each resource-scoped scope may touch: "all current and future", or the chosen ones by name. */
function resourceSummary(access: AuthorizationResourceAccess, t: Translator): RawHtml {
  const type = access.typeName;
  const what =
    access.chosen === null
      ? t.text('consent.resourcesAll', { type })
      : access.chosen.length === 0
        ? t.text('authorizations.resourcesNone', { type })
        : access.chosen.map((resource) => resource.name).join(', ');
  return html`<p class="small resource-access"><code>${access.scope}</code>: ${what}</p>`;
}

/**
 * The narrowing form of one authorization (no JavaScript: a disclosure and a form): per
 * resource-scoped scope, the resources to keep. It posts to `…/narrow`.
 */
function narrowForm(row: AuthorizationRow, base: string, csrfToken: string, t: Translator): RawHtml {
  if (row.resources.length === 0) return html``;
  const action = `${base}/authorizations/${encodeURIComponent(row.clientId)}/narrow`;
  return html`<details class="narrow"><summary>${t.text('authorizations.narrow')}</summary>
<form method="post" action="${action}">${csrfField(csrfToken)}
<p class="muted small">${t.text('authorizations.narrowHint')}</p>
${row.resources.map((access) => resourceChoiceFieldset(access.choice, t, { allowAll: access.chosen === null }))}
<button type="submit">${t.text('authorizations.narrowSave')}</button></form></details>`;
}

/** `GET /authorizations`: the applications the user let act on their behalf, each revocable and narrowable. */
export function renderAuthorizations(
  data: AuthorizationsViewData,
  context: ViewContext<'authorizations'>,
): Promise<string> {
  const { t } = context;
  const { frame, rows } = data;
  const base = frame.baseUrl;
  const never = t.text('layout.never');
  const body = rows.map(
    (row) => html`<tr><td><strong>${row.name}</strong><br>${externalLink(row.homepageUrl, 'small')}</td>
<td>${scopeList(row.scopes, t.text('authorizations.noScopes'))}${row.resources.map((access) => resourceSummary(access, t))}${narrowForm(row, base, frame.csrfToken, t)}</td>
<td>${formatDate(row.createdAt, never)}</td><td>${formatDate(row.lastUsedAt, never)}</td>
<td>${buttonForm(`${base}/authorizations/${encodeURIComponent(row.clientId)}/revoke`, frame.csrfToken, t.text('authorizations.revoke'), 'danger')}</td></tr>`,
  );
  const list =
    rows.length === 0
      ? html`<p class="empty">${t.text('authorizations.empty')}</p>`
      : html`<table><thead><tr><th>${t.text('authorizations.column.application')}</th><th>${t.text('authorizations.column.access')}</th><th>${t.text('authorizations.column.authorized')}</th><th>${t.text('authorizations.column.lastUsed')}</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
  return sectionPage(context, 'settings', frame, {
    title: t.text('authorizations.title'),
    body: html`${noticeBox(data.notice)}<h1>${t.text('authorizations.title')}</h1>
<p class="muted">${t.text('authorizations.intro')}</p>${list}`,
  });
}
