import { randomUUID } from 'node:crypto';
import type { ProviderEvents } from '../events/provider-events';
import type { ScopeRegistry } from '../scopes/scope-registry';
import type { ApplicationRecord, GrantRecord, StorageAdapter } from '../storage/storage-adapter';

/** Consents: which user authorized which application for which scopes. */
export class GrantService {
  constructor(
    private readonly adapter: StorageAdapter,
    private readonly scopes: ScopeRegistry,
    private readonly events: ProviderEvents,
  ) {}

  /** The user's grant to the application, or `null`. */
  find(userId: string, applicationId: string): Promise<GrantRecord | null> {
    return this.adapter.findGrant(userId, applicationId);
  }

  /**
   * The user's grant to the application if it already covers `requested` and every resource in
   * `resources` (RFC 8707: the user approved the application for them), so consent can be skipped.
   */
  async findCovering(
    userId: string,
    applicationId: string,
    requested: readonly string[],
    resources: readonly string[] = [],
  ): Promise<GrantRecord | null> {
    const grant = await this.adapter.findGrant(userId, applicationId);
    if (grant === null || !this.scopes.covers(grant.scopes, requested)) return null;
    return resources.every((uri) => grant.audience.includes(uri)) ? grant : null;
  }

  /**
   * Records an approval; the grant's scopes and resources (its audience, RFC 8707) grow to the
   * union of what was ever approved.
   */
  async approve(
    userId: string,
    application: ApplicationRecord,
    approved: readonly string[],
    resources: readonly string[] = [],
  ): Promise<GrantRecord> {
    const now = new Date();
    const applicationId = application.id;
    const existing = await this.adapter.findGrant(userId, applicationId);
    const scopes = this.scopes.normalize([...(existing?.scopes ?? []), ...approved]);
    const grant = await this.adapter.saveGrant({
      id: existing?.id ?? randomUUID(),
      userId,
      applicationId,
      scopes,
      audience: [...new Set([...(existing?.audience ?? []), ...resources])],
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      lastUsedAt: existing?.lastUsedAt ?? null,
    });
    this.events.emit('authorization.granted', {
      userId,
      clientId: application.clientId,
      scopes: [...approved],
    });
    return grant;
  }

  listForUser(userId: string): Promise<GrantRecord[]> {
    return this.adapter.listGrantsByUser(userId);
  }

  /**
   * Revokes every token of the grant, then deletes it. Returns `false` if there was none.
   * `by`: who did it, for the `grant.revoked` event (`user` in the settings, `admin` for an operator).
   */
  async revoke(
    userId: string,
    application: ApplicationRecord,
    by: 'user' | 'admin' = 'user',
  ): Promise<boolean> {
    const grant = await this.adapter.findGrant(userId, application.id);
    if (grant === null) return false;
    const count = await this.adapter.revokeTokens({ grantId: grant.id }, new Date());
    const deleted = await this.adapter.deleteGrant(grant.id);
    const clientId = application.clientId;
    // Of concurrent revocations of one grant, only what each one actually did is reported.
    if (count > 0) this.events.emit('token.revoked', { reason: 'grant', clientId, userId, count });
    if (deleted) this.events.emit('grant.revoked', { userId, clientId, reason: by });
    return deleted;
  }
}
