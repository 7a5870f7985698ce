import { html } from './html';
import type { ViewContext } from './view-types';

/** What an error page shows (view `error`): the error, its description in the page's language. */
export interface ErrorViewData {
  /** The HTTP status the page is sent with (400, 403, 429, 500, 503, …). */
  status: number;
  /** The error code (`invalid_request`, `invalid_client`, `server_error`, …). */
  code: string;
  /** What went wrong, in the page's language; never internal details. */
  description: string;
}

/**
 * The built-in page shown instead of redirecting when the client or redirect URI cannot be
 * trusted, a form was forged, or something failed on our side.
 */
export async function renderErrorPage(data: ErrorViewData, context: ViewContext<'error'>): Promise<string> {
  const { t } = context;
  const server = data.status >= 500;
  return context.layout({
    title: t.text('errorPage.title'),
    kind: 'flow',
    body: html`<h1>${t.text(server ? 'errorPage.serverHeading' : 'errorPage.heading')}</h1>
<p class="error"><code>${data.code}</code>: ${data.description}</p>
<p class="muted">${t.text(server ? 'errorPage.serverExplanation' : 'errorPage.explanation')}</p>`,
  });
}
