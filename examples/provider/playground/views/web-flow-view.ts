import { type Masking, maskedHtml } from '../mask';
import type { WebFlowState } from '../state';
import { exchangesView, stepResults } from './exchange-view';
import { type Html, html } from './html';
import { actionForm, findingsList, rfc, type StepStatus, scopeChoices, step } from './parts';

export interface WebFlowView {
  web: WebFlowState | null;
  kind: 'public' | 'confidential';
  scopes: readonly { name: string; description: string }[];
  callbackUrl: string;
  csrfToken: string;
  masking: Masking;
}

function status(done: boolean, ready: boolean): StepStatus {
  return done ? 'done' : ready ? 'current' : 'waiting';
}

const DEFAULT_SCOPES = ['user', 'public_repo'];

/** The authorization code flow with PKCE, nine steps on one page. */
export function webFlowView(view: WebFlowView): Html {
  const { web, csrfToken, masking } = view;
  const steps = web?.steps ?? {};
  const tokens = web?.tokens ?? null;
  const confidential = (web?.client.kind ?? view.kind) === 'confidential';
  const at = (path: string) => `/playground/web/${path}`;
  const shown = (text: string) => maskedHtml(text, masking);
  const hasCode = web?.code !== null && web?.code !== undefined;
  const tokenStatus = status(steps.token !== undefined && tokens !== null, hasCode);
  const apiStatus = status(steps.api !== undefined, tokens !== null);
  const introspectStatus = status(steps.introspect !== undefined, tokens !== null);
  const refreshStatus = status(
    steps.refresh !== undefined && web?.oldRefreshToken !== null,
    tokens?.refreshToken != null,
  );
  const revokeStatus = status(steps.revoke !== undefined, tokens !== null);
  const replayStatus = status(steps.replay !== undefined, web?.oldRefreshToken != null);

  const authorize = step(
    {
      id: 'step-authorize',
      number: 1,
      title: 'Build the authorization request',
      status: status(web !== null, true),
      rfcs: [rfc(6749, '4.1.1', 'Authorization Request'), rfc(7636, '4.3', 'PKCE: the code challenge')],
      explain: html`<p>The client will send your browser to the provider’s authorization endpoint, saying who it is (<code>client_id</code>), what it wants (<code>scope</code>) and where to come back (<code>redirect_uri</code>). It adds a random <code>state</code>, to recognise the answer, and a PKCE <code>code_challenge</code>: the SHA-256 of a <code>code_verifier</code> that never leaves this server.</p>
<p>This run uses the <strong>${view.kind}</strong> demo client (change it on the <a href="/playground">overview</a>).</p>`,
    },
    html`${actionForm(
      at('authorize'),
      csrfToken,
      web === null ? 'Build the authorization URL' : 'Start over with a new request',
      {
        id: 'build-authorization-url',
        primary: web === null,
        fields: scopeChoices(view.scopes, web?.scopes ?? DEFAULT_SCOPES, 'web-scope'),
      },
    )}
${web === null ? '' : authorizationDetails(web, shown, masking)}`,
  );

  const consent = step(
    {
      id: 'step-consent',
      number: 2,
      title: 'Approve on the consent page',
      status: status(steps.callback !== undefined, web !== null),
      rfcs: [rfc(6749, '4.1.1'), rfc(6749, '10.12', 'Cross-Site Request Forgery')],
      explain: html`<p>Follow the link: your browser leaves the playground for the provider’s consent page (the library’s own page), where you approve or deny. The provider then redirects your browser to the demo client’s redirect URI, <code>${view.callbackUrl}</code>.</p>
<p class="muted">If you approved this client for these scopes before, the provider may skip the page and send the browser straight back.</p>`,
    },
    web === null
      ? html`<p class="muted">Build the request first.</p>`
      : html`<p><a class="button primary" id="open-consent" href="${web.authorizationUrl}">Open the consent page →</a></p>`,
  );

  const callback = step(
    {
      id: 'step-callback',
      number: 3,
      title: 'Check the redirect back',
      status: status(web?.code !== null && web?.code !== undefined, steps.callback !== undefined),
      rfcs: [rfc(6749, '4.1.2', 'Authorization Response'), rfc(9207, '2.4', 'Issuer identification')],
      explain: html`<p>The browser arrives at <code>/playground/callback</code> with <code>code</code>, <code>state</code> and <code>iss</code>. Before it uses the code, the client checks that <code>state</code> is the one it sent (else someone else’s answer was slipped in) and that <code>iss</code> names the server it asked (a mix-up defence). The playground then redirects your browser here, so the code leaves the address bar and the history.</p>`,
    },
    web?.callbackQuery === null || web?.callbackQuery === undefined
      ? html`<p class="muted">Waiting for the browser to come back.</p>`
      : html`<pre class="http" data-copy>GET /playground/callback?${shown(web.callbackQuery)}</pre>
${parameterTable([...new URLSearchParams(web.callbackQuery)], shown)}
${findingsList(steps.callback?.findings ?? [])}`,
  );

  const token = step(
    {
      id: 'step-token',
      number: 4,
      title: 'Exchange the code for tokens',
      status: tokenStatus,
      rfcs: [
        rfc(6749, '4.1.3', 'Access Token Request'),
        rfc(7636, '4.5'),
        rfc(6749, '5.1', 'Successful Response'),
      ],
      explain: html`<p>From this server, not the browser, the client posts the code to the token endpoint with the same <code>redirect_uri</code> and the <code>code_verifier</code>. The provider hashes the verifier and compares it with the challenge of step 1, so only the client that started the flow can redeem the code. ${confidential ? html`The confidential client also authenticates with its secret (HTTP Basic).` : html`The public client has no secret: it sends its <code>client_id</code> and relies on PKCE.`}</p>`,
    },
    html`${actionForm(at('token'), csrfToken, 'Send the token request', { id: 'send-token-request', primary: tokenStatus === 'current', disabled: !hasCode || steps.token !== undefined })}
${stepResults(steps.token, masking)}`,
  );

  const api = step(
    {
      id: 'step-api',
      number: 5,
      title: 'Call the API with the access token',
      status: apiStatus,
      rfcs: [rfc(6750, '2.1', 'Authorization Request Header Field'), rfc(6750, '3.1', 'Error Codes')],
      explain: html`<p><code>GET /api/user</code> accepts any token of a user; <code>GET /api/repos</code> needs <code>public_repo</code> (<code>repo</code> includes it). Every answer names the token’s scopes in <code>X-OAuth-Scopes</code>; a missing scope answers 403 <code>insufficient_scope</code>.</p>`,
    },
    html`${actionForm(at('api'), csrfToken, 'Call /api/user and /api/repos', { id: 'call-api', primary: apiStatus === 'current', disabled: tokens === null })}
${stepResults(steps.api, masking)}`,
  );

  const introspect = step(
    {
      id: 'step-introspect',
      number: 6,
      title: 'Introspect the access token',
      status: introspectStatus,
      rfcs: [rfc(7662, '2.1', 'Introspection Request'), rfc(7662, '2.2', 'Introspection Response')],
      explain: html`<p>A resource server may ask the provider whether a token is active and what it carries. The caller authenticates as a confidential client and sees only tokens issued to it; anything else is just <code>{"active": false}</code>.</p>`,
    },
    html`${actionForm(at('introspect'), csrfToken, 'Introspect', { id: 'introspect', primary: introspectStatus === 'current', disabled: tokens === null })}
${stepResults(steps.introspect, masking)}`,
  );

  const refresh = step(
    {
      id: 'step-refresh',
      number: 7,
      title: 'Refresh: a new pair, the old refresh token spent',
      status: refreshStatus,
      rfcs: [rfc(6749, '6', 'Refreshing an Access Token'), rfc(9700, '4.14.2', 'Refresh token protection')],
      explain: html`<p>The refresh token buys a new access token without the user. With rotation, each refresh also returns a new refresh token, and the one sent stops working.</p>`,
    },
    html`${actionForm(at('refresh'), csrfToken, 'Refresh', { id: 'refresh', primary: refreshStatus === 'current', disabled: tokens?.refreshToken == null })}
${web?.oldRefreshToken && tokens?.refreshToken ? html`<p class="rotation">Refresh token <code>${shown(web.oldRefreshToken)}</code> → <code>${shown(tokens.refreshToken)}</code></p>` : ''}
${stepResults(steps.refresh, masking)}`,
  );

  const revoke = step(
    {
      id: 'step-revoke',
      number: 8,
      title: 'Revoke the access token',
      status: revokeStatus,
      rfcs: [rfc(7009, '2.1', 'Revocation Request'), rfc(7662, '2.2')],
      explain: html`<p>The client tells the provider it no longer needs the access token. ${confidential ? html`Introspection before and after shows the change;` : html`(Introspection before and after needs the confidential client.)`} the API then refuses the token with 401 <code>invalid_token</code>.</p>`,
    },
    html`${actionForm(at('revoke'), csrfToken, 'Revoke the access token', { id: 'revoke', primary: revokeStatus === 'current', disabled: tokens === null })}
${stepResults(steps.revoke, masking)}`,
  );

  const replay = step(
    {
      id: 'step-replay',
      number: 9,
      title: 'Replay the replaced refresh token',
      status: replayStatus,
      rfcs: [rfc(9700, '4.14.2'), rfc(6749, '10.4', 'Refresh Tokens')],
      explain: html`<p>Someone who stole the refresh token that step 7 replaced tries it now. A replaced refresh token used again means it leaked, so the provider revokes the whole grant: the current refresh token dies with it.</p>`,
    },
    html`${actionForm(at('replay'), csrfToken, 'Replay the old refresh token', { id: 'replay', primary: replayStatus === 'current', disabled: web?.oldRefreshToken == null })}
${stepResults(steps.replay, masking)}`,
  );

  return html`<h1>Web flow: authorization code with PKCE</h1>
<p class="lede">The flow a web or native app uses to act for a user. Each button below makes this server send one real request to the provider with <a href="https://github.com/panva/oauth4webapi">oauth4webapi</a>; what went over the wire is shown under the step.</p>
${[authorize, consent, callback, token, api, introspect, refresh, revoke, replay]}`;
}

function authorizationDetails(web: WebFlowState, shown: (text: string) => Html, masking: Masking): Html {
  const params = [...new URL(web.authorizationUrl).searchParams];
  return html`${exchangesView(web.steps.authorize?.exchanges ?? [], masking, 1)}
<h3>The request</h3>
${parameterTable(params, shown)}
<table class="params pkce"><tbody>
<tr><th>code_verifier</th><td><code>${shown(web.codeVerifier)}</code> <span class="muted">kept on this server, sent only in step 4</span></td></tr>
<tr><th>code_challenge</th><td><code>${web.codeChallenge}</code> <span class="muted">= BASE64URL(SHA-256(code_verifier))</span></td></tr>
</tbody></table>
<pre class="http url" id="authorization-url" data-copy>GET ${shown(web.authorizationUrl)}</pre>`;
}

function parameterTable(params: [string, string][], shown: (text: string) => Html): Html {
  return html`<table class="params"><tbody>${params.map(
    ([name, value]) => html`<tr><th>${name}</th><td><code>${shown(value)}</code></td></tr>`,
  )}</tbody></table>`;
}
