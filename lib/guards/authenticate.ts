import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendBearerError, toOAuthError } from '../errors/error-responder';
import { InvalidTokenError, OAuthError } from '../errors/oauth-error';
import type { ResolvedOptions } from '../options/resolve-options';
import type { TokenService } from '../services/token-service';
import type { StorageAdapter, TokenRecord } from '../storage/storage-adapter';
import { extractBearerToken, type TokenSources } from './bearer-token';
import type { OAuthContext } from './oauth-context';

/** `last_used_at` is written at most this often per token, so the hot path rarely writes. */
const TOUCH_INTERVAL_MS = 60_000;

/** Thrown when a request carries no token at all: 401 with a bare challenge (RFC 6750 §3.1). */
export class MissingTokenError extends OAuthError {
  constructor() {
    super('invalid_request', 401, 'An access token is required');
  }
}

export interface GuardServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  tokens: TokenService;
  onUnexpected: (error: unknown) => void;
}

function recordUse(
  adapter: StorageAdapter,
  token: TokenRecord,
  now: Date,
  onError: (error: unknown) => void,
): void {
  if (token.lastUsedAt !== null && now.getTime() - token.lastUsedAt.getTime() < TOUCH_INTERVAL_MS) return;
  adapter.touchToken(token.id, now).catch(onError);
  if (token.grantId !== null) adapter.touchGrant(token.grantId, now).catch(onError);
}

/** Verifies the request's bearer token and builds `req.oauth`; throws an `OAuthError` otherwise. */
export async function resolveOAuthContext(
  req: Request,
  services: GuardServices,
  sources: TokenSources = services.options,
): Promise<OAuthContext> {
  const { options, adapter, tokens } = services;
  const extracted = extractBearerToken(req, sources);
  const presented = typeof extracted === 'string' || extracted === null ? extracted : await extracted;
  if (presented === null) throw new MissingTokenError();
  const now = new Date();
  const token = await tokens.verifyBearerToken(presented, now);
  const client = token.applicationId === null ? null : await adapter.findApplicationById(token.applicationId);
  let user: OAuthContext['user'] = null;
  if (token.userId !== null)
    user = options.findUser ? await options.findUser(token.userId) : { id: token.userId };
  // A token outlives neither its user (the host's findUser no longer knows them) nor its application.
  if ((token.userId !== null && user === null) || (token.applicationId !== null && client === null)) {
    throw new InvalidTokenError('The access token is invalid, expired or revoked');
  }
  recordUse(adapter, token, now, services.onUnexpected);
  return { token, user, client, scopes: token.scopes, effectiveScopes: options.scopes.expand(token.scopes) };
}

/** Answers a guard failure the RFC 6750 way. */
export function answerGuardError(res: Response, error: unknown, services: GuardServices): void {
  const oauthError = toOAuthError(error, services.onUnexpected);
  sendBearerError(res, oauthError, services.options.realm, !(oauthError instanceof MissingTokenError));
}

/** Sets GitHub's `X-OAuth-Scopes` header: the scopes the token carries. */
export function setScopeHeader(res: Response, context: OAuthContext): void {
  res.set('X-OAuth-Scopes', context.scopes.join(', '));
}

/**
 * `provider.authenticate()`: accepts a valid bearer token or answers 401/400 (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * app.get('/api/user', provider.authenticate(), (req, res) => res.json(req.oauth?.user));
 * ```
 */
export interface AuthenticateOptions {
  /** Accept `?access_token=`; default: the provider's `allowQueryAccessToken` (on). */
  allowQueryAccessToken?: boolean;
  /** Accept a form-body `access_token`; default: the provider's `allowBodyAccessToken` (on). */
  allowBodyAccessToken?: boolean;
}

export function authenticate(
  services: GuardServices,
  guardOptions: AuthenticateOptions = {},
): RequestHandler {
  const sources: TokenSources = {
    allowQueryAccessToken: guardOptions.allowQueryAccessToken ?? services.options.allowQueryAccessToken,
    allowBodyAccessToken: guardOptions.allowBodyAccessToken ?? services.options.allowBodyAccessToken,
    bodyLimit: services.options.bodyLimit,
  };
  return function authenticateBearerToken(req: Request, res: Response, next: NextFunction): void {
    resolveOAuthContext(req, services, sources).then(
      (context) => {
        req.oauth = context;
        setScopeHeader(res, context);
        next();
      },
      (error: unknown) => answerGuardError(res, error, services),
    );
  };
}
