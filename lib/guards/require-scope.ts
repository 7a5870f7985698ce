import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendBearerError } from '../errors/error-responder';
import { InsufficientScopeError } from '../errors/oauth-error';
import type { ScopeRegistry } from '../scopes/scope-registry';
import {
  answerGuardError,
  type GuardServices,
  MissingTokenError,
  resolveOAuthContext,
  setScopeHeader,
} from './authenticate';

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
 * `public_repo`). Without a preceding authentication it answers 401 with a bare challenge (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * app.post('/api/repos', provider.authenticate(), requireScope('repo'), createRepo);
 * ```
 */
export function requireScope(...scopes: string[]): RequestHandler {
  checkScopeArguments(scopes, null);
  const accepted = scopes.join(', ');
  return function requireOneOfScopes(req: Request, res: Response, next: NextFunction): void {
    res.set('X-Accepted-OAuth-Scopes', accepted);
    const context = req.oauth;
    if (context === undefined) {
      sendBearerError(res, new MissingTokenError(), 'api', false);
      return;
    }
    if (scopes.some((scope) => context.effectiveScopes.has(scope))) {
      next();
      return;
    }
    sendBearerError(res, new InsufficientScopeError(scopes), 'api', true);
  };
}

/**
 * `provider.requireScope(...scopes)`: authenticates if `authenticate()` has not run yet, then
 * demands one of the scopes. `X-Accepted-OAuth-Scopes` lists every scope that would pass,
 * including the ones that include the required scopes, as GitHub does.
 */
export function requireScopeWithProvider(services: GuardServices, scopes: readonly string[]): RequestHandler {
  const { scopes: registry, realm } = services.options;
  checkScopeArguments(scopes, registry);
  const accepted = [...new Set(scopes.flatMap((scope) => registry.acceptedFor(scope)))].join(', ');
  const insufficient = new InsufficientScopeError(scopes);
  return function requireOneOfScopes(req: Request, res: Response, next: NextFunction): void {
    res.set('X-Accepted-OAuth-Scopes', accepted);
    const check = (): void => {
      const context = req.oauth;
      if (context !== undefined && scopes.some((scope) => context.effectiveScopes.has(scope))) next();
      else sendBearerError(res, insufficient, realm, true);
    };
    if (req.oauth !== undefined) {
      check();
      return;
    }
    resolveOAuthContext(req, services).then(
      (context) => {
        req.oauth = context;
        setScopeHeader(res, context);
        check();
      },
      (error: unknown) => answerGuardError(res, error, services),
    );
  };
}
