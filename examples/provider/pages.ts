/** The example host's own pages (login, home). The library renders the OAuth pages itself. */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeText = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeText(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}
input{font-size:1rem;padding:.3rem}.error{color:#d1242f}</style></head><body>${body}</body></html>`;
}

export function loginPage(returnTo: string, error?: string): string {
  return layout(
    'Sign in',
    `<h1>Sign in to the example provider</h1>
${error ? `<p class="error">${escapeText(error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="return_to" value="${escapeText(returnTo)}">
<label>Username <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
<p>Demo users: <code>alice</code> / <code>alice-pass</code>, <code>bob</code> / <code>bob-pass</code>.</p>`,
  );
}

export function homePage(login: string | null): string {
  const account = login
    ? `<p>Signed in as <strong>${escapeText(login)}</strong>.</p><form method="post" action="/logout"><button>Sign out</button></form>`
    : '<p><a href="/login">Sign in</a></p>';
  return layout(
    'Example provider',
    `<h1>Example OAuth provider</h1>${account}
<ul>
<li><a href="/settings/applications">Your OAuth applications</a></li>
<li><a href="/settings/authorizations">Authorized applications</a></li>
<li><a href="/settings/tokens">Personal access tokens</a></li>
<li><a href="/.well-known/oauth-authorization-server">Authorization server metadata</a></li>
</ul>`,
  );
}
