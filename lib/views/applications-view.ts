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
import { formatDate, noticeBox, type SettingsFrame, scopeList, sectionPage } from './settings-layout';
import type { ViewContext } from './view-types';

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
  context: ViewContext,
  values: ApplicationFormValues,
  errors: FieldErrors,
  scopes: readonly ScopeChoice[],
  withType: boolean,
) {
  const { t } = context;
  const type = withType
    ? radioGroup({
        name: 'client_type',
        label: t.text('applications.field.type'),
        selected: values.confidential ? 'confidential' : 'public',
        error: errors.client_type,
        choices: [
          {
            value: 'confidential',
            label: t.text('applications.confidential'),
            hint: t.text('applications.field.confidentialHint'),
          },
          {
            value: 'public',
            label: t.text('applications.public'),
            hint: t.text('applications.field.publicHint'),
          },
        ],
      })
    : html``;
  return html`${textField({ name: 'name', label: t.text('applications.field.name'), value: values.name, error: errors.name, hint: t.text('applications.field.nameHint') })}
${textField({ name: 'homepage_url', label: t.text('applications.field.homepage'), type: 'url', value: values.homepageUrl, error: errors.homepage_url })}
${textareaField({
  name: 'redirect_uris',
  label: t.text('applications.field.callbacks'),
  value: values.redirectUris,
  error: errors.redirect_uris,
  hint: t.text('applications.field.callbacksHint'),
})}
${type}
${checkboxGroup({
  name: 'scopes',
  label: t.text('applications.field.scopes'),
  choices: scopeChoices(scopes),
  checked: values.scopes,
  error: errors.scopes,
  hint: t.text('applications.field.scopesHint'),
})}`;
}

/** What the list of the user's applications shows (view `applicationList`). */
export interface ApplicationListViewData {
  frame: SettingsFrame;
  applications: readonly ApplicationRecord[];
  /** A confirmation after a redirect ("Application deleted."), in the page's language; or `null`. */
  notice: string | null;
}

/** `GET /applications`: the user's own applications and a way to register one. */
export function renderApplicationList(
  { frame, applications, notice }: ApplicationListViewData,
  context: ViewContext<'applicationList'>,
): Promise<string> {
  const { t } = context;
  const base = frame.baseUrl;
  const rows = applications.map(
    (
      application,
    ) => html`<tr><td><a href="${base}/applications/${application.id}">${application.name}</a></td>
<td><code>${application.clientId}</code></td><td>${t.text(application.confidential ? 'applications.confidential' : 'applications.public')}</td>
<td>${formatDate(application.createdAt, t.text('layout.never'))}</td></tr>`,
  );
  const list =
    applications.length === 0
      ? html`<p class="empty">${t.text('applications.empty')}</p>`
      : html`<table><thead><tr><th>${t.text('applications.column.name')}</th><th>${t.text('applications.column.clientId')}</th><th>${t.text('applications.column.type')}</th><th>${t.text('applications.column.registered')}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return sectionPage(context, 'settings', frame, {
    title: t.text('applications.title'),
    body: html`${noticeBox(notice)}<div class="title-row"><h1>${t.text('applications.title')}</h1>
<a class="button primary" href="${base}/applications/new">${t.text('applications.new')}</a></div>
<p class="muted">${t.text('applications.intro')}</p>${list}`,
  });
}

/** What the registration form shows (view `applicationNew`): empty, or as typed with the problems. */
export interface ApplicationNewViewData {
  frame: SettingsFrame;
  /** The declared scopes, with descriptions in the page's language. */
  scopes: readonly ScopeChoice[];
  values: ApplicationFormValues;
  /** Problems by form field (`name`, `homepage_url`, `redirect_uris`, `client_type`, `scopes`). */
  errors: FieldErrors;
}

/** `GET /applications/new`, and the same form again with errors after a rejected `POST`. */
export function renderNewApplication(
  data: ApplicationNewViewData,
  context: ViewContext<'applicationNew'>,
): Promise<string> {
  const { t } = context;
  const base = data.frame.baseUrl;
  return sectionPage(context, 'settings', data.frame, {
    title: t.text('applications.newTitle'),
    body: html`<p><a href="${base}/applications">${t.text('applications.back')}</a></p><h1>${t.text('applications.newTitle')}</h1>
<form method="post" action="${base}/applications" novalidate>${csrfField(data.frame.csrfToken)}
${applicationFields(context, data.values, data.errors, data.scopes, true)}
<button type="submit" class="primary">${t.text('applications.register')}</button> <a href="${base}/applications">${t.text('applications.cancel')}</a></form>`,
  });
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

/** What an application's page shows (view `applicationShow`). */
export interface ApplicationShowViewData extends ApplicationShowState {
  frame: SettingsFrame;
  application: ApplicationRecord;
  scopes: readonly ScopeChoice[];
}

function secretBox(context: ViewContext, state: ApplicationShowState): RawHtml {
  const { t } = context;
  if (state.secret !== null) {
    return html`<div class="once" role="alert"><strong>${t.text('applications.secretCopy')}</strong> ${t.text('applications.secretOnce')}
<code id="client-secret">${state.secret}</code>
<span class="small">${t.text('applications.secretLost')}</span></div>`;
  }
  if (state.justCreated) {
    return html`<div class="notice" role="status">${t.text('applications.createdPublic')}</div>`;
  }
  return html``;
}

function dangerZone(context: ViewContext, frame: SettingsFrame, application: ApplicationRecord): RawHtml {
  const { t } = context;
  const action = `${frame.baseUrl}/applications/${application.id}`;
  const reset = application.confidential
    ? html`<p>${t.text('applications.resetExplanation')}</p>
${buttonForm(`${action}/reset-secret`, frame.csrfToken, t.text('applications.resetSecret'), 'danger')}`
    : html``;
  return html`<h2>${t.text('applications.dangerZone')}</h2><div class="danger-zone">${reset}
<p>${t.text('applications.revokeExplanation')}</p>
${buttonForm(`${action}/revoke-tokens`, frame.csrfToken, t.text('applications.revokeTokens'), 'danger')}
<p>${t.text('applications.deleteExplanation')}</p>
${buttonForm(`${action}/delete`, frame.csrfToken, t.text('applications.delete'), 'danger')}</div>`;
}

/** The edit form and the destructive actions: only for what a user registered here (trust `user`). */
function editSections(context: ViewContext, data: ApplicationShowViewData): RawHtml {
  const { t } = context;
  const { frame, application, scopes } = data;
  return html`<h2>${t.text('applications.settings')}</h2>
<form method="post" action="${frame.baseUrl}/applications/${application.id}" novalidate>${csrfField(frame.csrfToken)}
${applicationFields(context, data.values, data.errors, scopes, false)}
<button type="submit" class="primary">${t.text('applications.update')}</button></form>
${dangerZone(context, frame, application)}`;
}

/** `GET /applications/:id`: credentials, settings (editable) and the destructive actions. */
export function renderApplicationShow(
  data: ApplicationShowViewData,
  context: ViewContext<'applicationShow'>,
): Promise<string> {
  const { t } = context;
  const { frame, application, scopes } = data;
  const base = frame.baseUrl;
  const allowed = scopes.filter((scope) => application.scopes.includes(scope.name));
  return sectionPage(context, 'settings', frame, {
    title: application.name,
    body: html`<p><a href="${base}/applications">${t.text('applications.back')}</a></p>${noticeBox(data.notice)}
<h1>${application.name}</h1>${secretBox(context, data)}
<h2>${t.text('applications.credentials')}</h2><dl class="facts">
<dt>${t.text('applications.column.clientId')}</dt><dd><code id="client-id">${application.clientId}</code></dd>
<dt>${t.text('applications.clientSecret')}</dt><dd>${application.confidential ? html`<span class="muted">${t.text('applications.secretHidden')}</span>` : html`<span class="muted">${t.text('applications.noSecret')}</span>`}</dd>
<dt>${t.text('applications.field.type')}</dt><dd>${t.text(application.confidential ? 'applications.confidential' : 'applications.public')}</dd>
<dt>${t.text('applications.callbackUrls')}</dt><dd><ul class="plain">${application.redirectUris.map((uri) => html`<li><code>${uri}</code></li>`)}</ul></dd>
<dt>${t.text('applications.allowedScopes')}</dt><dd>${scopeList(allowed, t.text('applications.everyScope'))}</dd>
<dt>${t.text('applications.registered')}</dt><dd>${formatDate(application.createdAt, t.text('layout.never'))}</dd></dl>
${application.trust === 'user' ? editSections(context, data) : html`<div class="notice" role="status">${t.text('applications.managed')}</div>`}`,
  });
}
