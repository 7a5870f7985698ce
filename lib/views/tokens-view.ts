import type { TokenRecord } from '../storage/storage-adapter';
import {
  buttonForm,
  type Choice,
  checkboxGroup,
  csrfField,
  type FieldErrors,
  selectField,
  textField,
} from './form-fields';
import { html, type RawHtml } from './html';
import { formatDate, noticeBox, type SettingsFrame, settingsPage } from './settings-layout';

/** The expiry choices of the create form: value in days, `never` for no expiry. */
export const TOKEN_EXPIRY_CHOICES: readonly Choice[] = [
  { value: 'never', label: 'No expiration' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
];

/** Preselected, as GitHub does: a token that expires unless the user chooses otherwise. */
export const DEFAULT_TOKEN_EXPIRY = '30';

/** What the create form shows: empty, or what the user typed before a validation error. */
export interface TokenFormValues {
  name: string;
  scopes: string[];
  expiry: string;
}

export interface TokensPageState {
  tokens: readonly TokenRecord[];
  scopes: readonly { name: string; description: string }[];
  values: TokenFormValues;
  errors: FieldErrors;
  notice: string | null;
  /** A token just created: its secret, shown this one time, and its name. */
  created: { token: string; name: string } | null;
}

function createdBox(created: TokensPageState['created']): RawHtml {
  if (created === null) return html``;
  return html`<div class="once" role="alert"><strong>Copy your new personal access token “${created.name}” now.</strong>
It is shown only this once: we store only a hash of it. Treat it like a password.
<code id="new-token">${created.token}</code></div>`;
}

function tokenTable(frame: SettingsFrame, tokens: readonly TokenRecord[]): RawHtml {
  if (tokens.length === 0) return html`<p class="empty">You have no personal access tokens.</p>`;
  const rows = tokens.map(
    (token) => html`<tr><td><strong>${token.name ?? '(unnamed)'}</strong></td>
<td>${token.scopes.length === 0 ? html`<span class="muted">none</span>` : token.scopes.map((scope) => html`<code>${scope}</code> `)}</td>
<td>${formatDate(token.createdAt)}</td><td>${formatDate(token.lastUsedAt)}</td><td>${formatDate(token.expiresAt, 'Never expires')}</td>
<td>${buttonForm(`${frame.baseUrl}/tokens/${token.id}/revoke`, frame.csrfToken, 'Revoke', 'danger')}</td></tr>`,
  );
  return html`<table><thead><tr><th>Name</th><th>Scopes</th><th>Created</th><th>Last used</th><th>Expires</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** `GET /tokens`: the user's tokens (never a secret), the create form, and a new token once. */
export function renderTokensPage(frame: SettingsFrame, state: TokensPageState): string {
  const scopeChoices = state.scopes.map((scope) => ({
    value: scope.name,
    label: scope.name,
    hint: scope.description,
  }));
  return settingsPage(
    'Personal access tokens',
    frame,
    html`${noticeBox(state.notice)}<h1>Personal access tokens</h1>
<p class="muted">Tokens that act as you on this site's API, for scripts and command-line tools.</p>
${createdBox(state.created)}${tokenTable(frame, state.tokens)}
<h2>Generate a new token</h2>
<form method="post" action="${frame.baseUrl}/tokens" novalidate>${csrfField(frame.csrfToken)}
${textField({ name: 'name', label: 'Token name', value: state.values.name, error: state.errors.name, hint: 'What is this token for?' })}
${checkboxGroup({ name: 'scopes', label: 'Scopes', choices: scopeChoices, checked: state.values.scopes, error: state.errors.scopes })}
${selectField({ name: 'expiry', label: 'Expiration', choices: [...TOKEN_EXPIRY_CHOICES], selected: state.values.expiry, error: state.errors.expiry })}
<button type="submit" class="primary">Generate token</button></form>`,
  );
}
