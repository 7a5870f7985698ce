import type { ApplicationRecord, TokenKind } from '../storage/storage-adapter';
import type { AuthorizationRow } from './authorizations-view';
import { buttonForm } from './form-fields';
import { html, type RawHtml } from './html';
import { externalLink } from './layout';
import { type AdminFrame, formatDate, noticeBox, scopeList, sectionPage } from './settings-layout';
import type { ViewContext } from './view-types';

/** What the list of every application shows (view `adminApplications`). */
export interface AdminApplicationsViewData {
  frame: AdminFrame;
  /** One page of applications, oldest first. */
  applications: readonly ApplicationRecord[];
  /** The address of the next page, or `null` on the last one. */
  next: string | null;
  notice: string | null;
}

/** What one application's admin page shows (view `adminApplication`). */
export interface AdminApplicationViewData {
  frame: AdminFrame;
  application: ApplicationRecord;
  /** Its allowed scopes with descriptions in the page's language (empty: every scope). */
  scopes: readonly { name: string; description: string }[];
  notice: string | null;
}

/** What the user look-up page shows (view `adminUsers`). */
export interface AdminUsersViewData {
  frame: AdminFrame;
}

/**
 * One application a user authorized, on the user's admin page: the same row as the user's own
 * page, without the narrowing form (narrowing is the user's choice; an operator revokes).
 */
export type AdminAuthorizationRow = Omit<AuthorizationRow, 'resources'>;

/** One live token of a user, on the user's admin page (never its secret). */
export interface AdminTokenRow {
  id: string;
  kind: Extract<TokenKind, 'access' | 'refresh' | 'personal'>;
  /** The application it was issued to; `null` for personal tokens. */
  application: { id: string; name: string } | null;
  /** A personal token's name; `null` otherwise. */
  name: string | null;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

/** What a user's admin page shows (view `adminUser`). */
export interface AdminUserViewData {
  frame: AdminFrame;
  userId: string;
  /** The user's name from the host's `findUser`, or `null`. */
  username: string | null;
  authorizations: readonly AdminAuthorizationRow[];
  tokens: readonly AdminTokenRow[];
  notice: string | null;
}

const TRUST_LABELS = {
  'first-party': 'admin.trust.firstParty',
  host: 'admin.trust.host',
  user: 'admin.trust.user',
  dynamic: 'admin.trust.dynamic',
} as const;

/** The application's trust level, as words (it decides consent and error redirects; see "Client trust"). */
function trustLabel(context: ViewContext, application: ApplicationRecord): string {
  const label = context.t.text(TRUST_LABELS[application.trust]);
  return application.skipConsent ? `${label} · ${context.t.text('admin.application.consentSkipped')}` : label;
}

function ownerCell(context: ViewContext, frame: AdminFrame, ownerId: string | null): RawHtml {
  if (ownerId === null)
    return html`<span class="muted">${context.t.text('admin.applications.hostOwned')}</span>`;
  return html`<a href="${frame.baseUrl}/users/${encodeURIComponent(ownerId)}"><code>${ownerId}</code></a>`;
}

/** `GET /applications`: every application, a page at a time. */
export function renderAdminApplications(
  data: AdminApplicationsViewData,
  context: ViewContext<'adminApplications'>,
): Promise<string> {
  const { t } = context;
  const { frame } = data;
  const rows = data.applications.map(
    (
      application,
    ) => html`<tr><td><a href="${frame.baseUrl}/applications/${application.id}">${application.name}</a></td>
<td><code>${application.clientId}</code></td><td>${ownerCell(context, frame, application.ownerId)}</td>
<td class="trust">${trustLabel(context, application)}</td>
<td>${t.text(application.confidential ? 'applications.confidential' : 'applications.public')}</td>
<td>${formatDate(application.createdAt, t.text('layout.never'))}</td></tr>`,
  );
  const list =
    data.applications.length === 0
      ? html`<p class="empty">${t.text('admin.applications.empty')}</p>`
      : html`<table><thead><tr><th>${t.text('applications.column.name')}</th><th>${t.text('applications.column.clientId')}</th><th>${t.text('admin.applications.column.owner')}</th><th>${t.text('admin.applications.column.trust')}</th><th>${t.text('applications.column.type')}</th><th>${t.text('applications.column.registered')}</th></tr></thead><tbody>${rows}</tbody></table>`;
  const next =
    data.next === null
      ? html``
      : html`<p><a class="button" rel="next" href="${data.next}">${t.text('admin.applications.next')}</a></p>`;
  return sectionPage(context, 'admin', frame, {
    title: t.text('admin.applications.title'),
    body: html`${noticeBox(data.notice)}<h1>${t.text('admin.applications.title')}</h1>
<p class="muted">${t.text('admin.applications.intro')}</p>${list}${next}`,
  });
}

/** `GET /applications/:id`: the application, and revoking its tokens or deleting it. */
export function renderAdminApplication(
  { frame, application, scopes, notice }: AdminApplicationViewData,
  context: ViewContext<'adminApplication'>,
): Promise<string> {
  const { t } = context;
  const never = t.text('layout.never');
  const action = `${frame.baseUrl}/applications/${application.id}`;
  return sectionPage(context, 'admin', frame, {
    title: application.name,
    body: html`<p><a href="${frame.baseUrl}/applications">← ${t.text('admin.applications.title')}</a></p>${noticeBox(notice)}
<h1>${application.name}</h1><dl class="facts">
<dt>${t.text('applications.column.clientId')}</dt><dd><code id="client-id">${application.clientId}</code></dd>
<dt>${t.text('admin.application.owner')}</dt><dd>${ownerCell(context, frame, application.ownerId)}</dd>
<dt>${t.text('admin.applications.column.trust')}</dt><dd class="trust">${trustLabel(context, application)}</dd>
<dt>${t.text('applications.field.homepage')}</dt><dd>${externalLink(application.homepageUrl)}</dd>
<dt>${t.text('applications.field.type')}</dt><dd>${t.text(application.confidential ? 'applications.confidential' : 'applications.public')}</dd>
<dt>${t.text('applications.callbackUrls')}</dt><dd><ul class="plain">${application.redirectUris.map((uri) => html`<li><code>${uri}</code></li>`)}</ul></dd>
<dt>${t.text('applications.allowedScopes')}</dt><dd>${scopeList(scopes, t.text('applications.everyScope'))}</dd>
<dt>${t.text('applications.registered')}</dt><dd>${formatDate(application.createdAt, never)}</dd>
<dt>${t.text('admin.application.updated')}</dt><dd>${formatDate(application.updatedAt, never)}</dd></dl>
<h2>${t.text('applications.dangerZone')}</h2><div class="danger-zone">
<p>${t.text('admin.application.revokeExplanation')}</p>
${buttonForm(`${action}/revoke-tokens`, frame.csrfToken, t.text('applications.revokeTokens'), 'danger')}
<p>${t.text('admin.application.deleteExplanation')}</p>
${buttonForm(`${action}/delete`, frame.csrfToken, t.text('applications.delete'), 'danger')}</div>`,
  });
}

/** `GET /users`: a form to look a user up by id. */
export function renderAdminUsers(
  data: AdminUsersViewData,
  context: ViewContext<'adminUsers'>,
): Promise<string> {
  const { t } = context;
  return sectionPage(context, 'admin', data.frame, {
    title: t.text('admin.users.title'),
    body: html`<h1>${t.text('admin.users.title')}</h1><p class="muted">${t.text('admin.users.intro')}</p>
<form method="get" action="${data.frame.baseUrl}/users"><div class="field"><label for="id">${t.text('admin.users.field')}</label>
<input type="text" id="id" name="id" required maxlength="200"></div>
<button type="submit" class="primary">${t.text('admin.users.show')}</button></form>`,
  });
}

/** `GET /users/:userId`: what the user authorized and their live tokens, each revocable. */
export function renderAdminUser(data: AdminUserViewData, context: ViewContext<'adminUser'>): Promise<string> {
  const { t } = context;
  const { frame } = data;
  const never = t.text('layout.never');
  const userPath = `${frame.baseUrl}/users/${encodeURIComponent(data.userId)}`;
  const who = data.username === null ? data.userId : `${data.username} (${data.userId})`;
  const grants =
    data.authorizations.length === 0
      ? html`<p class="empty">${t.text('admin.user.noAuthorizations')}</p>`
      : html`<table><thead><tr><th>${t.text('authorizations.column.application')}</th><th>${t.text('authorizations.column.access')}</th><th>${t.text('authorizations.column.authorized')}</th><th>${t.text('authorizations.column.lastUsed')}</th><th></th></tr></thead><tbody>${data.authorizations.map(
          (
            row,
          ) => html`<tr><td><strong>${row.name}</strong><br><code class="small">${row.clientId}</code></td>
<td>${scopeList(row.scopes, t.text('authorizations.noScopes'))}</td>
<td>${formatDate(row.createdAt, never)}</td><td>${formatDate(row.lastUsedAt, never)}</td>
<td>${buttonForm(`${userPath}/authorizations/${encodeURIComponent(row.clientId)}/revoke`, frame.csrfToken, t.text('authorizations.revoke'), 'danger')}</td></tr>`,
        )}</tbody></table>`;
  const tokens =
    data.tokens.length === 0
      ? html`<p class="empty">${t.text('admin.user.noTokens')}</p>`
      : html`<table><thead><tr><th>${t.text('admin.user.column.kind')}</th><th>${t.text('authorizations.column.application')}</th><th>${t.text('tokens.column.scopes')}</th><th>${t.text('tokens.column.created')}</th><th>${t.text('tokens.column.lastUsed')}</th><th>${t.text('tokens.column.expires')}</th><th></th></tr></thead><tbody>${data.tokens.map(
          (token) => html`<tr><td>${t.text(`admin.user.kind.${token.kind}`)}</td>
<td>${token.application === null ? html`<span class="muted">${token.name ?? t.text('admin.user.personal')}</span>` : html`<a href="${frame.baseUrl}/applications/${token.application.id}">${token.application.name}</a>`}</td>
<td>${token.scopes.map((scope) => html`<code>${scope}</code> `)}</td>
<td>${formatDate(token.createdAt, never)}</td><td>${formatDate(token.lastUsedAt, never)}</td><td>${formatDate(token.expiresAt, t.text('tokens.neverExpires'))}</td>
<td>${buttonForm(`${userPath}/tokens/${token.id}/revoke`, frame.csrfToken, t.text('tokens.revoke'), 'danger')}</td></tr>`,
        )}</tbody></table>`;
  return sectionPage(context, 'admin', frame, {
    title: t.text('admin.user.title', { user: who }),
    body: html`<p><a href="${frame.baseUrl}/users">← ${t.text('admin.users.title')}</a></p>${noticeBox(data.notice)}
<h1>${t.text('admin.user.title', { user: who })}</h1>
<h2>${t.text('admin.user.authorizations')}</h2>${grants}
<h2>${t.text('admin.user.tokens')}</h2>${tokens}`,
  });
}
