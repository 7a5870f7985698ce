import type { ProviderContext } from '../provider-context';
import { applicationJson } from '../settings/serialize';
import type { ApplicationRecord, GrantRecord, TokenRecord } from '../storage/storage-adapter';

/** A user's grants with their applications, and live tokens with theirs: what the admin pages and API show. */
export interface UserRecords {
  authorizations: { grant: GrantRecord; application: ApplicationRecord }[];
  tokens: { record: TokenRecord; application: ApplicationRecord | null }[];
}

/** Loads a user's authorizations and live tokens through the services. */
export async function loadUserRecords(provider: ProviderContext, userId: string): Promise<UserRecords> {
  const { applications, grants, tokens } = provider;
  const known = new Map<string, ApplicationRecord | null>();
  const application = async (id: string | null): Promise<ApplicationRecord | null> => {
    if (id === null) return null;
    if (!known.has(id)) known.set(id, await applications.findById(id));
    return known.get(id) ?? null;
  };
  const authorizations: UserRecords['authorizations'] = [];
  for (const grant of await grants.listForUser(userId)) {
    const found = await application(grant.applicationId);
    if (found !== null) authorizations.push({ grant, application: found });
  }
  const live: UserRecords['tokens'] = [];
  for (const record of await tokens.listForUser(userId)) {
    live.push({ record, application: await application(record.applicationId) });
  }
  return { authorizations, tokens: live };
}

/**
 * The JSON of an application as the admin API shows it: the settings API's fields, its owner and
 * its trust (read-only here: only host code changes it, with `applications.setTrust`).
 */
export function adminApplicationJson(application: ApplicationRecord) {
  // The settings JSON carries `trust`; the operator also sees `skip_consent`.
  return {
    ...applicationJson(application),
    owner_id: application.ownerId,
    skip_consent: application.skipConsent,
  };
}

/** A user's live token as the admin API shows it (never a secret or a hash). */
export function adminTokenJson(record: TokenRecord, application: ApplicationRecord | null) {
  return {
    id: record.id,
    kind: record.kind,
    client_id: application?.clientId ?? null,
    name: record.name,
    scopes: record.scopes,
    created_at: record.createdAt.toISOString(),
    last_used_at: record.lastUsedAt?.toISOString() ?? null,
    expires_at: record.expiresAt?.toISOString() ?? null,
  };
}
