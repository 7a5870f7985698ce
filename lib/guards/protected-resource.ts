import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { resourceMetadataRouter } from '../endpoints/resource-metadata';
import type { ProviderContext } from '../provider-context';
import { type AuthenticateOptions, authenticate } from './authenticate';
import { type RequireScopeOptions, requireScopeWithProvider, splitScopeArguments } from './require-scope';
import { resourceBinding } from './resource-binding';

/** What `provider.protectedResource(uri)` returns: the guards and metadata of one resource. */
export interface ProtectedResource {
  /** The resource identifier as declared in the `resources` option. */
  readonly resource: string;
  /** Its RFC 9728 metadata URL, as its challenges' `resource_metadata` say. */
  readonly metadataUrl: string;
  /** `provider.authenticate({ ...options, resource })`. */
  authenticate(options?: Omit<AuthenticateOptions, 'resource'>): RequestHandler;
  /**
   * Authenticates for this resource, then demands one of the scopes (403 names them all). A last
   * argument `{ resource: (req) => id }` also demands the scope on that one resource of the user
   * (fine-grained access, as `provider.requireScope`); that `resource` is a resource id such as
   * `alice/notes`, not this RFC 8707 resource.
   */
  requireScope(...scopes: [...string[], RequireScopeOptions] | string[]): RequestHandler;
  /**
   * Serves the metadata document at `/.well-known/oauth-protected-resource<path>`. The provider's
   * own `router` already serves it for resources on the issuer's origin; mount this one at the
   * root of the app of a resource on another origin.
   */
  readonly metadataRouter: Router;
}

/**
 * `provider.protectedResource(uri)`: guards bound to one declared resource (RFC 8707 audience
 * checks, RFC 9728 challenges) and its metadata. Throws a `TypeError` for an undeclared `uri`.
 *
 * @example
 * ```ts
 * const mcp = provider.protectedResource('https://example.com/mcp');
 * app.post('/mcp', mcp.authenticate(), handleMcp);
 * app.get('/mcp/repos', mcp.requireScope('public_repo'), listRepos);
 * ```
 */
export function protectedResource(provider: ProviderContext, uri: string): ProtectedResource {
  const binding = resourceBinding(provider, uri);
  const resource = binding.resource.uri;
  let metadata: Router | undefined;
  return {
    resource,
    metadataUrl: binding.metadataUrl,
    authenticate: (options = {}) => authenticate(provider, { ...options, resource }),
    requireScope(...args) {
      const check = requireScopeWithProvider(provider, ...splitScopeArguments(args));
      const authenticateHere = authenticate(provider, { resource });
      return function authenticateForResourceAndRequireScope(
        req: Request,
        res: Response,
        next: NextFunction,
      ) {
        authenticateHere(req, res, (error?: unknown) =>
          error === undefined ? check(req, res, next) : next(error),
        );
      };
    },
    get metadataRouter(): Router {
      metadata ??= resourceMetadataRouter(provider, [binding.resource]);
      return metadata;
    },
  };
}
