import { memoryCounter } from '../../lib/limits/flexible-counter';
import { withTrustDefaults } from '../../lib/storage/legacy-records';
import { copySelection, intersectSelections } from '../../lib/storage/resource-selection';
import type {
  ApplicationPageRequest,
  ApplicationPatch,
  ApplicationRecord,
  ConsumeResult,
  GrantRecord,
  RateLimitCounter,
  RateLimitSpec,
  ResourceSelection,
  StorageAdapter,
  TokenFilter,
  TokenKind,
  TokenPruning,
  TokenRecord,
} from '../../lib/storage/storage-adapter';
import { recordsToPrune } from '../../lib/tokens/token-cap';
import {
  assertApplication,
  assertDate,
  assertGrant,
  assertKind,
  assertPage,
  assertPatch,
  assertToken,
  checkFilter,
  checkPruning,
  nullableSelection,
} from './invariants';
import {
  byCreatedAt,
  byCreatedAtThenId,
  copyApplication,
  copyGrant,
  copyToken,
  matches,
  TokenIndex,
} from './records';

/** Options of {@link MemoryAdapter}. */
export interface MemoryAdapterOptions {
  /**
   * How often expired and revoked token records are purged, in milliseconds, so memory levels
   * off in a long-running process. `0` disables the timer (tests usually do). Default `60_000`.
   * The timer is `unref()`ed: it never keeps the process alive.
   */
  purgeIntervalMs?: number;
  /**
   * Check every token record `insertToken` is given against the storage contract (an `undefined`
   * field, a hash that is not SHA-256 hex, a code field on an access token…), throwing a
   * `TypeError` that names the rule. It costs about 3 µs per issued token, so it is off when
   * `NODE_ENV` is `production` and on otherwise (tests, development), where it turns a bug in the
   * core or a custom grant into a failing test. The other writes are always checked, and so are
   * the rules that protect data (duplicate ids and hashes, an empty revocation filter).
   *
   * @defaultValue `process.env.NODE_ENV !== 'production'`
   */
  assertContract?: boolean;
}

/**
 * An in-process {@link StorageAdapter}: the embedded default for the examples, development and
 * tests. Everything lives in `Map`s (token look-ups by hash are O(1)); data is lost when the
 * process exits and is not shared between processes, so use the Mongo adapter in production.
 *
 * It hands out and keeps copies, never its own objects, and it checks the storage contract on
 * every write: a record with an `undefined` field, a hash that is not a SHA-256 hex digest, a
 * duplicate id, an empty revocation filter and so on throw a `TypeError` naming the rule. That
 * turns a bug in the core into a failing unit test instead of a surprise in another adapter.
 * Only the check of each issued token record is skipped under `NODE_ENV=production`
 * (`assertContract`), since it sits on the token endpoint's hot path.
 *
 * `consumeToken` reads and writes within one synchronous step (no `await` in between), so among
 * concurrent calls for one record exactly one is `consumed`. `saveGrant` keeps the `lastUsedAt`
 * of a grant it replaces.
 *
 * @example
 * ```ts
 * import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';
 *
 * const adapter = new MemoryAdapter(); // purges expired tokens every minute
 * const provider = createProvider({ adapter, currentUser, loginUrl: '/login' });
 * // In tests: no timer, and stop it explicitly if you enabled one.
 * const testAdapter = new MemoryAdapter({ purgeIntervalMs: 0 });
 * testAdapter.close();
 * ```
 */
export class MemoryAdapter implements StorageAdapter {
  readonly #applications = new Map<string, ApplicationRecord>();
  readonly #applicationIdByClientId = new Map<string, string>();
  readonly #grants = new Map<string, GrantRecord>();
  readonly #grantIdByPair = new Map<string, string>();
  /** The same record objects by id and by hash; writes mutate them in place, so both stay in step. */
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #tokensByHash = new Map<string, TokenRecord>();
  readonly #tokenIndex = new TokenIndex();
  readonly #counters = new Map<string, RateLimitCounter>();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #assertContract: boolean;

  constructor(options: MemoryAdapterOptions = {}) {
    const assertContract = options.assertContract ?? process.env.NODE_ENV !== 'production';
    if (typeof assertContract !== 'boolean') {
      throw new TypeError('MemoryAdapter: `assertContract` must be a boolean');
    }
    this.#assertContract = assertContract;
    const interval = options.purgeIntervalMs ?? 60_000;
    if (!Number.isInteger(interval) || interval < 0 || interval > 2 ** 31 - 1) {
      throw new TypeError(
        'MemoryAdapter: `purgeIntervalMs` must be an integer from 0 (disabled) to 2147483647',
      );
    }
    if (interval > 0) {
      this.#timer = setInterval(() => void this.purgeExpired(new Date()), interval);
      this.#timer.unref();
    }
  }

  /** Stops the purge timer. The adapter keeps working; only the periodic purge stops. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  // ---- applications -------------------------------------------------------------------------

  async createApplication(record: ApplicationRecord): Promise<ApplicationRecord> {
    assertApplication('createApplication', record);
    if (this.#applications.has(record.id)) {
      throw new TypeError(`MemoryAdapter.createApplication: duplicate application id ${record.id}`);
    }
    if (this.#applicationIdByClientId.has(record.clientId)) {
      throw new TypeError(`MemoryAdapter.createApplication: duplicate clientId ${record.clientId}`);
    }
    const stored = copyApplication(withTrustDefaults(record));
    this.#applications.set(stored.id, stored);
    this.#applicationIdByClientId.set(stored.clientId, stored.id);
    return copyApplication(stored);
  }

  async findApplicationById(id: string): Promise<ApplicationRecord | null> {
    const record = this.#applications.get(id);
    return record === undefined ? null : copyApplication(record);
  }

  async findApplicationByClientId(clientId: string): Promise<ApplicationRecord | null> {
    const id = this.#applicationIdByClientId.get(clientId);
    return id === undefined ? null : this.findApplicationById(id);
  }

  async listApplicationsByOwner(ownerId: string): Promise<ApplicationRecord[]> {
    const owned = [...this.#applications.values()].filter((r) => r.ownerId === ownerId);
    return owned.sort(byCreatedAt).map(copyApplication);
  }

  async listApplications(page: ApplicationPageRequest): Promise<ApplicationRecord[]> {
    assertPage('listApplications', page);
    const after = page.after;
    const rest = [...this.#applications.values()].filter(
      (record) =>
        after === undefined ||
        record.createdAt.getTime() > after.createdAt.getTime() ||
        (record.createdAt.getTime() === after.createdAt.getTime() && record.id > after.id),
    );
    return rest.sort(byCreatedAtThenId).slice(0, page.limit).map(copyApplication);
  }

  async updateApplication(id: string, patch: ApplicationPatch): Promise<ApplicationRecord | null> {
    assertPatch('updateApplication', patch);
    const current = this.#applications.get(id);
    if (current === undefined) return null;
    // Like mongoose, a key whose value is `undefined` means "leave unchanged".
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const merged: unknown = { ...current, ...defined };
    assertApplication('updateApplication', merged);
    const stored = copyApplication(merged);
    this.#applications.set(id, stored);
    return copyApplication(stored);
  }

  async deleteApplication(id: string): Promise<boolean> {
    const record = this.#applications.get(id);
    if (record === undefined) return false;
    this.#applications.delete(id);
    this.#applicationIdByClientId.delete(record.clientId);
    for (const grant of this.#grants.values()) {
      if (grant.applicationId === id) this.#removeGrant(grant);
    }
    return true;
  }

  // ---- grants -------------------------------------------------------------------------------

  async saveGrant(record: GrantRecord): Promise<GrantRecord> {
    assertGrant('saveGrant', record);
    const pair = `${record.userId}\u0000${record.applicationId}`;
    const existingId = this.#grantIdByPair.get(pair);
    if (record.id !== existingId && this.#grants.has(record.id)) {
      throw new TypeError(
        `MemoryAdapter.saveGrant: duplicate grant id ${record.id} (it belongs to another pair)`,
      );
    }
    const existing = existingId === undefined ? undefined : this.#grants.get(existingId);
    const stored =
      existing === undefined
        ? copyGrant(record)
        : {
            ...existing,
            scopes: [...record.scopes],
            resourceSelection: copySelection(record.resourceSelection),
            audience: [...record.audience],
            updatedAt: new Date(record.updatedAt.getTime()),
          };
    this.#grants.set(stored.id, stored);
    this.#grantIdByPair.set(pair, stored.id);
    return copyGrant(stored);
  }

  async findGrant(userId: string, applicationId: string): Promise<GrantRecord | null> {
    const id = this.#grantIdByPair.get(`${userId}\u0000${applicationId}`);
    return id === undefined ? null : this.findGrantById(id);
  }

  async findGrantById(id: string): Promise<GrantRecord | null> {
    const record = this.#grants.get(id);
    return record === undefined ? null : copyGrant(record);
  }

  async listGrantsByUser(userId: string): Promise<GrantRecord[]> {
    const grants = [...this.#grants.values()].filter((r) => r.userId === userId);
    return grants.sort(byCreatedAt).map(copyGrant);
  }

  async deleteGrant(id: string): Promise<boolean> {
    const record = this.#grants.get(id);
    if (record === undefined) return false;
    this.#removeGrant(record);
    return true;
  }

  async touchGrant(id: string, at: Date): Promise<boolean> {
    assertDate('touchGrant', 'at', at);
    const record = this.#grants.get(id);
    if (record === undefined) return false;
    record.lastUsedAt = new Date(at.getTime());
    return true;
  }

  // ---- tokens -------------------------------------------------------------------------------

  async insertToken(record: TokenRecord): Promise<void> {
    if (this.#assertContract) assertToken('insertToken', record);
    if (this.#tokens.has(record.id)) {
      throw new TypeError(`MemoryAdapter.insertToken: duplicate token id ${record.id}`);
    }
    if (this.#tokensByHash.has(record.hash)) {
      throw new TypeError('MemoryAdapter.insertToken: duplicate token hash');
    }
    const stored = copyToken(record);
    this.#tokens.set(stored.id, stored);
    this.#tokensByHash.set(stored.hash, stored);
    if (stored.revokedAt === null) this.#tokenIndex.add(stored);
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | null> {
    const record = this.#tokensByHash.get(hash);
    return record === undefined ? null : copyToken(record);
  }

  async listTokens(filter: TokenFilter): Promise<TokenRecord[]> {
    const checked = checkFilter('listTokens', filter, true);
    const found = this.#select(checked).filter((r) => r.revokedAt === null);
    return found.sort(byCreatedAt).map(copyToken);
  }

  async revokeTokens(filter: TokenFilter, at: Date): Promise<number> {
    const checked = checkFilter('revokeTokens', filter, false);
    assertDate('revokeTokens', 'at', at);
    let count = 0;
    for (const record of this.#select(checked)) {
      if (record.revokedAt !== null) continue;
      record.revokedAt = new Date(at.getTime());
      // listTokens and revokeTokens never return a revoked record again: out of the index with
      // it, so a family whose older tokens keep being revoked (the token cap) stays cheap to read.
      this.#tokenIndex.remove(record);
      count += 1;
    }
    return count;
  }

  /** The token cap in one call: no copies of the siblings it keeps, one pass over the index. */
  async pruneTokens(pruning: TokenPruning): Promise<number> {
    const checked = checkPruning('pruneTokens', pruning);
    const revoked = recordsToPrune(this.#select(checked.filter), checked);
    for (const record of revoked) {
      record.revokedAt = new Date(checked.at.getTime());
      this.#tokenIndex.remove(record);
    }
    return revoked.length;
  }

  async restrictTokens(filter: TokenFilter, narrowing: ResourceSelection): Promise<number> {
    const checked = checkFilter('restrictTokens', filter, false);
    nullableSelection('restrictTokens', 'narrowing', narrowing);
    if (narrowing === null)
      throw new TypeError('MemoryAdapter.restrictTokens: `narrowing` must be an object');
    let count = 0;
    // No `await` between reading and writing a record: atomic per record.
    for (const record of this.#select(checked)) {
      if (record.revokedAt !== null) continue;
      record.resourceSelection = intersectSelections(record.resourceSelection, narrowing);
      count += 1;
    }
    return count;
  }

  async consumeToken(
    kind: TokenKind,
    hash: string,
    at: Date,
    graceMs: number,
  ): Promise<ConsumeResult | null> {
    assertKind('consumeToken', kind);
    assertDate('consumeToken', 'at', at);
    if (typeof graceMs !== 'number' || !(graceMs >= 0)) {
      throw new TypeError('MemoryAdapter.consumeToken: `graceMs` must be a number >= 0');
    }
    // Read, decide and write with no `await` in between: this is what makes it atomic.
    const record = this.#tokensByHash.get(hash);
    if (record === undefined || record.kind !== kind) return null;
    if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) return null;
    if (record.revokedAt !== null) return { outcome: 'replayed', record: copyToken(record) };
    if (record.consumedAt !== null) {
      const elapsed = at.getTime() - record.consumedAt.getTime();
      const outcome = graceMs > 0 && elapsed < graceMs ? 'within_grace' : 'replayed';
      return { outcome, record: copyToken(record) };
    }
    const before = copyToken(record);
    record.consumedAt = new Date(at.getTime());
    return { outcome: 'consumed', record: before };
  }

  async touchToken(id: string, at: Date): Promise<boolean> {
    assertDate('touchToken', 'at', at);
    const record = this.#tokens.get(id);
    if (record === undefined) return false;
    record.lastUsedAt = new Date(at.getTime());
    return true;
  }

  async purgeExpired(before: Date): Promise<number> {
    assertDate('purgeExpired', 'before', before);
    const limit = before.getTime();
    let count = 0;
    for (const record of this.#tokens.values()) {
      const expired = record.expiresAt !== null && record.expiresAt.getTime() < limit;
      const revoked = record.revokedAt !== null && record.revokedAt.getTime() < limit;
      if (!expired && !revoked) continue;
      this.#removeToken(record);
      count += 1;
    }
    return count;
  }

  // ---- rate limits ----------------------------------------------------------------------------

  /**
   * Counters in this process's memory (`MemoryCounter`: fixed windows, answered without a
   * promise or a timer): one per limit, shared by every provider on this adapter, as processes on
   * one database share theirs.
   */
  createRateLimiter(spec: RateLimitSpec): RateLimitCounter {
    const id = `${spec.name} ${spec.points}/${spec.durationSeconds} ${spec.blockSeconds ?? 0}`;
    let counter = this.#counters.get(id);
    if (counter === undefined) {
      counter = memoryCounter(spec);
      this.#counters.set(id, counter);
    }
    return counter;
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The stored records matching the filter, in insertion order, read through an index if one applies. */
  #select(filter: TokenFilter): TokenRecord[] {
    const ids = filter.id !== undefined ? [filter.id] : this.#tokenIndex.lookup(filter);
    const candidates = ids === undefined ? this.#tokens.values() : ids.map((id) => this.#tokens.get(id));
    const found: TokenRecord[] = [];
    for (const record of candidates) if (record !== undefined && matches(record, filter)) found.push(record);
    return found;
  }

  #removeToken(record: TokenRecord): void {
    this.#tokens.delete(record.id);
    this.#tokensByHash.delete(record.hash);
    this.#tokenIndex.remove(record);
  }

  #removeGrant(record: GrantRecord): void {
    this.#grants.delete(record.id);
    this.#grantIdByPair.delete(`${record.userId}\u0000${record.applicationId}`);
  }
}
