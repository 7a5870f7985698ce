import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidTokenError, MissingTokenError, UserRequiredError } from '../errors/oauth-error';
import type { ProviderContext } from '../provider-context';
import { sendBearerError } from '../respond/bearer';
import { toHttpError } from '../respond/json';
import type { ApplicationRecord } from '../storage/storage-adapter';
import { extractBearerToken, type TokenSources } from './bearer-token';
import { type OAuthContext, sourceOf, type VerifiedOAuthContext, verifiedContext } from './oauth-context';
import { acceptsAudience, type ResourceBinding, rememberResource, resourceBinding } from './resource-binding';

/** Options of `provider.authenticate()`. */
export interface AuthenticateOptions {
  /** Accept `?access_token=`; default: the provider's `allowQueryAccessToken` (on). */
  allowQueryAccessToken?: boolean;
  /** Accept a form-body `access_token`; default: the provider's `allowBodyAccessToken` (on). */
  allowBodyAccessToken?: boolean;
  /**
   * Refuse tokens that have no user (client_credentials tokens) with 403 `insufficient_scope`,
   * for routes that act for a user (`GET /api/user`). Default: `false`.
   */
  requireUser?: boolean;
  /**
   * The declared resource (RFC 8707) this route belongs to: tokens issued for another resource,
   * or without `resource` where it has `audienceRequired`, get 401 `invalid_token`, and every
   * challenge carries its `resource_metadata` (RFC 9728 §5.1). See `provider.protectedResource()`.
   */
  resource?: string;
}

/**
 * Verifies the request's bearer token and builds `req.oauth`; throws an `OAuthError` otherwise.
 * The hot path of every protected request: one storage read for the token, its client from the
 * guard's cache (`applicationCacheSeconds`), and the `last_used_at` write at most once a minute,
 * never awaited.
 */
export async function resolveOAuthContext(
  req: Request,
  provider: ProviderContext,
  sources: TokenSources = provider.options,
): Promise<VerifiedOAuthContext> {
  const { options, tokens, applications } = provider;
  const extracted = extractBearerToken(req, sources);
  const presented = extracted instanceof Promise ? await extracted : extracted;
  if (presented === null) throw new MissingTokenError();
  // RFC 6750 §2.2: a form-body token is the guard's, not the host's; its route never sees it.
  if (presented.source === 'body' && typeof req.body === 'object' && req.body !== null) {
    Reflect.deleteProperty(req.body, 'access_token');
  }
  const now = new Date();
  const token = await tokens.verifyBearerToken(presented.token, now);
  let client: ApplicationRecord | null = null;
  if (token.applicationId !== null) {
    // In the steady state the application is in the guard's cache: taken without an await.
    const cached = applications.cachedForGuard(token.applicationId);
    client = cached !== undefined ? cached : await applications.findForGuard(token.applicationId);
  }
  let user: OAuthContext['user'] = null;
  if (token.userId !== null)
    user = options.findUser ? await options.findUser(token.userId) : { id: token.userId };
  // A token outlives neither its user (the host's findUser no longer knows them) nor its application.
  if ((token.userId !== null && user === null) || (token.applicationId !== null && client === null)) {
    throw new InvalidTokenError('The access token is invalid, expired or revoked');
  }
  tokens.recordUse(token, now);
  return verifiedContext(
    token,
    user,
    client,
    options.scopes.expand(token.scopes),
    { realm: options.realm, scopes: options.scopes },
    presented.source,
  );
}

/** Answers a guard failure the RFC 6750 way: challenge and JSON body, in the provider's realm. */
export function answerGuardError(
  res: Response,
  error: unknown,
  provider: ProviderContext,
  resource: ResourceBinding | null = null,
): void {
  sendBearerError(res, toHttpError(error, provider.onError), provider.options.realm, resource);
}

/**
 * The headers of every authenticated answer: GitHub's `X-OAuth-Scopes` (the token's scopes), and
 * for a token sent in the query `Cache-Control: private` (RFC 6750 §2.3: the URL holds a
 * credential, so shared caches must not keep the answer; the host may set a stricter value).
 */
export function setScopeHeader(res: Response, context: OAuthContext): void {
  res.setHeader('X-OAuth-Scopes', context.scopes.join(', '));
  if (sourceOf(context) === 'query') res.setHeader('Cache-Control', 'private');
}

/**
 * `provider.authenticate()`: accepts a valid bearer token or answers 401/400 (RFC 6750 §3.1);
 * with `requireUser`, a token without a user gets 403 `insufficient_scope`.
 *
 * @example
 * ```ts
 * app.get('/api/user', provider.authenticate({ requireUser: true }), (req, res) => res.json(req.oauth?.user));
 * ```
 */
export function authenticate(
  provider: ProviderContext,
  guardOptions: AuthenticateOptions = {},
): RequestHandler {
  const { options } = provider;
  const sources: TokenSources = {
    allowQueryAccessToken: guardOptions.allowQueryAccessToken ?? options.allowQueryAccessToken,
    allowBodyAccessToken: guardOptions.allowBodyAccessToken ?? options.allowBodyAccessToken,
    bodyLimit: options.bodyLimit,
  };
  const requireUser = guardOptions.requireUser === true;
  const userRequired = new UserRequiredError();
  const resource =
    guardOptions.resource === undefined ? null : resourceBinding(provider, guardOptions.resource);
  return function authenticateBearerToken(req: Request, res: Response, next: NextFunction): void {
    resolveOAuthContext(req, provider, sources).then(
      (context) => {
        if (resource !== null && !acceptsAudience(resource, context.token)) {
          sendBearerError(res, resource.wrongAudience, options.realm, resource);
          return;
        }
        setScopeHeader(res, context);
        if (requireUser && context.user === null) {
          sendBearerError(res, userRequired, options.realm, resource);
          return;
        }
        if (resource !== null) rememberResource(context, resource);
        req.oauth = context;
        next();
      },
      (error: unknown) => answerGuardError(res, error, provider, resource),
    );
  };
}
