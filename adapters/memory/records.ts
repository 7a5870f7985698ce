/**
 * Copying, matching and indexing of records for {@link MemoryAdapter}. It hands out and keeps
 * copies, never objects a caller could mutate.
 *
 * @internal
 */
import { copySelection } from '../../lib/storage/resource-selection';
import type {
  ApplicationRecord,
  GrantRecord,
  TokenFilter,
  TokenRecord,
} from '../../lib/storage/storage-adapter';

export const copyDate = (date: Date | null): Date | null => (date === null ? null : new Date(date.getTime()));

export function copyApplication(r: ApplicationRecord): ApplicationRecord {
  return {
    ...r,
    redirectUris: [...r.redirectUris],
    scopes: [...r.scopes],
    createdAt: new Date(r.createdAt.getTime()),
    updatedAt: new Date(r.updatedAt.getTime()),
  };
}

export function copyGrant(r: GrantRecord): GrantRecord {
  return {
    ...r,
    scopes: [...r.scopes],
    resourceSelection: copySelection(r.resourceSelection),
    audience: [...r.audience],
    createdAt: new Date(r.createdAt.getTime()),
    updatedAt: new Date(r.updatedAt.getTime()),
    lastUsedAt: copyDate(r.lastUsedAt),
  };
}

/** Hot path (every protected request): a spread and five dates, no structuredClone. */
export function copyToken(r: TokenRecord): TokenRecord {
  return {
    ...r,
    scopes: [...r.scopes],
    resourceSelection: r.resourceSelection === null ? null : copySelection(r.resourceSelection),
    audience: [...r.audience],
    createdAt: new Date(r.createdAt.getTime()),
    expiresAt: copyDate(r.expiresAt),
    revokedAt: copyDate(r.revokedAt),
    consumedAt: copyDate(r.consumedAt),
    lastUsedAt: copyDate(r.lastUsedAt),
  };
}

export const byCreatedAt = (a: { createdAt: Date }, b: { createdAt: Date }): number =>
  a.createdAt.getTime() - b.createdAt.getTime();

/** `listApplications`' order: `createdAt`, then `id` as a binary string. */
export const byCreatedAtThenId = (
  a: { createdAt: Date; id: string },
  b: { createdAt: Date; id: string },
): number => byCreatedAt(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function matches(record: TokenRecord, filter: TokenFilter): boolean {
  return (
    (filter.id === undefined || record.id === filter.id) &&
    (filter.kind === undefined || record.kind === filter.kind) &&
    (filter.userId === undefined || record.userId === filter.userId) &&
    (filter.applicationId === undefined || record.applicationId === filter.applicationId) &&
    (filter.grantId === undefined || record.grantId === filter.grantId) &&
    (filter.familyId === undefined || record.familyId === filter.familyId)
  );
}

const INDEXED_FIELDS = ['familyId', 'grantId', 'applicationId', 'userId'] as const;
type IndexedField = (typeof INDEXED_FIELDS)[number];

/**
 * Token ids by the value of each field `listTokens` / `revokeTokens` usually narrow by, so
 * revoking a grant or a token family does not scan every token. Sets keep insertion order. It
 * holds records that are not revoked (both methods skip revoked ones), so what a look-up walks
 * does not grow with the revoked records waiting for the purge.
 */
export class TokenIndex {
  readonly #maps: Record<IndexedField, Map<string, Set<string>>> = {
    familyId: new Map(),
    grantId: new Map(),
    applicationId: new Map(),
    userId: new Map(),
  };

  add(record: TokenRecord): void {
    for (const field of INDEXED_FIELDS) {
      const value = record[field];
      if (value === null) continue;
      const ids = this.#maps[field].get(value);
      if (ids === undefined) this.#maps[field].set(value, new Set([record.id]));
      else ids.add(record.id);
    }
  }

  remove(record: TokenRecord): void {
    for (const field of INDEXED_FIELDS) {
      const value = record[field];
      if (value === null) continue;
      const ids = this.#maps[field].get(value);
      ids?.delete(record.id);
      if (ids?.size === 0) this.#maps[field].delete(value);
    }
  }

  /**
   * Candidate ids: the smallest of the sets of the indexed fields the filter names (a user's
   * tokens at one application are found among the user's, not among every token of the
   * application); `undefined` if it names none.
   */
  lookup(filter: TokenFilter): string[] | undefined {
    let smallest: Set<string> | undefined;
    for (const field of INDEXED_FIELDS) {
      const value = filter[field];
      if (value === undefined) continue;
      const ids = this.#maps[field].get(value);
      if (ids === undefined) return [];
      if (smallest === undefined || ids.size < smallest.size) smallest = ids;
    }
    return smallest === undefined ? undefined : [...smallest];
  }
}
