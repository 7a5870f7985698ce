import { randomUUID } from 'node:crypto';
import type { GrantRecord, StorageAdapter } from '../../adapters/storage-adapter';
import type { ScopeRegistry } from '../scopes/scope-registry';

/** Consents: which user authorized which application for which scopes. */
export class GrantService {
  constructor(
    private readonly adapter: StorageAdapter,
    private readonly scopes: ScopeRegistry,
  ) {}

  /** The user's grant to the application if it already covers `requested` (so consent can be skipped). */
  async findCovering(
    userId: string,
    applicationId: string,
    requested: readonly string[],
  ): Promise<GrantRecord | null> {
    const grant = await this.adapter.findGrant(userId, applicationId);
    return grant !== null && this.scopes.covers(grant.scopes, requested) ? grant : null;
  }

  /** Records an approval; the grant's scopes grow to the union of what was ever approved. */
  async approve(userId: string, applicationId: string, approved: readonly string[]): Promise<GrantRecord> {
    const now = new Date();
    const existing = await this.adapter.findGrant(userId, applicationId);
    const scopes = this.scopes.normalize([...(existing?.scopes ?? []), ...approved]);
    return this.adapter.saveGrant({
      id: existing?.id ?? randomUUID(),
      userId,
      applicationId,
      scopes,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      lastUsedAt: existing?.lastUsedAt ?? null,
    });
  }

  listForUser(userId: string): Promise<GrantRecord[]> {
    return this.adapter.listGrantsByUser(userId);
  }

  /** Revokes every token of the grant, then deletes it. Returns `false` if there was none. */
  async revoke(userId: string, applicationId: string): Promise<boolean> {
    const grant = await this.adapter.findGrant(userId, applicationId);
    if (grant === null) return false;
    await this.adapter.revokeTokens({ grantId: grant.id }, new Date());
    return this.adapter.deleteGrant(grant.id);
  }
}
