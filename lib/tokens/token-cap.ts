/**
 * The token cap (`limits.tokensPerScopeSet`, GitHub's rule): which records an issuance weighs
 * itself against, and the pruning of the oldest beyond the cap — in one adapter call where the
 * adapter has `pruneTokens`, else by listing and revoking.
 */
import type { StorageAdapter, TokenFilter, TokenPruning, TokenRecord } from '../storage/storage-adapter';
import { sha256Hex } from './hash';
import { isLive } from './redeem';

/** The same scope set, whatever the order. */
function scopeSetKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

/**
 * An indexed filter that finds the records the cap weighs against `record` (of every kind:
 * the caller keeps those of the record's kind), or `null`. The records of one issuance (an access
 * token and its refresh token) share it, so they are listed once.
 */
function siblingsOf(record: TokenRecord): TokenFilter | null {
  const { kind } = record;
  if (kind !== 'code' && kind !== 'access' && kind !== 'refresh') return null;
  if (record.grantId !== null) return { grantId: record.grantId };
  if (record.userId !== null && record.applicationId !== null) {
    return { userId: record.userId, applicationId: record.applicationId };
  }
  return record.familyId === null ? null : { familyId: record.familyId };
}

/**
 * The family of a client's user-less tokens of one scope set (client_credentials): one family per
 * client × scope set, so the cap finds them through an indexed filter.
 */
export function machineTokenFamily(applicationId: string, scopes: readonly string[]): string {
  return `client:${applicationId}:${sha256Hex(scopeSetKey(scopes)).slice(0, 16)}`;
}

/**
 * Revokes the oldest live siblings of each record of `issued` beyond the newest `cap` of its
 * kind, never one of `issued` itself; returns how many it revoked. One adapter call per record
 * where the adapter has `pruneTokens`; otherwise one listing per filter (an access token and its
 * refresh token share one), then a revocation per record beyond the cap.
 */
export async function pruneBeyondCap(
  storage: StorageAdapter,
  cap: number,
  issued: readonly TokenRecord[],
  now: Date,
): Promise<number> {
  const except = issued.map((record) => record.id);
  const listed = new Map<string, Promise<TokenRecord[]>>();
  let revoked = 0;
  for (const record of issued) {
    const filter = siblingsOf(record);
    if (filter === null) continue;
    const pruning: TokenPruning = {
      filter,
      kind: record.kind,
      applicationId: record.applicationId,
      userId: record.userId,
      scopes: record.scopes,
      at: now,
      keep: cap,
      except,
    };
    if (storage.pruneTokens !== undefined) {
      revoked += await storage.pruneTokens(pruning);
      continue;
    }
    const filterKey = JSON.stringify(filter);
    let listing = listed.get(filterKey);
    if (listing === undefined) {
      listing = storage.listTokens(filter);
      listed.set(filterKey, listing);
    }
    revoked += await pruneByListing(storage, pruning, listing);
  }
  return revoked;
}

/**
 * `pruneTokens`' rule for an adapter without it: `listing` (the filter's `listTokens`, which the
 * caller may share between kinds), then one `revokeTokens` per record beyond the cap. An empty
 * filter is refused, as `revokeTokens` refuses one.
 */
export async function pruneByListing(
  storage: StorageAdapter,
  pruning: TokenPruning,
  listing?: Promise<TokenRecord[]>,
): Promise<number> {
  if (Object.values(pruning.filter).every((value) => value === undefined)) {
    throw new TypeError('express-oauth-provider: an empty filter would prune every token');
  }
  const records = await (listing ?? storage.listTokens(pruning.filter));
  let revoked = 0;
  for (const oldest of recordsToPrune(records, pruning)) {
    revoked += await storage.revokeTokens({ id: oldest.id }, pruning.at);
  }
  return revoked;
}

/**
 * The rule of `pruneTokens`, for the core's fallback and for adapters that hold their records in
 * memory: of `records` (the filter's matches), the live ones of the pruning's kind, application,
 * user and scope set; the oldest beyond the newest `keep` by `createdAt` (ties in the given
 * order), less `except`.
 */
export function recordsToPrune(records: readonly TokenRecord[], pruning: TokenPruning): TokenRecord[] {
  const scopes = scopeSetKey(pruning.scopes);
  const siblings = records
    .filter(
      (other) =>
        other.kind === pruning.kind &&
        isLive(other, pruning.at) &&
        other.applicationId === pruning.applicationId &&
        other.userId === pruning.userId &&
        scopeSetKey(other.scopes) === scopes,
    )
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const excess = siblings.length - pruning.keep;
  if (excess <= 0) return [];
  // Only the oldest `excess` (the order is the same for every request): concurrent issuances then
  // all keep the same newest `keep`, and never revoke one between them. A record in `except` (the
  // request's own) is skipped, not replaced by a newer one — a record it leaves over the cap is
  // the next issuance's to prune.
  const except = new Set(pruning.except);
  return siblings.slice(0, excess).filter((other) => !except.has(other.id));
}
