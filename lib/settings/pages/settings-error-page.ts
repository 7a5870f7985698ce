import type { ErrorRequestHandler, Response } from 'express';
import type { EndpointCall } from '../../endpoints/endpoint-call';
import type { HttpError } from '../../errors/http-error';
import { toHttpError } from '../../respond/json';
import { sendErrorPage } from '../../respond/page';
import { type SettingsFrame, settingsErrorPage } from '../../views/settings-layout';

const HEADINGS: Readonly<Record<number, string>> = {
  403: 'Forbidden',
  404: 'Not found',
  413: 'Form too large',
  415: 'Unsupported form encoding',
  503: 'Temporarily unavailable',
};

/**
 * Errors of the settings pages as HTML pages with their real status (404 for someone else's
 * application, 403 for a bad CSRF token), never JSON and never internals: unexpected failures go
 * to `onError` and the page says only that something went wrong. The navigation stays when the
 * user was known.
 */
function sendSettingsErrorPage(res: Response, error: HttpError, frame: SettingsFrame | null): void {
  const heading = HEADINGS[error.status] ?? (error.status >= 500 ? 'Something went wrong' : 'Bad request');
  sendErrorPage(res, error, settingsErrorPage(frame, heading, error.description));
}

/** The settings pages' error style. */
export function answerSettingsPageError(error: unknown, { res, provider, frame }: EndpointCall): void {
  sendSettingsErrorPage(res, toHttpError(error, provider.onError), frame);
}

/** Errors Express raises before a page's steps run (an undecodable `/applications/%ZZ`). */
export function settingsPageFallback(onError: (error: unknown) => void): ErrorRequestHandler {
  return function answerSettingsPageError(err: unknown, _req, res, next): void {
    if (res.headersSent) next(err);
    else sendSettingsErrorPage(res, toHttpError(err, onError), null);
  };
}
