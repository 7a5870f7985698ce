import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InsufficientScopeError, MissingTokenError, UserRequiredError } from '../errors/oauth-error';
import type { ProviderContext } from '../provider-context';
import { sendBearerError } from '../respond/bearer';
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

/**
 * `provider.requireScope(...scopes)`: authenticates if `authenticate()` has not run yet, then
 * demands one of the scopes. `X-Accepted-OAuth-Scopes` lists every scope that would pass,
 * including the ones that include the required scopes, as GitHub does.
 */
export function requireScopeWithProvider(
  provider: ProviderContext,
  scopes: readonly string[],
): RequestHandler {
  const { scopes: registry, realm } = provider.options;
  checkScopeArguments(scopes, registry);
  const accepted = [...new Set(scopes.flatMap((scope) => registry.acceptedFor(scope)))].join(', ');
  const insufficient = new InsufficientScopeError(scopes);
  const userless = new UserRequiredError(scopes);
  return function authenticateAndRequireScope(req: Request, res: Response, next: NextFunction): void {
    res.setHeader('X-Accepted-OAuth-Scopes', accepted);
    const check = (): void => {
      const context = req.oauth;
      const refused = context === undefined ? 'insufficient' : refusal(context, scopes, registry);
      if (refused === null) next();
      else sendBearerError(res, refused === 'no_user' ? userless : insufficient, realm, resourceOf(context));
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
