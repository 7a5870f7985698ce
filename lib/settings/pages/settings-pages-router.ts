import { Router } from 'express';
import { refuseAccessTokens } from '../../http/session-guards';
import type { ProviderContext } from '../../provider-context';
import { mountApplicationPages } from './applications-pages';
import { mountAuthorizationsPage } from './authorizations-page';
import { pageErrorFallback } from './settings-error-page';
import { mountTokensPage } from './tokens-page';

/**
 * The end-user settings pages (DESIGN.md "Applications, authorizations, personal tokens"):
 * `/applications`, `/applications/new`, `/applications/:id`, `/authorizations`, `/tokens`, each
 * action a plain CSRF-protected form `POST`, usable without JavaScript. Links and form actions
 * are built from `req.baseUrl`, so the host may mount the router anywhere.
 */
export function settingsPages(provider: ProviderContext): Router {
  const router = Router();
  router.use(refuseAccessTokens);
  mountApplicationPages(router, provider);
  mountAuthorizationsPage(router, provider);
  mountTokensPage(router, provider);
  router.use(pageErrorFallback(provider));
  return router;
}
