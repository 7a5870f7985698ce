import type { OAuthError } from '../errors/oauth-error';
import { html, page } from './html';

/** The page shown instead of redirecting when the client or redirect URI cannot be trusted. */
export function renderErrorPage(error: OAuthError): string {
  return page(
    'Authorization error',
    html`<h1>This authorization request cannot be completed</h1>
<p class="error"><code>${error.code}</code>: ${error.description}</p>
<p class="muted">The application that sent you here may be misconfigured. You have not been redirected back to it.</p>`,
  );
}
