import type { Masking } from '../mask';
import type { ClientCredentialsState } from '../state';
import { stepResults } from './exchange-view';
import { type Html, html } from './html';
import { actionForm, rfc, scopeChoices, step } from './parts';

export interface ClientCredentialsView {
  flow: ClientCredentialsState | null;
  scopes: readonly { name: string; description: string }[];
  csrfToken: string;
  masking: Masking;
}

/** RFC 6749 §4.4: a machine's own token, and what it may and may not do. */
export function clientCredentialsView(view: ClientCredentialsView): Html {
  const { flow, csrfToken, masking } = view;
  const tokens = flow?.tokens ?? null;
  const at = (path: string) => `/playground/client-credentials/${path}`;
  const apiStatus = flow?.steps.api !== undefined ? 'done' : tokens !== null ? 'current' : 'waiting';
  const token = step(
    {
      id: 'step-cc-token',
      number: 1,
      title: 'Ask for a token as the client itself',
      status: tokens !== null ? 'done' : 'current',
      rfcs: [rfc(6749, '4.4.2', 'Access Token Request'), rfc(6749, '4.4.3', 'Access Token Response')],
      explain: html`<p>A confidential client — a CI server, say — gets a token for itself: no user, no browser, no consent, and no refresh token. It authenticates with its secret and asks for a machine scope. The playground always uses its <strong>confidential</strong> demo client here: public clients cannot keep a secret, so this grant is closed to them.</p>`,
    },
    html`${actionForm(at('token'), csrfToken, flow === null ? 'Send the token request' : 'Ask again', {
      id: 'cc-token',
      primary: flow === null,
      fields: scopeChoices(
        view.scopes,
        view.scopes.map((scope) => scope.name),
        'cc-scope',
      ),
    })}
${stepResults(flow?.steps.token, masking, 1)}`,
  );
  const api = step(
    {
      id: 'step-cc-api',
      number: 2,
      title: 'Report a commit status',
      status: apiStatus,
      rfcs: [rfc(6750, '2.1'), rfc(6750, '3.1')],
      explain: html`<p><code>POST /api/statuses</code> needs <code>ci:status</code> and stores the status; <code>GET /api/user</code> refuses the token, because it belongs to no user.</p>`,
    },
    html`${actionForm(at('api'), csrfToken, 'POST /api/statuses, then GET /api/user', { id: 'cc-api', primary: apiStatus === 'current', disabled: tokens === null })}
${stepResults(flow?.steps.api, masking)}`,
  );
  return html`<h1>Client credentials</h1>
<p class="lede">Machine-to-machine: the client acts on its own behalf, not for a user.</p>
${[token, api]}`;
}
