/**
 * The operations that must be atomic (`consumeToken`, the count of `revokeTokens`) and the purge,
 * in two flavours: {@link NativeStrategy} for MongoDB, {@link ClaimStrategy} for servers whose
 * updates are not atomic.
 *
 * FerretDB 1.x runs `findAndModify` and `update` as a read followed by a whole-document write,
 * with nothing between them: 20 concurrent `findOneAndUpdate({consumedAt: null}, …)` on one
 * code all "win" (we measured 2 to 14 winners), and concurrent `updateMany({revokedAt: null})`
 * calls each count the same record. What such a server does do atomically is refuse a duplicate
 * `_id`. So here each consumption and each revocation first inserts a claim document
 * (`consume:<token id>`, `revoke:<token id>`) into `<prefix>token_claims`; whoever inserts it
 * won, and the claim keeps the winner's time for the losers.
 *
 * Such a server's writes also replace the whole document, so a concurrent write to another field
 * of the same token (the guard's `touchToken` racing a revocation) can put `revokedAt: null`
 * back. The revocation's claim is written first and stays, so reads consult it
 * ({@link ClaimStrategy.settle}): a revoked token never reads as live again. MongoDB has neither
 * problem and uses {@link NativeStrategy}.
 *
 * @internal
 */
import { intersectSelections, parseSelection } from '../../lib/storage/resource-selection';
import type {
  ConsumeResult,
  ResourceSelection,
  TokenKind,
  TokenRecord,
} from '../../lib/storage/storage-adapter';
import { claimedAt, encodeSelection, type Models, toIdOnly, toToken } from './schemas';

/** What differs between servers. `query` is a token filter already turned into a query. */
export interface TokenStrategy {
  consume(kind: TokenKind, hash: string, at: Date, graceMs: number): Promise<ConsumeResult | null>;
  revoke(query: Record<string, string>, at: Date): Promise<number>;
  /** `restrictTokens`: each matching live record's selection intersected with `narrowing`. */
  restrict(query: Record<string, string>, narrowing: ResourceSelection): Promise<number>;
  purge(query: object): Promise<number>;
  /**
   * Only where writes can overwrite each other: the records as the claims decided them (a
   * `revoke:<id>` claim makes a record revoked even if a racing write lost its `revokedAt`).
   */
  settle?(records: TokenRecord[]): Promise<TokenRecord[]>;
}

export const DUPLICATE_KEY = 11000;

/** The stored selection text of a document read with it projected (`null` when absent). */
function storedText(doc: unknown): string | null {
  const value: unknown =
    typeof doc === 'object' && doc !== null ? Reflect.get(doc, 'resourceSelection') : null;
  return typeof value === 'string' ? value : null;
}

/**
 * Per record, a compare-and-set: the intersection is written only where the document still holds
 * the selection that was read; a lost race reads again. Returns how many live records it narrowed.
 */
async function narrowEach(
  tokens: Models['tokens'],
  query: Record<string, string>,
  narrowing: ResourceSelection,
  afterEach: (id: string, next: string | null) => Promise<void> = async () => undefined,
): Promise<number> {
  const docs = await tokens
    .find({ ...query, revokedAt: null }, { _id: 1, resourceSelection: 1 })
    .lean<unknown[]>();
  let count = 0;
  for (const doc of docs) {
    const id = toIdOnly(doc);
    let stored = storedText(doc);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const current = parseSelection(stored);
      if (current === undefined)
        throw new TypeError(`MongoAdapter: tokens document ${id}: bad resourceSelection`);
      const next = encodeSelection(intersectSelections(current, narrowing));
      const result = await tokens.updateOne(
        { _id: id, revokedAt: null, resourceSelection: stored },
        { $set: { resourceSelection: next } },
      );
      if (result.matchedCount > 0) {
        await afterEach(id, next);
        count += 1;
        break;
      }
      const again = await tokens.findOne({ _id: id }, { resourceSelection: 1, revokedAt: 1 }).lean<unknown>();
      if (again === null || (again as { revokedAt?: unknown }).revokedAt != null) break;
      stored = storedText(again);
    }
  }
  return count;
}

export const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

/** What `consumeToken` answers for a record it did not consume, or `'consumable'`. */
export function classify(
  record: TokenRecord,
  kind: TokenKind,
  at: Date,
  graceMs: number,
): ConsumeResult | null | 'consumable' {
  if (record.kind !== kind) return null;
  if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) return null;
  if (record.revokedAt !== null) return { outcome: 'replayed', record };
  if (record.consumedAt === null) return 'consumable';
  const elapsed = at.getTime() - record.consumedAt.getTime();
  return { outcome: graceMs > 0 && elapsed < graceMs ? 'within_grace' : 'replayed', record };
}

/** The indexes (into the inserted list) that an unordered `insertMany` refused as duplicates. */
function duplicatesOf(error: unknown): Set<number> {
  const errors: unknown =
    typeof error === 'object' && error !== null && 'writeErrors' in error ? error.writeErrors : undefined;
  const list: unknown[] = Array.isArray(errors) ? errors : errors === undefined ? [] : [errors];
  const refused = new Set<number>();
  for (const item of list) {
    const index = typeof item === 'object' && item !== null && 'index' in item ? item.index : undefined;
    if (codeOf(item) !== DUPLICATE_KEY || typeof index !== 'number') throw error;
    refused.add(index);
  }
  if (refused.size === 0) throw error;
  return refused;
}

/** MongoDB: every write below is atomic on its document. */
export class NativeStrategy implements TokenStrategy {
  readonly #tokens: Models['tokens'];

  constructor(models: Models) {
    this.#tokens = models.tokens;
  }

  /** One conditional `findOneAndUpdate`; on a miss, one read says why. */
  async consume(kind: TokenKind, hash: string, at: Date, graceMs: number): Promise<ConsumeResult | null> {
    const consumable = {
      hash,
      kind,
      consumedAt: null,
      revokedAt: null,
      $or: [{ expiresAt: null }, { expiresAt: { $gt: at } }],
    };
    const before = await this.#tokens
      .findOneAndUpdate(consumable, { $set: { consumedAt: at } }, { returnDocument: 'before' })
      .lean<unknown>();
    if (before !== null) return { outcome: 'consumed', record: toToken(before) };
    const doc = await this.#tokens.findOne({ hash }).lean<unknown>();
    if (doc === null) return null;
    const result = classify(toToken(doc), kind, at, graceMs);
    // Consumable now but not a moment ago: it was inserted in between. Rare enough to say "none".
    return result === 'consumable' ? null : result;
  }

  async revoke(query: Record<string, string>, at: Date): Promise<number> {
    const result = await this.#tokens.updateMany({ ...query, revokedAt: null }, { $set: { revokedAt: at } });
    return result.modifiedCount;
  }

  restrict(query: Record<string, string>, narrowing: ResourceSelection): Promise<number> {
    return narrowEach(this.#tokens, query, narrowing);
  }

  async purge(query: object): Promise<number> {
    return (await this.#tokens.deleteMany(query)).deletedCount;
  }
}

const BATCH = 500;
/** A narrowing lock older than this belongs to a process that died holding it. */
const STALE_LOCK_MS = 30_000;

/** Consumption, revocation and purge through claim documents. */
export class ClaimStrategy implements TokenStrategy {
  readonly #tokens: Models['tokens'];
  readonly #claims: Models['claims'];

  constructor(models: Models) {
    this.#tokens = models.tokens;
    this.#claims = models.claims;
  }

  /** Read; if consumable, insert `consume:<id>`: the one insert that succeeds is the winner. */
  async consume(kind: TokenKind, hash: string, at: Date, graceMs: number): Promise<ConsumeResult | null> {
    const doc = await this.#tokens.findOne({ hash }).lean<unknown>();
    if (doc === null) return null;
    const record = toToken(doc);
    const result = classify(record, kind, at, graceMs);
    if (result !== 'consumable') return result;
    const claimId = `consume:${record.id}`;
    try {
      await this.#claims.insertOne({ _id: claimId, at });
    } catch (error) {
      if (codeOf(error) !== DUPLICATE_KEY) throw error;
      // Lost the race. The winner may not have set `consumedAt` yet: its claim holds the time.
      const [current, claim] = await Promise.all([
        this.#tokens.findOne({ _id: record.id }).lean<unknown>(),
        this.#claims.findOne({ _id: claimId }).lean<unknown>(),
      ]);
      if (current === null) return null;
      const latest = toToken(current);
      latest.consumedAt ??= claimedAt(claim) ?? at;
      const again = classify(latest, kind, at, graceMs);
      return again === 'consumable' ? { outcome: 'replayed', record: latest } : again;
    }
    await this.#tokens.updateOne({ _id: record.id }, { $set: { consumedAt: at } });
    return { outcome: 'consumed', record };
  }

  /**
   * Counts the records whose `revoke:<id>` claim this call inserted, and sets `revokedAt` on
   * every matched record still without one (which also heals a revocation interrupted between
   * its claim and its write).
   */
  async revoke(query: Record<string, string>, at: Date): Promise<number> {
    const docs = await this.#tokens.find({ ...query, revokedAt: null }, { _id: 1 }).lean<unknown[]>();
    const ids = docs.map(toIdOnly);
    let won = 0;
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      const claims = batch.map((id) => ({ _id: `revoke:${id}`, at }));
      try {
        await this.#claims.insertMany(claims, { ordered: false, lean: true });
        won += batch.length;
      } catch (error) {
        won += batch.length - duplicatesOf(error).size;
      }
      await this.#tokens.updateMany({ _id: { $in: batch }, revokedAt: null }, { $set: { revokedAt: at } });
    }
    return won;
  }

  /**
   * Per record, under a `restricting:<id>` lock document (an insert refused by `_id` is the one
   * atomic step such a server has): read, intersect, write; then the `restrict:<id>` claim keeps
   * the narrowed selection, because a racing whole-document write (the guard's `touchToken`) may
   * put the old one back on the token, and reads intersect with the claim ({@link settle}).
   */
  async restrict(query: Record<string, string>, narrowing: ResourceSelection): Promise<number> {
    const docs = await this.#tokens.find({ ...query, revokedAt: null }, { _id: 1 }).lean<unknown[]>();
    let count = 0;
    for (const id of docs.map(toIdOnly)) {
      const narrowed = await this.#locked(`restricting:${id}`, async () => {
        const doc = await this.#tokens.findOne({ _id: id }).lean<unknown>();
        if (doc === null) return false;
        const record = toToken(doc);
        if (record.revokedAt !== null) return false;
        const claimId = `restrict:${id}`;
        const previous = await this.#claims.findOne({ _id: claimId }).lean<unknown>();
        const held = parseSelection(Reflect.get(Object(previous), 'selection') ?? null) ?? null;
        const current =
          held === null ? record.resourceSelection : intersectSelections(record.resourceSelection, held);
        const next = intersectSelections(current, narrowing);
        await this.#claims.updateOne(
          { _id: claimId },
          { $set: { at: new Date(), selection: encodeSelection(next) } },
          { upsert: true },
        );
        await this.#tokens.updateOne({ _id: id }, { $set: { resourceSelection: encodeSelection(next) } });
        return true;
      });
      if (narrowed) count += 1;
    }
    return count;
  }

  /**
   * Runs `work` while holding the lock document `lockId`. A holder that died leaves its lock
   * behind; one older than `STALE_LOCK_MS` is taken over. Waiting is bounded by attempts.
   */
  async #locked<T>(lockId: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.#claims.insertOne({ _id: lockId, at: new Date() });
        break;
      } catch (error) {
        if (codeOf(error) !== DUPLICATE_KEY || attempt >= 500) throw error;
        const held = claimedAt(await this.#claims.findOne({ _id: lockId }).lean<unknown>());
        if (held !== null && Date.now() - held.getTime() > STALE_LOCK_MS) {
          await this.#claims.deleteOne({ _id: lockId, at: held });
        } else await new Promise((resolve) => setTimeout(resolve, 2 + (attempt % 10)));
      }
    }
    try {
      return await work();
    } finally {
      await this.#claims.deleteOne({ _id: lockId });
    }
  }

  /**
   * Sets `revokedAt` and `consumedAt` from the `revoke:<id>` / `consume:<id>` claims of records
   * that read as not revoked or not consumed, and intersects selections with `restrict:<id>`
   * claims: a racing whole-document write may have put an old value back, but the claim is kept.
   */
  async settle(records: TokenRecord[]): Promise<TokenRecord[]> {
    const byClaim = new Map<
      string,
      { record: TokenRecord; field: 'revokedAt' | 'consumedAt' | 'resourceSelection' }
    >();
    for (const record of records) {
      if (record.revokedAt === null) byClaim.set(`revoke:${record.id}`, { record, field: 'revokedAt' });
      if (record.consumedAt === null) byClaim.set(`consume:${record.id}`, { record, field: 'consumedAt' });
      byClaim.set(`restrict:${record.id}`, { record, field: 'resourceSelection' });
    }
    const claims = await this.#claims.find({ _id: { $in: [...byClaim.keys()] } }).lean<unknown[]>();
    for (const claim of claims) {
      const open = byClaim.get(toIdOnly(claim));
      if (open === undefined) continue;
      if (open.field === 'resourceSelection') {
        const held = parseSelection((claim as { selection?: unknown }).selection ?? null);
        if (held !== undefined && held !== null) {
          open.record.resourceSelection = intersectSelections(open.record.resourceSelection, held);
        }
      } else open.record[open.field] = claimedAt(claim);
    }
    return records;
  }

  /** Deletes the matching tokens and their claims, by id. */
  async purge(query: object): Promise<number> {
    const docs = await this.#tokens.find(query, { _id: 1 }).lean<unknown[]>();
    const ids = docs.map(toIdOnly);
    let count = 0;
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      count += (await this.#tokens.deleteMany({ _id: { $in: batch } })).deletedCount;
      const claimIds = batch.flatMap((id) => [`consume:${id}`, `revoke:${id}`, `restrict:${id}`]);
      await this.#claims.deleteMany({ _id: { $in: claimIds } });
    }
    return count;
  }
}
