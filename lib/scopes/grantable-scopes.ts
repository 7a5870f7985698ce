import { InvalidScopeError } from '../errors/oauth-error';
import type { ApplicationRecord } from '../storage/storage-adapter';
import type { ScopeRegistry } from './scope-registry';

/**
 * The scopes a client acting on its own behalf (RFC 6749 §4.4, client_credentials) is granted.
 * RFC 9700 §4.15: machine tokens are not user tokens, so only scopes declared for clients
 * (`holders: ['client']`) and, when the application lists scopes, only those it may request.
 * `requested` is the parsed `scope` parameter, or `null` when it was left out: then every
 * client-held scope the application may hold (possibly none). Throws `invalid_scope`.
 */
export function scopesForClient(
  registry: ScopeRegistry,
  application: ApplicationRecord,
  requested: readonly string[] | null,
): string[] {
  const allowed = application.scopes.length > 0 ? application.scopes : registry.names;
  if (requested === null) {
    const held = registry.names.filter((scope) => registry.heldBy(scope, 'client'));
    return registry.normalize(held.filter((scope) => registry.covers(allowed, [scope])));
  }
  registry.requireHeldBy(requested, 'client');
  if (!registry.covers(allowed, requested)) {
    throw new InvalidScopeError('The requested scope is not allowed for this client');
  }
  return registry.normalize(requested);
}

/**
 * The scopes a user's token (authorization code, device, password) may carry: only user-held
 * scopes (RFC 9700 §4.15), covered by the application's scopes when it lists some; an empty
 * request gets `defaultScopes`. Throws `invalid_scope`.
 */
export function scopesForUser(
  registry: ScopeRegistry,
  application: ApplicationRecord,
  requested: readonly string[],
  defaultScopes: readonly string[],
): string[] {
  const scopes = registry.normalize(requested.length > 0 ? requested : defaultScopes);
  registry.requireHeldBy(scopes, 'user');
  if (application.scopes.length > 0 && !registry.covers(application.scopes, scopes)) {
    throw new InvalidScopeError('The requested scope is not allowed for this application');
  }
  return scopes;
}
