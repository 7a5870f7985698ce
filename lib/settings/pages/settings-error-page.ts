import type { ErrorRequestHandler } from 'express';
import type { EndpointCall } from '../../endpoints/endpoint-call';
import type { ProviderContext } from '../../provider-context';
import { toHttpError } from '../../respond/json';

/**
 * Errors of the settings pages as HTML pages (the `settingsError` view) with their real status
 * (404 for someone else's application, 403 for a bad CSRF token), never JSON and never
 * internals: unexpected failures go to `onError` and the page says only that something went
 * wrong. The navigation stays when the user was known.
 */
export function answerSettingsPageError(
  error: unknown,
  { req, res, provider, frame }: EndpointCall,
): Promise<void> {
  return provider.pages.sendError(req, res, toHttpError(error, provider.onError), {
    view: 'settingsError',
    frame,
  });
}

/**
 * Errors Express raises before a page's steps run (an undecodable `/applications/%ZZ`), answered
 * with the settings or the admin error view.
 */
export function pageErrorFallback(
  provider: ProviderContext,
  view: 'settingsError' | 'adminError' = 'settingsError',
): ErrorRequestHandler {
  return function answerSettingsPageError(err: unknown, req, res, next): void {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toHttpError(err, provider.onError);
    provider.pages.sendError(req, res, error, { view, frame: null }).catch(next);
  };
}
