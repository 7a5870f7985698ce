import type { Response } from 'express';
import type { HttpError } from '../errors/http-error';
import { renderErrorPage } from '../views/error-page';
import { setPageHeaders } from './headers';

/** Sends a rendered HTML page (its route's `pageHeaders` step has set the security headers). */
export function sendPage(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(body);
}

/**
 * An error page with the error's own status and headers: 400 for a bad client or redirect URI
 * (never redirected to an unverified address), 403 for a forged form, 429 with `Retry-After` for
 * too many guesses. The provider's page unless the caller rendered its own (the settings pages).
 */
export function sendErrorPage(res: Response, error: HttpError, body: string = renderErrorPage(error)): void {
  // Also for errors Express raises before a route's steps ran (an undecodable path).
  setPageHeaders(res);
  res.set(error.headers);
  sendPage(res, error.status, body);
}
