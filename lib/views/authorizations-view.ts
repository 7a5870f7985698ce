import { buttonForm } from './form-fields';
import { html } from './html';
import { externalLink } from './layout';
import { formatDate, noticeBox, type SettingsFrame, scopeList, settingsPage } from './settings-layout';

/** One application the user authorized, as the page shows it. */
export interface AuthorizationRow {
  clientId: string;
  name: string;
  homepageUrl: string;
  scopes: { name: string; description: string }[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** `GET /authorizations`: the applications the user let act on their behalf, each revocable. */
export function renderAuthorizations(
  frame: SettingsFrame,
  rows: readonly AuthorizationRow[],
  notice: string | null,
): string {
  const base = frame.baseUrl;
  const body = rows.map(
    (row) => html`<tr><td><strong>${row.name}</strong><br>${externalLink(row.homepageUrl, 'small')}</td>
<td>${scopeList(row.scopes, 'Public profile information only')}</td>
<td>${formatDate(row.createdAt)}</td><td>${formatDate(row.lastUsedAt)}</td>
<td>${buttonForm(`${base}/authorizations/${encodeURIComponent(row.clientId)}/revoke`, frame.csrfToken, 'Revoke', 'danger')}</td></tr>`,
  );
  const list =
    rows.length === 0
      ? html`<p class="empty">You have not authorized any applications.</p>`
      : html`<table><thead><tr><th>Application</th><th>Access</th><th>Authorized</th><th>Last used</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
  return settingsPage(
    'Authorized applications',
    frame,
    html`${noticeBox(notice)}<h1>Authorized applications</h1>
<p class="muted">Applications you allowed to use your account. Revoking one stops all of its tokens at once; it will have to ask you again.</p>${list}`,
  );
}
