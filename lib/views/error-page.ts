import { withoutBidiControls } from './bidi';
import { html } from './html';
import type { ViewContext } from './view-types';

/**
 * The way back offered instead of redirecting an error to an application nobody vetted (a `user`
 * or `dynamic` one, before the user decided anything; RFC 9700 §4.11.2).
 */
export interface ErrorReturnLink {
  /** The application's name (bidi controls removed). */
  application: string;
  /** The host (or a native app's private-use scheme) the link goes to. */
  host: string;
  /**
   * The error response as the redirect would have carried it (`error`, `error_description`,
   * `state`, `iss`), or `null` when it cannot be a link (show the host as text).
   */
  url: string | null;
}

/** What an error page shows (view `error`): the error, its description in the page's language. */
export interface ErrorViewData {
  /** The HTTP status the page is sent with (400, 403, 429, 500, 503, …). */
  status: number;
  /** The error code (`invalid_request`, `invalid_client`, `server_error`, …). */
  code: string;
  /** What went wrong, in the page's language; never internal details. */
  description: string;
  /**
   * For an unverified application's authorization error: which application, and the link the
   * user may follow back to it (not followed automatically); `null` for every other error page.
   */
  returnTo: ErrorReturnLink | null;
}

/**
 * The built-in page shown instead of redirecting when the client or redirect URI cannot be
 * trusted, a form was forged, or something failed on our side; for an unverified application's
 * error, it names the application and offers the way back as a link the user chooses to follow.
 */
export async function renderErrorPage(data: ErrorViewData, context: ViewContext<'error'>): Promise<string> {
  const { t } = context;
  const server = data.status >= 500;
  const error = html`<p class="error"><code>${data.code}</code>: ${data.description}</p>`;
  const back = data.returnTo;
  if (back !== null) {
    const link =
      back.url === null
        ? html`<code>${back.host}</code>`
        : html`<a class="return" href="${back.url}" rel="noopener noreferrer">${t.text('errorPage.returnTo', { host: back.host })}</a>`;
    return context.layout({
      title: t.text('errorPage.title'),
      kind: 'flow',
      body: html`<h1>${t.html('errorPage.unverifiedHeading', { app: html`<bdi>${withoutBidiControls(back.application)}</bdi>` })}</h1>
${error}
<p class="muted">${t.text('errorPage.notRedirected', { host: back.host })}</p>
<p>${link}</p>`,
    });
  }
  return context.layout({
    title: t.text('errorPage.title'),
    kind: 'flow',
    body: html`<h1>${t.text(server ? 'errorPage.serverHeading' : 'errorPage.heading')}</h1>
${error}
<p class="muted">${t.text(server ? 'errorPage.serverExplanation' : 'errorPage.explanation')}</p>`,
  });
}
