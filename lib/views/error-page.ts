import type { HttpError } from '../errors/http-error';
import { html } from './html';
import { documentPage } from './layout';

/** The page shown instead of redirecting when the client or redirect URI cannot be trusted. */
export function renderErrorPage(error: HttpError): string {
  return documentPage(
    'Authorization error',
    html`<h1>This authorization request cannot be completed</h1>
<p class="error"><code>${error.code}</code>: ${error.description}</p>
<p class="muted">The application that sent you here may be misconfigured. You have not been redirected back to it.</p>`,
  );
}
