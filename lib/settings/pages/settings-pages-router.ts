import { type ErrorRequestHandler, Router } from 'express';
import { toOAuthError } from '../../errors/error-responder';
import { setPageSecurityHeaders } from '../../views/html';
import { settingsErrorPage } from '../../views/settings-layout';
import { mountApplicationPages } from './applications-pages';
import { mountAuthorizationsPage } from './authorizations-page';
import { frameOf, type SettingsPageServices } from './page-context';
import { mountTokensPage } from './tokens-page';

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
 * to `onError` and the page says only that something went wrong.
 */
function settingsPageErrors(onError: (error: unknown) => void): ErrorRequestHandler {
  return function answerSettingsPageError(err: unknown, _req, res, next): void {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toOAuthError(err, onError);
    const heading = HEADINGS[error.status] ?? (error.status >= 500 ? 'Something went wrong' : 'Bad request');
    setPageSecurityHeaders(res);
    res.status(error.status).set(error.headers).type('html');
    res.send(settingsErrorPage(frameOf(res), heading, error.description));
  };
}

/**
 * The end-user settings pages (DESIGN.md "Applications, authorizations, personal tokens"):
 * `/applications`, `/applications/new`, `/applications/:id`, `/authorizations`, `/tokens`, each
 * action a plain CSRF-protected form `POST`, usable without JavaScript. Links and form actions
 * are built from `req.baseUrl`, so the host may mount the router anywhere.
 */
export function settingsPages(services: SettingsPageServices): Router {
  const router = Router();
  mountApplicationPages(router, services);
  mountAuthorizationsPage(router, services);
  mountTokensPage(router, services);
  router.use(settingsPageErrors(services.onError));
  return router;
}
