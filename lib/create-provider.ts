import { type RequestHandler, Router } from 'express';
import { oauthErrorHandler } from './errors/error-responder';
import { ProviderEvents } from './events/provider-events';
import { type AuthenticateOptions, authenticate, type GuardServices } from './guards/authenticate';
import { OAuthBearerStrategy } from './guards/passport-strategy';
import { requireScopeWithProvider } from './guards/require-scope';
import { oauthRouter } from './oauth-router';
import { optionsView, type ProviderOptionsView } from './options/options-view';
import type { ProviderOptions } from './options/provider-options';
import { type ResolvedOptions, resolveOptions } from './options/resolve-options';
import { ApplicationService } from './services/application-service';
import { GrantService } from './services/grant-service';
import { PersonalTokenService } from './services/personal-token-service';
import { TokenService } from './services/token-service';
import { settingsPages } from './settings/pages/settings-pages-router';
import { settingsApi } from './settings/settings-api';
import { guardAdapter } from './storage/guarded-adapter';
import type { StorageAdapter } from './storage/storage-adapter';

/** What `createProvider()` returns. */
export interface Provider {
  /** The OAuth endpoints (`/oauth/authorize`, `/oauth/token`, metadata); mount at the app root. */
  router: Router;
  /**
   * The end-user pages (`/applications`, `/authorizations`, `/tokens`) and JSON API (`/api/...`);
   * mount where you like, e.g. `app.use('/settings', …)`.
   */
  settingsRouter: Router;
  /** Middleware accepting a bearer token; sets `req.oauth`. */
  authenticate(options?: AuthenticateOptions): RequestHandler;
  /** Middleware: authenticate if needed, then demand one of the scopes (inclusions count). */
  requireScope(...scopes: string[]): RequestHandler;
  /** A passport strategy named `oauth-bearer` doing what `authenticate()` does. */
  passportStrategy(): OAuthBearerStrategy;
  /** Service API for host code and admin scripts. */
  applications: ApplicationService;
  grants: GrantService;
  tokens: TokenService;
  personalTokens: PersonalTokenService;
  /** Typed events for logging and audit (`token.issued`, `grant.revoked`, …); never carry secrets. */
  events: ProviderEvents;
  /** The resolved configuration, frozen, without the CSRF key or the storage adapter. */
  options: ProviderOptionsView;
}

/** The options of `createProvider()`; the same as `ProviderOptions`. */
export type CreateProviderOptions = ProviderOptions;

/**
 * Turns an Express app into an OAuth 2.0 provider.
 *
 * @example
 * ```ts
 * const provider = createProvider({
 *   adapter: new MemoryAdapter(),
 *   issuer: 'http://localhost:3000',
 *   scopes: { user: { description: 'Read your profile' }, repo: { description: 'Repositories', includes: ['public_repo'] },
 *             public_repo: { description: 'Public repositories' } },
 *   currentUser: (req) => req.user ?? null,
 *   loginUrl: '/login',
 * });
 * app.use(provider.router);
 * app.get('/api/repos', provider.requireScope('public_repo'), listRepos);
 * ```
 */
export function createProvider(input: CreateProviderOptions): Provider {
  const resolved = resolveOptions(input);
  const onError = resolved.onError;
  const adapter: StorageAdapter = guardAdapter(resolved.adapter, onError);
  const options: ResolvedOptions = { ...resolved, adapter };
  const tokens = new TokenService(options, adapter);
  const events = new ProviderEvents(onError);
  const applications = new ApplicationService(options, adapter, events);
  const grants = new GrantService(adapter, options.scopes, events);
  const personalTokens = new PersonalTokenService(adapter, tokens, events, options.scopes);
  const guardServices: GuardServices = { options, adapter, tokens, onUnexpected: onError };

  const router = oauthRouter({
    options,
    adapter,
    applications,
    grants,
    tokens,
    events,
    guardServices,
    onError,
  });

  const settingsRouter = Router();
  settingsRouter.use(
    '/api',
    settingsApi({
      options,
      applications,
      grants,
      personalTokens,
    }),
  );
  settingsRouter.use(
    settingsPages({
      options,
      applications,
      grants,
      personalTokens,
      onError,
    }),
  );
  settingsRouter.use(oauthErrorHandler(onError));

  return {
    router,
    settingsRouter,
    authenticate: (guardOptions) => authenticate(guardServices, guardOptions),
    requireScope: (...scopes) => requireScopeWithProvider(guardServices, scopes),
    passportStrategy: () => new OAuthBearerStrategy(guardServices),
    applications,
    grants,
    tokens,
    personalTokens,
    events,
    options: optionsView(options),
  };
}
