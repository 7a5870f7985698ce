import { type Masking, maskedHtml } from '../mask';
import type { ClientKind, DemoClient, PlaygroundState } from '../state';
import { type Html, html } from './html';

export interface OverviewView {
  state: PlaygroundState;
  issuer: string;
  callbackUrl: string;
  csrfToken: string;
  masking: Masking;
  /** Set when the browser is not on the issuer's origin: the provider's cookies live there. */
  issuerMismatch: boolean;
  /** Set when the issuer is plain http on another host, which oauth4webapi refuses to talk to. */
  issuerRefused: boolean;
}

const KINDS: Record<ClientKind, { label: string; text: string }> = {
  public: {
    label: 'Public client with PKCE',
    text: 'Like a single-page or native app: it cannot keep a secret, so it proves itself with PKCE alone.',
  },
  confidential: {
    label: 'Confidential client',
    text: 'Like a server-side web app: it authenticates with a client secret (and uses PKCE too). Needed for introspection and client credentials.',
  },
};

const ORIGINS: Record<DemoClient['origin'], string> = {
  registered: 'registered for you by the playground',
  reused: 'reused: you registered it earlier',
  'secret-reset': 'reused, with a new secret (the first was shown only once)',
};

/** `/playground`: what it is, the demo client to use, and the three flows. */
export function overviewView(view: OverviewView): Html {
  const { state, csrfToken } = view;
  const choices = (Object.keys(KINDS) as ClientKind[]).map(
    (
      kind,
    ) => html`<label class="choice"><input type="radio" name="kind" value="${kind}" id="kind-${kind}"${state.kind === kind ? html` checked` : ''}>
<span><strong>${KINDS[kind].label}</strong><span class="muted">${KINDS[kind].text}</span></span></label>`,
  );
  const clients = (Object.values(state.clients) as DemoClient[]).map((client) =>
    clientRow(client, view.masking),
  );
  return html`<h1>OAuth playground</h1>
${view.issuerRefused ? html`<p class="notice warn" id="issuer-refused">The issuer <code>${view.issuer}</code> uses plain http on a host that is not this machine. The playground’s client, oauth4webapi, talks plain http only to <code>localhost</code>, <code>127.0.0.1</code> and <code>[::1]</code>: set <code>ISSUER</code> to an https URL, or run the example locally.</p>` : ''}
${view.issuerMismatch ? html`<p class="notice warn">This page is open on another address than the issuer, <a href="${view.issuer}/playground">${view.issuer}</a>. Open the playground there: the consent page and the callback run on the issuer’s address, and your session lives on one address only.</p>` : ''}
<p class="lede">Run the OAuth flows against this provider one step at a time. Every step is a real HTTP request that this server sends to <code>${view.issuer}</code> with the client library <a href="https://github.com/panva/oauth4webapi">oauth4webapi</a>; the page shows each request and response as they went over the wire, with the RFC section the step follows.</p>
<ul class="facts">
<li>The demo clients are ordinary OAuth applications owned by you: see them under <a href="/settings/applications">your OAuth applications</a>. Their redirect URI is <code>${view.callbackUrl}</code>, so your browser really comes back here.</li>
<li>Tokens stay in your server-side session and appear only on these pages, for you. Secrets are masked until you choose <em>Show secrets</em>.</li>
<li>Every form carries a CSRF token; nothing secret is put in a URL.</li>
</ul>
<section class="card" id="client-choice">
<h2>1. Pick the demo client</h2>
<form method="post" action="/playground/client">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<fieldset class="choices"><legend>Client type for the web and device flows</legend>${choices}</fieldset>
<button class="primary" id="use-client">Use this client</button>
</form>
${clients.length === 0 ? html`<p class="muted">No demo client yet: the first flow you run registers one.</p>` : html`<table class="clients"><thead><tr><th>Type</th><th>client_id</th><th>client_secret</th><th></th></tr></thead><tbody>${clients}</tbody></table>`}
</section>
<section class="card" id="flows">
<h2>2. Run a flow</h2>
<div class="flows">
${flowCard('/playground/web', 'Web flow', 'Authorization code with PKCE: consent in your browser, then tokens, API calls, refresh with rotation, revocation, replay detection.', progress(state.web !== null, state.web?.tokens !== null && state.web?.tokens !== undefined))}
${flowCard('/playground/device', 'Device flow', 'For a CLI or a TV: a user code to enter on the verification page, polling until you approve.', progress(state.device !== null, state.device?.tokens != null))}
${flowCard('/playground/client-credentials', 'Client credentials', 'A machine’s own token with the machine scope ci:status, used to report a commit status.', progress(state.clientCredentials !== null, state.clientCredentials?.tokens != null))}
</div>
</section>`;
}

function progress(started: boolean, tokens: boolean): string {
  return tokens ? 'Tokens issued' : started ? 'Started' : 'Not started';
}

function flowCard(href: string, title: string, text: string, status: string): Html {
  return html`<a class="flow" href="${href}"><strong class="flow-title">${title} →</strong><span>${text}</span><span class="muted">${status}</span></a>`;
}

function clientRow(client: DemoClient, masking: Masking): Html {
  return html`<tr><td>${client.kind}<br><span class="muted">${ORIGINS[client.origin]}</span></td>
<td><code class="client-id">${client.clientId}</code></td>
<td>${client.clientSecret === null ? html`<span class="muted">none (public)</span>` : html`<code>${maskedHtml(client.clientSecret, masking)}</code>`}</td>
<td><a href="/settings/applications/${client.applicationId}">Settings</a></td></tr>`;
}
