import type { ResourceOwner } from '../options/provider-options';
import { allowsResource } from '../scopes/resource-access';
import type { ScopeRegistry } from '../scopes/scope-registry';
import type { ApplicationRecord, ResourceSelection, TokenRecord } from '../storage/storage-adapter';

/** What `authenticate()` puts on `req.oauth` for the host's route handlers. */
export interface OAuthContext {
  /** The stored record of the presented token (its `hash` is of no use to anyone). */
  token: TokenRecord;
  /** The resource owner (from `findUser`, or `{ id }`); `null` for client_credentials tokens. */
  user: ResourceOwner | null;
  /** The application the token was issued to; `null` for personal access tokens. */
  client: ApplicationRecord | null;
  /** The token's scopes, as granted. */
  scopes: string[];
  /** The scopes with everything they include (`repo` → `repo`, `public_repo`); guards check this. */
  effectiveScopes: ReadonlySet<string>;
  /** Per resource-scoped scope, the resources the token may touch; `null`: all of the user's. */
  resourceSelection: ResourceSelection | null;
  /**
   * Whether the token may use `scope` (inclusions count) on the resource `resourceId`. For a
   * scope that applies to resources, the token must cover that resource (an unrestricted grant
   * covers all); for any other scope the resource does not matter. Whether the resource is the
   * user's at all is the host's to check, as without selections.
   *
   * @example
   * ```ts
   * if (!req.oauth?.allows('repo', `${owner}/${name}`)) return res.status(404).end();
   * ```
   */
  allows(scope: string, resourceId: string): boolean;
}

/**
 * The provider's `WWW-Authenticate` realm, carried on the context so that a guard running after
 * `authenticate()` (the standalone `requireScope`) answers in the same realm. A symbol: it is not
 * part of the host-facing shape and never appears in JSON.
 */
const REALM = Symbol('express-oauth-provider.realm');

/** The context as our guards build it. */
export interface VerifiedOAuthContext extends OAuthContext {
  readonly [REALM]: string;
}

/** Builds `req.oauth` (one object, as before), remembering the realm of the provider that verified it. */
export function verifiedContext(
  token: TokenRecord,
  user: ResourceOwner | null,
  client: ApplicationRecord | null,
  registry: ScopeRegistry,
  realm: string,
): VerifiedOAuthContext {
  const selection = token.resourceSelection;
  return {
    token,
    user,
    client,
    scopes: token.scopes,
    effectiveScopes: registry.expand(token.scopes),
    resourceSelection: selection,
    allows: (scope, resourceId) => allowsResource(registry, token.scopes, selection, scope, resourceId),
    [REALM]: realm,
  };
}

/** The realm of the provider that built this context, or `null` if none did. */
export function realmOf(context: OAuthContext | undefined): string | null {
  const realm: unknown = context === undefined ? undefined : Reflect.get(context, REALM);
  return typeof realm === 'string' ? realm : null;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `provider.authenticate()` for a request with a valid bearer token. */
      oauth?: OAuthContext;
    }
  }
}
