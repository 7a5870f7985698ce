import type { ApplicationRecord } from '../storage/storage-adapter';
import {
  buttonForm,
  type Choice,
  checkboxGroup,
  csrfField,
  type FieldErrors,
  radioGroup,
  textareaField,
  textField,
} from './form-fields';
import { html, type RawHtml } from './html';
import { formatDate, noticeBox, type SettingsFrame, scopeList, settingsPage } from './settings-layout';

/** A declared scope as the forms show it. */
export interface ScopeChoice {
  name: string;
  description: string;
}

/** What the application form shows: the stored values, or what the user just typed. */
export interface ApplicationFormValues {
  name: string;
  homepageUrl: string;
  /** The textarea's text: one callback URL per line. */
  redirectUris: string;
  confidential: boolean;
  scopes: string[];
}

/** Values for the edit form of a stored application. */
export function applicationFormValues(application: ApplicationRecord): ApplicationFormValues {
  return {
    name: application.name,
    homepageUrl: application.homepageUrl,
    redirectUris: application.redirectUris.join('\n'),
    confidential: application.confidential,
    scopes: [...application.scopes],
  };
}

function scopeChoices(scopes: readonly ScopeChoice[]): Choice[] {
  return scopes.map((scope) => ({ value: scope.name, label: scope.name, hint: scope.description }));
}

/** Name, homepage, callbacks and scopes; the client type only at registration (it cannot change). */
function applicationFields(
  values: ApplicationFormValues,
  errors: FieldErrors,
  scopes: readonly ScopeChoice[],
  withType: boolean,
) {
  const type = withType
    ? radioGroup({
        name: 'client_type',
        label: 'Client type',
        selected: values.confidential ? 'confidential' : 'public',
        error: errors.client_type,
        choices: [
          {
            value: 'confidential',
            label: 'Confidential',
            hint: 'a server-side app that can keep a client secret',
          },
          {
            value: 'public',
            label: 'Public',
            hint: 'a browser, mobile or desktop app: no secret, must use PKCE',
          },
        ],
      })
    : html``;
  return html`${textField({ name: 'name', label: 'Application name', value: values.name, error: errors.name, hint: 'Users see this on the consent page.' })}
${textField({ name: 'homepage_url', label: 'Homepage URL', type: 'url', value: values.homepageUrl, error: errors.homepage_url })}
${textareaField({
  name: 'redirect_uris',
  label: 'Authorization callback URLs',
  value: values.redirectUris,
  error: errors.redirect_uris,
  hint: 'One per line. https, or http only for localhost, 127.0.0.1 and [::1]; for a public (native) app also a private-use scheme such as com.example.app:/oauth2redirect; no #fragment.',
})}
${type}
${checkboxGroup({
  name: 'scopes',
  label: 'Allowed scopes',
  choices: scopeChoices(scopes),
  checked: values.scopes,
  error: errors.scopes,
  hint: 'The scopes this application may request. Leave all unchecked to allow every scope.',
})}`;
}

/** `GET /applications`: the user's own applications and a way to register one. */
export function renderApplicationList(
  frame: SettingsFrame,
  applications: readonly ApplicationRecord[],
  notice: string | null,
): string {
  const base = frame.baseUrl;
  const rows = applications.map(
    (
      application,
    ) => html`<tr><td><a href="${base}/applications/${application.id}">${application.name}</a></td>
<td><code>${application.clientId}</code></td><td>${application.confidential ? 'Confidential' : 'Public'}</td>
<td>${formatDate(application.createdAt)}</td></tr>`,
  );
  const list =
    applications.length === 0
      ? html`<p class="empty">You have not registered any OAuth applications yet.</p>`
      : html`<table><thead><tr><th>Name</th><th>Client ID</th><th>Type</th><th>Registered</th></tr></thead><tbody>${rows}</tbody></table>`;
  return settingsPage(
    'OAuth applications',
    frame,
    html`${noticeBox(notice)}<div class="title-row"><h1>OAuth applications</h1>
<a class="button primary" href="${base}/applications/new">New application</a></div>
<p class="muted">Applications you registered to use this site's API on behalf of its users.</p>${list}`,
  );
}

/** `GET /applications/new`, and the same form again with errors after a rejected `POST`. */
export function renderNewApplication(
  frame: SettingsFrame,
  scopes: readonly ScopeChoice[],
  values: ApplicationFormValues,
  errors: FieldErrors,
): string {
  const base = frame.baseUrl;
  return settingsPage(
    'Register a new OAuth application',
    frame,
    html`<p><a href="${base}/applications">← OAuth applications</a></p><h1>Register a new OAuth application</h1>
<form method="post" action="${base}/applications" novalidate>${csrfField(frame.csrfToken)}
${applicationFields(values, errors, scopes, true)}
<button type="submit" class="primary">Register application</button> <a href="${base}/applications">Cancel</a></form>`,
  );
}

/** What the show page adds around the application: a secret shown once, a notice, a rejected edit. */
export interface ApplicationShowState {
  /** A client secret to show this one time (after registration or a reset), or `null`. */
  secret: string | null;
  /** Just registered: say so, and for a public client explain it has no secret. */
  justCreated: boolean;
  notice: string | null;
  values: ApplicationFormValues;
  errors: FieldErrors;
}

function secretBox(state: ApplicationShowState): RawHtml {
  if (state.secret !== null) {
    return html`<div class="once" role="alert"><strong>Copy your new client secret now.</strong> It is shown only this once:
we store only a hash of it, so nobody can show it to you again. Keep it out of URLs, logs and source control.
<code id="client-secret">${state.secret}</code>
<span class="small">If you lose it, reset it below; the old one stops working at once.</span></div>`;
  }
  if (state.justCreated) {
    return html`<div class="notice" role="status">Application registered. It is a public client: it has no secret and must use PKCE (S256).</div>`;
  }
  return html``;
}

function dangerZone(frame: SettingsFrame, application: ApplicationRecord): RawHtml {
  const action = `${frame.baseUrl}/applications/${application.id}`;
  const reset = application.confidential
    ? html`<p>Issue a new client secret. The current one stops working immediately.</p>
${buttonForm(`${action}/reset-secret`, frame.csrfToken, 'Reset client secret', 'danger')}`
    : html``;
  return html`<h2>Danger zone</h2><div class="danger-zone">${reset}
<p>Revoke every access and refresh token issued to this application, for every user.</p>
${buttonForm(`${action}/revoke-tokens`, frame.csrfToken, 'Revoke all user tokens', 'danger')}
<p>Delete the application: its tokens stop working and users' authorizations are removed.</p>
${buttonForm(`${action}/delete`, frame.csrfToken, 'Delete application', 'danger')}</div>`;
}

/** Host-managed applications (configured, created by host code, first-party) change only in host code. */
const managedNotice = html`<div class="notice" role="status">This application is managed by the site itself: it cannot be changed or deleted here.</div>`;

function editSections(
  frame: SettingsFrame,
  application: ApplicationRecord,
  scopes: readonly ScopeChoice[],
  state: ApplicationShowState,
): RawHtml {
  return html`<h2>Settings</h2>
<form method="post" action="${frame.baseUrl}/applications/${application.id}" novalidate>${csrfField(frame.csrfToken)}
${applicationFields(state.values, state.errors, scopes, false)}
<button type="submit" class="primary">Update application</button></form>
${dangerZone(frame, application)}`;
}

/** `GET /applications/:id`: credentials, settings (editable) and the destructive actions. */
export function renderApplicationShow(
  frame: SettingsFrame,
  application: ApplicationRecord,
  scopes: readonly ScopeChoice[],
  state: ApplicationShowState,
): string {
  const base = frame.baseUrl;
  const allowed = scopes.filter((scope) => application.scopes.includes(scope.name));
  return settingsPage(
    application.name,
    frame,
    html`<p><a href="${base}/applications">← OAuth applications</a></p>${noticeBox(state.notice)}
<h1>${application.name}</h1>${secretBox(state)}
<h2>Credentials</h2><dl class="facts">
<dt>Client ID</dt><dd><code id="client-id">${application.clientId}</code></dd>
<dt>Client secret</dt><dd>${application.confidential ? html`<span class="muted">Hidden; shown only when created or reset</span>` : html`<span class="muted">None (public client, PKCE required)</span>`}</dd>
<dt>Client type</dt><dd>${application.confidential ? 'Confidential' : 'Public'}</dd>
<dt>Callback URLs</dt><dd><ul class="plain">${application.redirectUris.map((uri) => html`<li><code>${uri}</code></li>`)}</ul></dd>
<dt>Allowed scopes</dt><dd>${scopeList(allowed, 'Every scope')}</dd>
<dt>Registered</dt><dd>${formatDate(application.createdAt)}</dd></dl>
${application.trust === 'user' ? editSections(frame, application, scopes, state) : managedNotice}`,
  );
}
