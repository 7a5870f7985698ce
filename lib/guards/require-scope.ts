import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { NotFoundError } from '../errors/http-error';
import { InsufficientScopeError, MissingTokenError, UserRequiredError } from '../errors/oauth-error';
import type { ProviderContext } from '../provider-context';
import { sendBearerError } from '../respond/bearer';
import { sendJsonError } from '../respond/json';
import type { ScopeRegistry } from '../scopes/scope-registry';
import { answerGuardError, resolveOAuthContext, setScopeHeader } from './authenticate';
import { type OAuthContext, verifierOf } from './oauth-context';
import { resourceOf } from './resource-binding';

/**
 * Why a token does not pass a route requiring one of `scopes`, or `null` if it does. A scope
 * passes when the token has it (inclusions count) and, for a token without a user (a
 * client_credentials token), when clients may hold it (RFC 9700 §4.15: a machine token never
 * passes a route that acts for a user). Without the provider's scopes (a context our guards did
 * not build), scopes are held by users only, their default.
 */
function refusal(
  context: OAuthContext,
  scopes: readonly string[],
  registry: ScopeRegistry | null,
): 'insufficient' | 'no_user' | null {
  const carried = scopes.filter((scope) => context.effectiveScopes.has(scope));
  if (carried.length === 0) return 'insufficient';
  if (context.user !== null) return null;
  const machineScope = carried.some((scope) => registry?.heldBy(scope, 'client') === true);
  return machineScope ? null : 'no_user';
}

function checkScopeArguments(scopes: readonly string[], registry: ScopeRegistry | null): void {
  if (scopes.length === 0) throw new TypeError('requireScope() needs at least one scope');
  for (const scope of scopes) {
    if (typeof scope !== 'string' || scope === '')
      throw new TypeError('requireScope() takes scope names (strings)');
    if (registry !== null && !registry.has(scope)) {
      throw new TypeError(`requireScope(): "${scope}" is not a declared scope`);
    }
  }
}

/**
 * Standalone `requireScope(...scopes)` for use after `provider.authenticate()` (or the passport
 * strategy): passes if the token carries one of the scopes, counting inclusions (`repo` covers
 * `public_repo`). A token without a user (client_credentials) passes only on a scope declared
 * for clients (`holders: ['client']`); on a user's scope it gets 403 `insufficient_scope` saying
 * the token has no user. It answers in the realm of the provider that verified the token. Without a
 * preceding authentication it answers 401 with a bare challenge (RFC 6750 §3.1), without a realm:
 * no provider has told it one.
 *
 * @example
 * ```ts
 * app.post('/api/repos', provider.authenticate(), requireScope('repo'), createRepo);
 * ```
 */
export function requireScope(...scopes: string[]): RequestHandler {
  checkScopeArguments(scopes, null);
  const accepted = scopes.join(', ');
  const missing = new MissingTokenError();
  const insufficient = new InsufficientScopeError(scopes);
  const userless = new UserRequiredError(scopes);
  return function requireOneOfScopes(req: Request, res: Response, next: NextFunction): void {
    res.setHeader('X-Accepted-OAuth-Scopes', accepted);
    const context = req.oauth;
    if (context === undefined) {
      sendBearerError(res, missing, null);
      return;
    }
    const verifier = verifierOf(context);
    const refused = refusal(context, scopes, verifier?.scopes ?? null);
    if (refused === null) next();
    else
      sendBearerError(
        res,
        refused === 'no_user' ? userless : insufficient,
        verifier?.realm ?? null,
        resourceOf(context),
      );
  };
}

/** The resource a route acts on, for `provider.requireScope(...scopes, { resource })`. */
export interface RequireScopeOptions {
  /** The id of the resource the request acts on (`alice/notes`), compared with the token's selection. */
  resource: (req: Request) => string;
  /**
   * The answer when the token holds the scope but not on this resource: 404 (the default, as
   * GitHub answers: a token that may not see a private repository must not learn it exists) or
   * 403 `insufficient_scope`.
   */
  whenDenied?: 404 | 403;
}

/** The scopes and the trailing options object of `provider.requireScope(...)`. */
export function splitScopeArguments(
  args: readonly (string | RequireScopeOptions)[],
): [string[], RequireScopeOptions | undefined] {
  const last = args[args.length - 1];
  const options = typeof last === 'object' && last !== null ? last : undefined;
  const scopes: string[] = [];
  for (const scope of options === undefined ? args : args.slice(0, -1)) {
    if (typeof scope !== 'string') throw new TypeError('requireScope(): the options object goes last');
    scopes.push(scope);
  }
  if (options !== undefined && typeof options.resource !== 'function') {
    throw new TypeError('requireScope(): `resource` must be a function (req) => resource id');
  }
  if (options?.whenDenied !== undefined && options.whenDenied !== 404 && options.whenDenied !== 403) {
    throw new TypeError('requireScope(): `whenDenied` must be 404 or 403');
  }
  return [scopes, options];
}

/**
 * `provider.requireScope(...scopes)`: authenticates if `authenticate()` has not run yet, then
 * demands one of the scopes. `X-Accepted-OAuth-Scopes` lists every scope that would pass,
 * including the ones that include the required scopes, as GitHub does.
 */
export function requireScopeWithProvider(
  provider: ProviderContext,
  scopes: readonly string[],
  resourceOptions?: RequireScopeOptions,
): RequestHandler {
  const { scopes: registry, realm } = provider.options;
  checkScopeArguments(scopes, registry);
  const accepted = [...new Set(scopes.flatMap((scope) => registry.acceptedFor(scope)))].join(', ');
  const insufficient = new InsufficientScopeError(scopes);
  const userless = new UserRequiredError(scopes);
  const notFound = new NotFoundError('Not Found');
  return function authenticateAndRequireScope(req: Request, res: Response, next: NextFunction): void {
    res.setHeader('X-Accepted-OAuth-Scopes', accepted);
    const check = (): void => {
      const context = req.oauth;
      const refused = context === undefined ? 'insufficient' : refusal(context, scopes, registry);
      if (refused !== null) {
        sendBearerError(res, refused === 'no_user' ? userless : insufficient, realm, resourceOf(context));
        return;
      }
      if (resourceOptions === undefined) {
        next();
        return;
      }
      // The scope on this resource: a token restricted to other resources is refused.
      const resource = resourceOptions.resource(req);
      if (context !== undefined && scopes.some((scope) => context.allows(scope, resource))) next();
      else if (resourceOptions.whenDenied === 403)
        sendBearerError(res, insufficient, realm, resourceOf(context));
      else sendJsonError(res, notFound);
    };
    if (req.oauth !== undefined) {
      check();
      return;
    }
    resolveOAuthContext(req, provider).then(
      (context) => {
        req.oauth = context;
        setScopeHeader(res, context);
        check();
      },
      (error: unknown) => answerGuardError(res, error, provider),
    );
  };
}
