import { type RequestHandler, Router } from 'express';
import { adminRouter } from './admin/admin-router';
import { ClientDocumentResolver } from './client-documents/document-resolver';
import { jsonErrorFallback } from './endpoints/error-styles';
import { ConfigurationError } from './errors/configuration-error';
import { ProviderEvents } from './events/provider-events';
import type { GrantType } from './grants/grant-type';
import { GrantTypeRegistry } from './grants/registry';
import { type AuthenticateOptions, authenticate } from './guards/authenticate';
import { OAuthBearerStrategy } from './guards/passport-strategy';
import { type ProtectedResource, protectedResource } from './guards/protected-resource';
import {
  type RequireScopeOptions,
  requireScopeWithProvider,
  splitScopeArguments,
} from './guards/require-scope';
import { Limiter } from './limits/limiter';
import { eventLogger } from './logging/event-log';
import { Languages } from './messages/languages';
import { oauthRouter } from './oauth-router';
import { optionsView, type ProviderOptionsView } from './options/options-view';
import type { ProviderOptions } from './options/provider-options';
import { type ResolvedOptions, resolveOptions } from './options/resolve-options';
import type { ProviderContext } from './provider-context';
import { ProviderStartup } from './provider-startup';
import { schedulePurge } from './purge/purge-schedule';
import { ApplicationCache } from './services/application-cache';
import { ApplicationService } from './services/application-service';
import { ConfiguredClientService } from './services/configured-client-service';
import { DeviceService } from './services/device-service';
import { DynamicClientService } from './services/dynamic-client-service';
import { GrantService } from './services/grant-service';
import { PersonalTokenService } from './services/personal-token-service';
import { TokenService } from './services/token-service';
import { settingsPages } from './settings/pages/settings-pages-router';
import { settingsApi } from './settings/settings-api';
import { guardAdapter } from './storage/guarded-adapter';
import { PageRenderer } from './views/page-renderer';

/** What `createProvider()` returns. */
export interface Provider {
  /** The OAuth endpoints (`/oauth/authorize`, `/oauth/token`, metadata); mount at the app root. */
  router: Router;
  /**
   * The end-user pages (`/applications`, `/authorizations`, `/tokens`) and JSON API (`/api/...`);
   * mount where you like, e.g. `app.use('/settings', …)`.
   */
  settingsRouter: Router;
  /**
   * Operator pages and JSON API (`/api/applications`, `/api/users/:id/…`): every application,
   * host-created ones included, and a user's authorizations and tokens, each revocable. Mount it
   * behind your own admin check, e.g. `app.use('/admin', requireStaff, provider.adminRouter)`;
   * it also asks the `isAdmin(req)` option on every request (403 otherwise). Reading it without
   * `isAdmin` throws a `ConfigurationError`.
   */
  readonly adminRouter: Router;
  /** Middleware accepting a bearer token; sets `req.oauth`. */
  authenticate(options?: AuthenticateOptions): RequestHandler;
  /**
   * Middleware: authenticate if needed, then demand one of the scopes (inclusions count). A last
   * argument `{ resource: (req) => id, whenDenied?: 404 | 403 }` also demands the scope on that
   * resource (`req.oauth.allows(scope, id)`), answering 404 by default when it is not covered.
   */
  requireScope(...scopes: [...string[], RequireScopeOptions] | string[]): RequestHandler;
  /**
   * The guards and RFC 9728 metadata of one resource declared in the `resources` option: tokens
   * for another resource are refused, challenges carry `resource_metadata`. See
   * {@link ProtectedResource}.
   *
   * @example
   * ```ts
   * const mcp = provider.protectedResource(`${ISSUER}/mcp`);
   * app.post('/mcp', mcp.authenticate(), mcpHandler);
   * ```
   */
  protectedResource(uri: string): ProtectedResource;
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
  /**
   * Settles once the provider has started: the `clients` of the options are stored (at once when
   * there are none). It rejects if that failed (storage down, a `client_id` a user's application
   * holds); the endpoints wait for it and, after a failure, try again with the next request (503
   * while storage is down). Await it before listening:
   *
   * @example
   * ```ts
   * const provider = createProvider({ ...options, clients: [firstPartyApp] });
   * await provider.ready;
   * app.listen(3000);
   * ```
   */
  ready: Promise<void>;
  /**
   * Adds a grant type to the token endpoint (RFC 6749 §4.5 extension grants such as RFC 7523
   * JWT bearer or RFC 8693 token exchange). The handler gets the authenticated client and only
   * the parameters it declares, and issues tokens with `request.issue()`; they pass
   * `authenticate()` like any other. The grant appears in the metadata's `grant_types_supported`
   * at once. Register before the app serves requests; names must be new to this provider.
   *
   * @example
   * ```ts
   * provider.registerGrantType({
   *   name: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
   *   parameters: ['assertion', 'scope'],
   *   async handler({ params, provider, issue }) {
   *     const userId = await verifyAssertion(params.assertion); // the host's own check
   *     if (userId === null) throw new InvalidGrantError('The assertion is invalid');
   *     return issue({ userId, scopes: provider.options.scopes.parse(params.scope ?? 'user') });
   *   },
   * });
   * ```
   */
  registerGrantType(type: GrantType): void;
  /**
   * Stops what the provider runs in the background (the purge of expired records, every
   * `purgeIntervalSeconds`) and waits for a purge in progress. The routers keep answering.
   */
  close(): Promise<void>;
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
 * await provider.ready; // the `clients` of the options are stored
 * app.listen(3000);
 * ```
 */
export function createProvider(input: CreateProviderOptions): Provider {
  const resolved = resolveOptions(input);
  const onError = resolved.onError;
  const raw = resolved.adapter;
  // Every application write goes through the cache's watch, so the guard's cache forgets it.
  const applicationCache = new ApplicationCache(resolved.applicationCacheSeconds);
  const storage = applicationCache.watch(guardAdapter(raw, onError));
  const options: ResolvedOptions = { ...resolved, adapter: storage };
  const grantTypes = new GrantTypeRegistry(options);
  const events = new ProviderEvents(onError, eventLogger(options.logger));
  // The adapter's own counters when it has them: then every process on its store shares one budget.
  const createCounter = raw.createRateLimiter?.bind(raw);
  const limiter = new Limiter(options.limits, createCounter, events, onError, options.deviceCodeTtl);
  const tokens = new TokenService(options, storage, onError, events);
  const applications = new ApplicationService(options, storage, events, applicationCache);
  const grants = new GrantService(storage, options.scopes, events);
  const configured = new ConfiguredClientService(storage, events);
  const dynamicClients = new DynamicClientService(options, storage, applications, events);
  const startup = new ProviderStartup(() => configured.applyAll(options.clients), onError);
  const provider: ProviderContext = {
    options,
    applications,
    grants,
    tokens,
    personalTokens: new PersonalTokenService(
      storage,
      tokens,
      events,
      options.scopes,
      options.limits.personalTokensPerUser,
    ),
    devices: new DeviceService(options, storage, tokens, applications, grants, events),
    dynamicClients,
    clientDocuments: new ClientDocumentResolver(options, applications, dynamicClients, limiter, events),
    events,
    limiter,
    pages: new PageRenderer(options.views, new Languages(options.messages, options.locale, onError), onError),
    grantTypes,
    onError,
    allowHttpRedirectUris: options.allowHttpRedirectUris,
    whenStarted: () => startup.whenStarted(),
  };

  const settingsRouter = Router();
  settingsRouter.use('/api', settingsApi(provider));
  settingsRouter.use(settingsPages(provider));
  settingsRouter.use(jsonErrorFallback(provider));
  let admin: Router | undefined;
  const purge = schedulePurge(storage, options.purgeIntervalSeconds, options.logger, (now) =>
    dynamicClients.purgeUnused(now),
  );

  return {
    router: oauthRouter(provider),
    settingsRouter,
    get adminRouter(): Router {
      if (options.isAdmin === undefined) {
        throw new ConfigurationError(
          'isAdmin',
          'is required to use provider.adminRouter: (req) => boolean, true for administrators',
        );
      }
      admin ??= adminRouter(provider);
      return admin;
    },
    authenticate: (guardOptions) => authenticate(provider, guardOptions),
    requireScope: (...args) => requireScopeWithProvider(provider, ...splitScopeArguments(args)),
    protectedResource: (uri) => protectedResource(provider, uri),
    passportStrategy: () => new OAuthBearerStrategy(provider),
    applications,
    grants,
    tokens,
    personalTokens: provider.personalTokens,
    events,
    options: optionsView(options),
    ready: startup.ready,
    registerGrantType: (type) => grantTypes.register(type),
    close: () => purge.stop(),
  };
}
