import type { HttpError } from '../errors/http-error';
import { withoutBidiControls } from './consent-page';
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

/**
 * What the page says instead of redirecting an error to an application nobody vetted (a `user`
 * or `dynamic` one; RFC 9700 §4.11.2): which application, which error, where the link goes.
 */
export interface ReturnPageData {
  error: HttpError;
  applicationName: string;
  /** The host (or a native app's scheme) the link goes to. */
  redirectHost: string;
  /** The error response as the redirect would carry it (`error`, `state`, `iss`), or `null` if it cannot be a link. */
  returnUrl: string | null;
}

/** Every sentence of the return page, in one place (see the consent page's `TEXT`). */
const TEXT = {
  title: 'Authorization error',
  heading: (name: string) => `${name} sent an authorization request that cannot be completed`,
  notRedirected: (host: string) =>
    `You have not been sent back automatically, because this application has not been verified. If you trust ${host}, you can return there:`,
  returnTo: (host: string) => `Return to ${host}`,
} as const;

/**
 * The 400 page for an error of an unverified application, before the user decided anything: an
 * attacker who registers an application must not be able to bounce visitors off this site to
 * their own address, so the user follows the link, or not.
 */
export function renderReturnPage(data: ReturnPageData): string {
  const name = withoutBidiControls(data.applicationName);
  const link =
    data.returnUrl === null
      ? html`<code>${data.redirectHost}</code>`
      : html`<a class="return" href="${data.returnUrl}" rel="noopener noreferrer">${TEXT.returnTo(data.redirectHost)}</a>`;
  return documentPage(
    TEXT.title,
    html`<h1>${TEXT.heading(name)}</h1>
<p class="error"><code>${data.error.code}</code>: ${data.error.description}</p>
<p class="muted">${TEXT.notRedirected(data.redirectHost)}</p>
<p>${link}</p>`,
  );
}
