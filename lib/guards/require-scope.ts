import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InsufficientScopeError, MissingTokenError } from '../errors/oauth-error';
import type { ProviderContext } from '../provider-context';
import { sendBearerError } from '../respond/bearer';
import type { ScopeRegistry } from '../scopes/scope-registry';
import { answerGuardError, resolveOAuthContext, setScopeHeader } from './authenticate';
import { realmOf } from './oauth-context';
import { resourceOf } from './resource-binding';

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
 * `public_repo`). It answers in the realm of the provider that verified the token. Without a
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
  return function requireOneOfScopes(req: Request, res: Response, next: NextFunction): void {
    res.set('X-Accepted-OAuth-Scopes', accepted);
    const context = req.oauth;
    if (context === undefined) {
      sendBearerError(res, missing, null);
      return;
    }
    if (scopes.some((scope) => context.effectiveScopes.has(scope))) {
      next();
      return;
    }
    sendBearerError(res, insufficient, realmOf(context), resourceOf(context));
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
  return function authenticateAndRequireScope(req: Request, res: Response, next: NextFunction): void {
    res.set('X-Accepted-OAuth-Scopes', accepted);
    const check = (): void => {
      const context = req.oauth;
      if (context !== undefined && scopes.some((scope) => context.effectiveScopes.has(scope))) next();
      else sendBearerError(res, insufficient, realm, resourceOf(req.oauth));
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
