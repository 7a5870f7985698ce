import { buttonForm } from './form-fields';
import { html } from './html';
import { externalLink } from './layout';
import { formatDate, noticeBox, type SettingsFrame, scopeList, sectionPage } from './settings-layout';
import type { ViewContext } from './view-types';

/** One application the user authorized, as the page shows it. */
export interface AuthorizationRow {
  clientId: string;
  name: string;
  homepageUrl: string;
  /** The granted scopes, with descriptions in the page's language. */
  scopes: { name: string; description: string }[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** What the authorized applications page shows (view `authorizations`). */
export interface AuthorizationsViewData {
  frame: SettingsFrame;
  rows: readonly AuthorizationRow[];
  notice: string | null;
}

/** `GET /authorizations`: the applications the user let act on their behalf, each revocable. */
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
<td>${scopeList(row.scopes, t.text('authorizations.noScopes'))}</td>
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
