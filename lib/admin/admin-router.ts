import { Router } from 'express';
import { jsonErrorFallback } from '../endpoints/error-styles';
import type { ProviderContext } from '../provider-context';
import { pageErrorFallback } from '../settings/pages/settings-error-page';
import { adminApi } from './admin-api';
import { adminPages } from './admin-pages';

/**
 * `provider.adminRouter`: pages and a JSON API (under `/api`) for operators — every application,
 * host-created ones included; a user's authorizations and tokens; revoking them. The host mounts
 * it behind its own admin check; the router checks `isAdmin(req)` again on every request.
 */
export function adminRouter(provider: ProviderContext): Router {
  const router = Router();
  router.use('/api', adminApi(provider), jsonErrorFallback(provider));
  router.use(adminPages(provider));
  router.use(pageErrorFallback(provider, 'adminError'));
  return router;
}
