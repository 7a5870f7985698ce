/**
 * The example host's own pages: its home page and its login. The library renders the OAuth pages
 * (consent, device code) and the settings itself; the playground has its own views.
 */
import { type Html, html } from './playground/views/html';
import { layout } from './playground/views/layout';
import { USERS } from './users';

function demoUsers(): Html {
  return html`<table class="params users"><thead><tr><th>Username</th><th>Password</th></tr></thead><tbody>${USERS.map(
    (user) => html`<tr><td><code>${user.login}</code></td><td><code>${user.password}</code></td></tr>`,
  )}</tbody></table>`;
}

export function loginPage(returnTo: string, error?: string): string {
  return layout(
    { title: 'Sign in', login: null, section: 'home', csrfToken: null },
    html`<section class="card narrow">
<h1 class="login-title">Sign in to the example provider</h1>
${error ? html`<p class="error">${error}</p>` : ''}
<form method="post" action="/login" class="login">
<input type="hidden" name="return_to" value="${returnTo}">
<label>Username <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit" class="primary">Sign in</button>
</form>
<h2 class="login-users">Demo users</h2>
${demoUsers()}
</section>`,
  );
}

interface Place {
  path: string;
  what: string;
  link?: boolean;
}

const PLACES: [string, Place[]][] = [
  [
    'Try it',
    [
      {
        path: '/playground',
        what: 'The OAuth playground: the web flow, the device flow and client credentials, step by step',
        link: true,
      },
      { path: '/login', what: 'This app’s own sign-in (passport-local); the provider reuses it', link: true },
    ],
  ],
  [
    'Your settings (the library’s pages)',
    [
      {
        path: '/settings/applications',
        what: 'OAuth applications you registered, their client IDs and secrets',
        link: true,
      },
      {
        path: '/settings/authorizations',
        what: 'Applications you authorized, and revoking them',
        link: true,
      },
      { path: '/settings/tokens', what: 'Personal access tokens', link: true },
      { path: '/settings/api/…', what: 'The same as a JSON API' },
      {
        path: '/language?lang=de',
        what: 'The library’s pages in German (or send Accept-Language: de)',
        link: true,
      },
    ],
  ],
  [
    'Administration (the library’s operator view; alice only)',
    [
      {
        path: '/admin/applications',
        what: 'Every application, host-created ones included; a user’s authorizations and tokens',
        link: true,
      },
      { path: '/admin/api/…', what: 'The same as a JSON API' },
    ],
  ],
  [
    'The demo API (guarded by the provider’s tokens)',
    [
      { path: 'GET /api/user', what: 'Who the token belongs to; any user token' },
      {
        path: 'GET /api/repos',
        what: 'The repositories the token may see: public ones with public_repo, private ones with repo:read or repo, only the chosen ones when the grant is restricted',
      },
      { path: 'GET /api/repos/:owner/:name', what: 'One repository; 404 when the token may not see it' },
      {
        path: 'POST /api/repos/:owner/:name/issues',
        what: 'Open an issue; needs repo on that repository (404 otherwise)',
      },
      { path: 'POST /api/repos', what: 'Create a repository; needs repo' },
      { path: 'POST /api/gists', what: 'Create a gist; needs gist' },
      { path: 'POST /api/statuses', what: 'Report a commit status; needs ci:status (machine tokens)' },
      {
        path: '/.well-known/oauth-protected-resource/api',
        what: 'The API’s protected-resource metadata (RFC 9728): its resource, scopes and authorization server',
        link: true,
      },
    ],
  ],
  [
    'The MCP server (Model Context Protocol, Streamable HTTP)',
    [
      {
        path: 'POST /mcp',
        what: 'Tools whoami and list_repos (needs public_repo); only tokens minted for /mcp',
      },
      {
        path: '/.well-known/oauth-protected-resource/mcp',
        what: 'Its protected-resource metadata (RFC 9728), which MCP clients discover from the 401',
        link: true,
      },
    ],
  ],
  [
    'OAuth endpoints',
    [
      {
        path: '/.well-known/oauth-authorization-server',
        what: 'Authorization server metadata (RFC 8414): every endpoint below',
        link: true,
      },
      { path: '/oauth/authorize', what: 'Authorization and consent (RFC 6749 §4.1)' },
      { path: '/oauth/token', what: 'Token endpoint: code, refresh, client credentials, device code' },
      { path: '/oauth/device', what: 'Where a user enters a device’s code (RFC 8628)', link: true },
      {
        path: '/oauth/revoke · /oauth/introspect',
        what: 'Revocation (RFC 7009) and introspection (RFC 7662)',
      },
    ],
  ],
];

export function homePage(issuer: string, login: string | null): string {
  const places = PLACES.map(
    ([heading, rows]) =>
      html`<h3>${heading}</h3><table class="places"><tbody>${rows.map(
        (place) =>
          html`<tr><td><code>${place.link ? html`<a href="${place.path}">${place.path}</a>` : place.path}</code></td><td>${place.what}</td></tr>`,
      )}</tbody></table>`,
  );
  return layout(
    { title: 'Home', login, section: 'home', csrfToken: null },
    html`<h1>Example OAuth provider</h1>
<p class="lede">This is an existing Express app — its own users, its own sign-in, its own API — that became an OAuth 2.0 provider with <strong>express-oauth-provider</strong>. Other apps can now ask its users for access, and call its API with the tokens it issues, the way apps do with GitHub.</p>
<p><a class="button primary" id="open-playground" href="/playground">Open the OAuth playground →</a> ${login === null ? html`<span class="muted">You will be asked to sign in first.</span>` : html`<span class="muted">Signed in as <strong>${login}</strong>.</span>`}</p>
<section class="card">
<h2>Demo users</h2>
<p>Two users are seeded; sign in as either (the playground’s walk-through uses alice).</p>
${demoUsers()}
</section>
<section class="card">
<h2>Where each part lives</h2>
<p class="muted">Issuer: <code>${issuer}</code></p>
${places}
</section>`,
  );
}
