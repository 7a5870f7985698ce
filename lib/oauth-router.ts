import { Router } from 'express';
import { decideAuthorization, showAuthorization } from './authorize/authorize-endpoint';
import { authorizeDevice } from './device/device-authorization-endpoint';
import { deviceVerification } from './device/device-verification';
import { oauthErrorHandler } from './errors/error-responder';
import type { ProviderEvents } from './events/provider-events';
import type { GuardServices } from './guards/authenticate';
import { tokenInfo } from './guards/token-info';
import { corsPreflight } from './http/cors';
import { introspectToken } from './introspection/introspection-endpoint';
import { authorizationServerMetadata } from './metadata/authorization-server-metadata';
import { DEVICE_CODE_GRANT, type ResolvedOptions } from './options/resolve-options';
import { revokeToken } from './revocation/revocation-endpoint';
import type { ApplicationService } from './services/application-service';
import type { GrantService } from './services/grant-service';
import type { TokenService } from './services/token-service';
import type { StorageAdapter } from './storage/storage-adapter';
import { exchangeToken } from './token/token-endpoint';

export interface OAuthRouterServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  applications: ApplicationService;
  grants: GrantService;
  tokens: TokenService;
  events: ProviderEvents;
  guardServices: GuardServices;
  onError: (error: unknown) => void;
}

/**
 * The OAuth endpoints under `basePath` plus the RFC 8414 metadata document. The device endpoints
 * exist only when the device grant is enabled, so the metadata and the routes always agree.
 */
export function oauthRouter(services: OAuthRouterServices): Router {
  const { options, guardServices, onError } = services;
  const base = options.basePath;
  const router = Router();
  const preflight = corsPreflight(options.corsOrigins);

  router.get(`${base}/authorize`, showAuthorization(services));
  router.post(`${base}/authorize`, decideAuthorization(services));
  router.options(`${base}/token`, preflight);
  router.post(`${base}/token`, exchangeToken(services));
  router.options(`${base}/revoke`, preflight);
  router.post(`${base}/revoke`, revokeToken(services));
  router.post(`${base}/introspect`, introspectToken(services));
  router.get(`${base}/token/info`, tokenInfo(guardServices));
  if (options.grantTypes.has(DEVICE_CODE_GRANT)) {
    const verification = deviceVerification(services);
    router.options(`${base}/device/code`, preflight);
    router.post(`${base}/device/code`, authorizeDevice(services));
    router.get(`${base}/device`, verification.show);
    router.post(`${base}/device`, verification.decide);
  }

  const metadata = authorizationServerMetadata(options);
  router.get('/.well-known/oauth-authorization-server', function serveMetadata(_req, res) {
    res.set('Access-Control-Allow-Origin', '*').json(metadata);
  });
  router.use(oauthErrorHandler(onError));
  return router;
}
