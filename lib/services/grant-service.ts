import { randomUUID } from 'node:crypto';
import type { ProviderEvents } from '../events/provider-events';
import { expandSelection, grantCovers, mergeApprovals } from '../scopes/resource-access';
import type { ScopeRegistry } from '../scopes/scope-registry';
import { intersectSelections } from '../storage/resource-selection';
import type {
  ApplicationRecord,
  GrantRecord,
  ResourceSelection,
  StorageAdapter,
} from '../storage/storage-adapter';

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
   * `resources` (RFC 8707: the user approved the application for them), and, where the request
   * names resources of resource-scoped scopes (`requestedSelection`, RFC 9396), those too — so
   * consent can be skipped.
   */
  async findCovering(
    userId: string,
    applicationId: string,
    requested: readonly string[],
    resources: readonly string[] = [],
    requestedSelection: ResourceSelection | null = null,
  ): Promise<GrantRecord | null> {
    const grant = await this.adapter.findGrant(userId, applicationId);
    if (grant === null || !grantCovers(this.scopes, grant, requested, requestedSelection)) return null;
    return resources.every((uri) => grant.audience.includes(uri)) ? grant : null;
  }

  /**
   * Records an approval; the grant's scopes, resources (its audience, RFC 8707) and resource
   * selection grow to the union of what was ever approved (a scope approved on all resources of
   * its type once stays on all).
   */
  async approve(
    userId: string,
    application: ApplicationRecord,
    approved: readonly string[],
    resources: readonly string[] = [],
    approvedSelection: ResourceSelection | null = null,
  ): Promise<GrantRecord> {
    const now = new Date();
    const applicationId = application.id;
    const existing = await this.adapter.findGrant(userId, applicationId);
    const merged = mergeApprovals(this.scopes, existing ?? { scopes: [], resourceSelection: null }, {
      scopes: approved,
      resourceSelection: approvedSelection,
    });
    const grant = await this.adapter.saveGrant({
      id: existing?.id ?? randomUUID(),
      userId,
      applicationId,
      scopes: merged.scopes,
      resourceSelection: merged.resourceSelection,
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

  /**
   * Narrows the user's grant to the application to `narrowing` (per resource-scoped scope, the
   * ids to keep; never wider than before) and, in the same call, every live token of the grant:
   * the guard reads only the token, so the tokens carry the narrowed selection themselves
   * (`restrictTokens`), and a token's next request already sees it. The grant is written first,
   * so a refresh racing this call issues from the narrowed grant (it intersects with it).
   * Returns the grant as stored, or `null` if there is none.
   */
  async narrow(
    userId: string,
    application: ApplicationRecord,
    narrowing: ResourceSelection,
  ): Promise<GrantRecord | null> {
    const existing = await this.adapter.findGrant(userId, application.id);
    if (existing === null) return null;
    const effective = expandSelection(
      this.scopes,
      existing.scopes,
      existing.resourceSelection,
      existing.scopes,
    );
    const resourceSelection = intersectSelections(effective, narrowing);
    const grant = await this.adapter.saveGrant({ ...existing, resourceSelection, updatedAt: new Date() });
    const tokensNarrowing = expandSelection(this.scopes, grant.scopes, grant.resourceSelection);
    if (tokensNarrowing !== null) await this.adapter.restrictTokens({ grantId: grant.id }, tokensNarrowing);
    return grant;
  }

  /** The grant with this id, or `null` (the refresh grant intersects with it). */
  findById(id: string): Promise<GrantRecord | null> {
    return this.adapter.findGrantById(id);
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
