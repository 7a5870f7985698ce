import { type ErrorRequestHandler, Router } from 'express';
import { jsonErrorFallback } from '../endpoints/error-styles';
import type { ProviderContext } from '../provider-context';
import { toHttpError } from '../respond/json';
import { adminApi } from './admin-api';
import { adminPages } from './admin-pages';

/** Errors Express raises before an admin page's steps run (an undecodable `/applications/%ZZ`). */
function adminPageFallback(provider: ProviderContext): ErrorRequestHandler {
  return function answerAdminPageError(err: unknown, req, res, next): void {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toHttpError(err, provider.onError);
    provider.pages.sendError(req, res, error, { view: 'adminError', frame: null }).catch(next);
  };
}

/**
 * `provider.adminRouter`: pages and a JSON API (under `/api`) for operators — every application,
 * host-created ones included; a user's authorizations and tokens; revoking them. The host mounts
 * it behind its own admin check; the router checks `isAdmin(req)` again on every request.
 */
export function adminRouter(provider: ProviderContext): Router {
  const router = Router();
  router.use('/api', adminApi(provider), jsonErrorFallback(provider));
  router.use(adminPages(provider));
  router.use(adminPageFallback(provider));
  return router;
}
