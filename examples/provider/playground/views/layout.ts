import { type Fragment, type Html, html } from './html';

export type Section = 'home' | 'overview' | 'web' | 'device' | 'client-credentials';

export interface LayoutOptions {
  title: string;
  /** The signed-in user's login, or `null`. */
  login: string | null;
  section: Section;
  /** The session's CSRF token, for the sign-out and secrets forms; `null` on pages without forms. */
  csrfToken: string | null;
  /** The secrets switch, on playground pages only. */
  secrets?: { reveal: boolean; returnTo: string };
  notice?: string | null;
}

const FLOWS: [Section, string, string][] = [
  ['overview', 'Overview', '/playground'],
  ['web', 'Web flow', '/playground/web'],
  ['device', 'Device flow', '/playground/device'],
  ['client-credentials', 'Client credentials', '/playground/client-credentials'],
];

/**
 * The shell of the example's own pages: its stylesheet and its one small script are static files
 * of the example, so the Content-Security-Policy can forbid inline script (`script-src 'self'`).
 */
export function layout(options: LayoutOptions, body: Fragment): string {
  const nav = FLOWS.map(
    ([section, label, href]) =>
      html`<a href="${href}"${section === options.section ? html` aria-current="page"` : ''}>${label}</a>`,
  );
  const account =
    options.login === null
      ? html`<a href="/login">Sign in</a>`
      : html`<span>Signed in as <strong>${options.login}</strong></span>
<form method="post" action="/logout" class="inline"><button class="link">Sign out</button></form>`;
  const page: Html = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · Example OAuth provider</title>
<link rel="icon" href="/playground/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/playground/assets/playground.css">
<script src="/playground/assets/playground.js" defer></script>
</head><body>
<header class="top"><div class="bar top-bar">
<a class="brand" href="/">Example OAuth provider</a>
<nav aria-label="Playground">${options.section === 'home' ? html`<a href="/playground">Playground</a>` : nav}</nav>
<div class="account">${account}</div>
</div></header>
${options.secrets ? secretsBar(options.secrets, options.csrfToken ?? '') : ''}
<main>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${body}
</main>
<footer><p>This page belongs to the example app in <code>examples/provider</code>. The OAuth pages (consent, device code) are the library's own.</p></footer>
</body></html>`;
  return page.markup;
}

function secretsBar(secrets: { reveal: boolean; returnTo: string }, csrfToken: string): Html {
  return html`<div class="secrets-bar${secrets.reveal ? ' revealed' : ''}"><div class="bar secrets-row">
<span>${secrets.reveal ? 'Secrets are shown in full on this page — only you see them.' : 'Tokens, codes and client secrets are masked.'}</span>
<form method="post" action="/playground/secrets" class="inline" data-keep-scroll>
<input type="hidden" name="csrf_token" value="${csrfToken}">
<input type="hidden" name="return_to" value="${secrets.returnTo}">
<input type="hidden" name="reveal" value="${secrets.reveal ? 'off' : 'on'}">
<button id="toggle-secrets">${secrets.reveal ? 'Mask secrets' : 'Show secrets'}</button>
</form></div></div>`;
}
