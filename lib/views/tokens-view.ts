import type { Translator } from '../messages/translator';
import type { ConsentResourceChoice } from '../options/provider-options';
import type { ResourceSelection, TokenRecord } from '../storage/storage-adapter';
import {
  buttonForm,
  checkboxGroup,
  csrfField,
  type FieldErrors,
  selectField,
  textField,
} from './form-fields';
import { html, type RawHtml } from './html';
import { resourceChoiceFieldset } from './resource-choice-view';
import { formatDate, noticeBox, type SettingsFrame, sectionPage } from './settings-layout';
import type { ViewContext } from './view-types';

/** The expiry choices of the create form: a number of days, or `never` for no expiry. */
export const TOKEN_EXPIRY_CHOICES: readonly string[] = ['never', '7', '30', '90'];

/** Preselected, as GitHub does: a token that expires unless the user chooses otherwise. */
export const DEFAULT_TOKEN_EXPIRY = '30';

/** What the create form shows: empty, or what the user typed before a validation error. */
export interface TokenFormValues {
  name: string;
  scopes: string[];
  /** One of `TOKEN_EXPIRY_CHOICES`. */
  expiry: string;
  /** The resources chosen per resource-scoped scope (`null`: all, for every scope). */
  resources: ResourceSelection | null;
}

/** What the personal access tokens page shows (view `tokens`). */
export interface TokensViewData {
  frame: SettingsFrame;
  /** The user's live tokens (never a secret). */
  tokens: readonly TokenRecord[];
  /** The declared scopes, with descriptions in the page's language. */
  scopes: readonly { name: string; description: string }[];
  /**
   * Fine-grained tokens: per resource-scoped scope offered, "all current and future" or only the
   * checked resources (it applies when that scope is checked; a restricted token needs an expiry).
   */
  resourceChoices: readonly ConsentResourceChoice[];
  values: TokenFormValues;
  /** Problems by form field (`name`, `scopes`, `expiry`, `resources`). */
  errors: FieldErrors;
  notice: string | null;
  /** A token just created: its secret, shown this one time, and its name. */
  created: { token: string; name: string } | null;
}

function createdBox(context: ViewContext, created: TokensViewData['created']): RawHtml {
  if (created === null) return html``;
  const { t } = context;
  return html`<div class="once" role="alert"><strong>${t.text('tokens.createdOnce', { name: created.name })}</strong>
${t.text('tokens.createdExplanation')}
<code id="new-token">${created.token}</code></div>`;
}

/** The resources a restricted token may touch, per scope of its own; nothing for an unrestricted one. */
function restriction(token: TokenRecord, t: Translator): RawHtml {
  const own = Object.entries(token.resourceSelection ?? {}).filter(([scope]) => token.scopes.includes(scope));
  return html`${own.map(
    ([scope, ids]) =>
      html`<br><span class="small resource-access"><code>${scope}</code>: ${t.text('tokens.restrictedTo', { resources: ids.length === 0 ? t.text('tokens.noResources') : ids.join(', ') })}</span>`,
  )}`;
}

function tokenTable(context: ViewContext, frame: SettingsFrame, tokens: readonly TokenRecord[]): RawHtml {
  const { t } = context;
  if (tokens.length === 0) return html`<p class="empty">${t.text('tokens.empty')}</p>`;
  const never = t.text('layout.never');
  const rows = tokens.map(
    (token) => html`<tr><td><strong>${token.name ?? t.text('tokens.unnamed')}</strong></td>
<td>${token.scopes.length === 0 ? html`<span class="muted">${t.text('tokens.noScopes')}</span>` : token.scopes.map((scope) => html`<code>${scope}</code> `)}${restriction(token, t)}</td>
<td>${formatDate(token.createdAt, never)}</td><td>${formatDate(token.lastUsedAt, never)}</td><td>${formatDate(token.expiresAt, t.text('tokens.neverExpires'))}</td>
<td>${buttonForm(`${frame.baseUrl}/tokens/${token.id}/revoke`, frame.csrfToken, t.text('tokens.revoke'), 'danger')}</td></tr>`,
  );
  return html`<table><thead><tr><th>${t.text('tokens.column.name')}</th><th>${t.text('tokens.column.scopes')}</th><th>${t.text('tokens.column.created')}</th><th>${t.text('tokens.column.lastUsed')}</th><th>${t.text('tokens.column.expires')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** `GET /tokens`: the user's tokens (never a secret), the create form, and a new token once. */
export function renderTokensPage(data: TokensViewData, context: ViewContext<'tokens'>): Promise<string> {
  const { t } = context;
  const { frame } = data;
  const scopeChoices = data.scopes.map((scope) => ({
    value: scope.name,
    label: scope.name,
    hint: scope.description,
  }));
  const expiryChoices = TOKEN_EXPIRY_CHOICES.map((value) => ({
    value,
    label: value === 'never' ? t.text('tokens.expiry.never') : t.text('tokens.expiry.days', { days: value }),
  }));
  return sectionPage(context, 'settings', frame, {
    title: t.text('tokens.title'),
    body: html`${noticeBox(data.notice)}<h1>${t.text('tokens.title')}</h1>
<p class="muted">${t.text('tokens.intro')}</p>
${createdBox(context, data.created)}${tokenTable(context, frame, data.tokens)}
<h2>${t.text('tokens.generateHeading')}</h2>
<form method="post" action="${frame.baseUrl}/tokens" novalidate>${csrfField(frame.csrfToken)}
${textField({ name: 'name', label: t.text('tokens.field.name'), value: data.values.name, error: data.errors.name, hint: t.text('tokens.field.nameHint') })}
${checkboxGroup({ name: 'scopes', label: t.text('tokens.field.scopes'), choices: scopeChoices, checked: data.values.scopes, error: data.errors.scopes })}
${data.resourceChoices.map((choice) => resourceChoiceFieldset(choice, t))}${data.errors.resources === undefined ? html`` : html`<p class="field-error" id="resources-error">${data.errors.resources}</p>`}
${selectField({ name: 'expiry', label: t.text('tokens.field.expiry'), choices: expiryChoices, selected: data.values.expiry, error: data.errors.expiry })}
<button type="submit" class="primary">${t.text('tokens.generate')}</button></form>`,
  });
}
