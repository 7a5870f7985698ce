import type { ApplicationRecord, GrantRecord, TokenRecord } from '../storage/storage-adapter';

/** The JSON API's view of an application: snake_case, never a secret or its hash. */
export function applicationJson(application: ApplicationRecord) {
  return {
    id: application.id,
    client_id: application.clientId,
    name: application.name,
    homepage_url: application.homepageUrl,
    redirect_uris: application.redirectUris,
    confidential: application.confidential,
    scopes: application.scopes,
    /** `user` for what users register; anything else is managed by the host and read-only here. */
    trust: application.trust,
    created_at: application.createdAt.toISOString(),
    updated_at: application.updatedAt.toISOString(),
  };
}

export function authorizationJson(grant: GrantRecord, application: ApplicationRecord) {
  return {
    client_id: application.clientId,
    name: application.name,
    homepage_url: application.homepageUrl,
    scopes: grant.scopes,
    // Fine-grained: per resource-scoped scope, the resources chosen; `null`: all of them.
    resources: grant.resourceSelection,
    created_at: grant.createdAt.toISOString(),
    last_used_at: grant.lastUsedAt?.toISOString() ?? null,
  };
}

export function personalTokenJson(record: TokenRecord) {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    resources: restrictionOf(record),
    created_at: record.createdAt.toISOString(),
    last_used_at: record.lastUsedAt?.toISOString() ?? null,
    expires_at: record.expiresAt?.toISOString() ?? null,
  };
}

/** The resources a personal token was restricted to, per scope of its own (`null`: all). */
function restrictionOf(record: TokenRecord) {
  const selection = record.resourceSelection;
  if (selection === null) return null;
  const own = Object.entries(selection).filter(([scope]) => record.scopes.includes(scope));
  return own.length === 0 ? null : Object.fromEntries(own);
}
