import type { Connection } from 'mongoose';
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
  TokenRecord,
} from '../../lib/storage/storage-adapter';
import { type GrantUses, usesBeside, usesOnGrants } from './grant-uses';
import { createIndexes, isFerretDb } from './indexes';
import { MongoRateLimits } from './rate-limits';
import {
  encodeSelection,
  key,
  type Models,
  nextSeq,
  patchUpdate,
  registerModels,
  toApplication,
  toDocument,
  toGrant,
  toIdOnly,
  tokenQuery,
  toToken,
  writeTokensQuery,
} from './schemas';
import { ClaimStrategy, codeOf, DUPLICATE_KEY, NativeStrategy, type TokenStrategy } from './strategies';

/** Options of {@link MongoAdapter}. */
export interface MongoAdapterOptions {
  /**
   * A connection the host made with `mongoose.createConnection(uri, { serverSelectionTimeoutMS,
   * connectTimeoutMS, socketTimeoutMS })` (see "Failures" on {@link MongoAdapter}) and opened
   * (`await connection.asPromise()`). The host owns it: the adapter never connects, closes or
   * touches mongoose's default connection.
   */
  connection: Connection;
  /** Prefix of the collection names: `oauth_applications`, `oauth_grants`, `oauth_tokens`, … */
  collectionPrefix?: string;
  /** Receives the one-line notice when TTL indexes are unavailable. Default `console.warn`. */
  logger?: (message: string) => void;
  /**
   * How single use (`consumeToken`) and exact revocation counts are guaranteed. `'native'`: one
   * conditional `findOneAndUpdate` / `updateMany` (MongoDB). `'claims'`: an insert into
   * `<prefix>token_claims` whose unique `_id` picks the one winner, for servers whose updates are
   * a read then a write (FerretDB 1.x; see `strategies.ts`). `'auto'` (default) asks the server
   * once (`buildInfo`) and picks `'claims'` for FerretDB. Even so, FerretDB rewrites whole
   * documents, so two concurrent writes to different fields of one token (a touch racing a
   * revocation) can lose one: test with FerretDB, run production on MongoDB.
   */
  atomicity?: 'auto' | 'native' | 'claims';
}

/** Oldest first; ties in insertion order (`seq`), then by id for documents older than `seq`. */
const OLDEST_FIRST = { createdAt: 1, seq: 1, _id: 1 } as const;

/**
 * The MongoDB {@link StorageAdapter}, on mongoose, for production. Each record is one document
 * whose `_id` is the record's id, in three collections (`<prefix>applications`, `<prefix>grants`,
 * `<prefix>tokens`), with unique indexes on token hashes, client ids and (user, application)
 * grant pairs, and an index behind every list and revocation query.
 *
 * **Indexes.** Created once, lazily, before the first operation; call {@link ensureIndexes} at
 * start-up to create them early and learn whether TTL is available. Where the server has TTL
 * indexes (MongoDB), expired token records are deleted by the server. Where it has not
 * (FerretDB answers "not implemented"), one line is logged and the host must call
 * {@link purgeExpired} periodically; expiry is checked on every read either way.
 *
 * **Atomicity.** On MongoDB `consumeToken` is one `findOneAndUpdate` and `revokeTokens` one
 * `updateMany`; `saveGrant` is one upsert, retried if a concurrent upsert wins the unique index.
 * No multi-document transactions are used. FerretDB 1.x runs each update as a read then a
 * write, so there the adapter decides races with claim documents in `<prefix>token_claims`
 * instead (see {@link MongoAdapterOptions.atomicity}); it detects the server by itself.
 *
 * **Failures.** Schemas set `bufferCommands: false`, so with the server down an operation throws
 * at once (after the connection's `serverSelectionTimeoutMS`) and the core answers 503. A server
 * that stops answering without closing its connections (a network partition) is noticed only by
 * `socketTimeoutMS` and, for new connections, `connectTimeoutMS`, whose driver default of 30 s
 * let one request wait 61 s behind a frozen connection in our tests: set both. The driver retries a
 * failed read or write once, so the worst wait is about twice the larger of the two.
 *
 * @example
 * ```ts
 * import mongoose from 'mongoose';
 * import { MongoAdapter } from 'express-oauth-provider/adapters/mongo';
 *
 * const connection = mongoose.createConnection(process.env.MONGODB_URI ?? '', {
 *   serverSelectionTimeoutMS: 1500, // server down: fail after 1.5 s
 *   connectTimeoutMS: 1500, // server unreachable: new connections give up
 *   socketTimeoutMS: 2000, // server silent: in-flight operations give up
 * });
 * await connection.asPromise();
 * const adapter = new MongoAdapter({ connection }); // collections oauth_*
 * await adapter.ensureIndexes(); // { ttl: false } on servers without TTL indexes (FerretDB 1.x)
 * // The provider purges expired records itself every `purgeIntervalSeconds` (600 by default),
 * // TTL indexes or not.
 * const provider = createProvider({ adapter, currentUser, loginUrl: '/login' });
 * ```
 */
/** What the adapter learns about its server once (indexes, and how it must write). */
interface Setup {
  ttl: boolean;
  strategy: TokenStrategy;
  grantUses: GrantUses;
}

export class MongoAdapter implements StorageAdapter {
  readonly #connection: Connection;
  readonly #log: (message: string) => void;
  readonly #atomicity: 'auto' | 'native' | 'claims';
  readonly #models: Models;
  readonly #apps: Models['applications'];
  readonly #grants: Models['grants'];
  readonly #tokens: Models['tokens'];
  readonly #rateLimits: MongoRateLimits;
  #ready: Promise<Setup> | undefined;

  constructor(options: MongoAdapterOptions) {
    const { connection, collectionPrefix = 'oauth_', logger, atomicity = 'auto' } = options;
    if (typeof connection?.model !== 'function') {
      throw new TypeError('MongoAdapter requires a `connection` made with mongoose.createConnection()');
    }
    if (!/^[A-Za-z0-9_-]*$/.test(collectionPrefix)) {
      throw new TypeError('MongoAdapter: `collectionPrefix` may hold only letters, digits, `_` and `-`');
    }
    this.#connection = connection;
    this.#log = logger ?? ((message) => console.warn(message));
    this.#atomicity = atomicity;
    this.#models = registerModels(connection, collectionPrefix);
    this.#apps = this.#models.applications;
    this.#grants = this.#models.grants;
    this.#tokens = this.#models.tokens;
    this.#rateLimits = new MongoRateLimits(
      connection,
      `${collectionPrefix}rate_limits`,
      async () => (await this.#setup()).strategy instanceof ClaimStrategy,
    );
  }

  /**
   * Creates the indexes (idempotent; runs once per adapter, again only after a failure) and
   * reports whether expired tokens are deleted by a TTL index. Every other method awaits it.
   */
  async ensureIndexes(): Promise<{ ttl: boolean }> {
    const { ttl } = await this.#setup();
    return { ttl };
  }

  #setup(): Promise<Setup> {
    this.#ready ??= this.#init().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #init(): Promise<Setup> {
    const choice = this.#atomicity;
    const [ttl, claims] = await Promise.all([
      createIndexes(this.#models, this.#log),
      choice === 'auto' ? isFerretDb(this.#connection) : choice === 'claims',
    ]);
    const strategy = claims ? new ClaimStrategy(this.#models) : new NativeStrategy(this.#models);
    const grantUses = claims ? usesBeside(this.#models) : usesOnGrants(this.#models);
    return { ttl, strategy, grantUses };
  }

  // ---- applications -------------------------------------------------------------------------

  async createApplication(record: ApplicationRecord): Promise<ApplicationRecord> {
    await this.#setup();
    const doc = toDocument(record);
    await this.#apps.insertOne(doc);
    return toApplication(doc);
  }

  async findApplicationById(id: string): Promise<ApplicationRecord | null> {
    await this.#setup();
    const doc = await this.#apps.findOne({ _id: key('findApplicationById', id) }).lean<unknown>();
    return doc === null ? null : toApplication(doc);
  }

  async findApplicationByClientId(clientId: string): Promise<ApplicationRecord | null> {
    await this.#setup();
    const filter = { clientId: key('findApplicationByClientId', clientId) };
    const doc = await this.#apps.findOne(filter).lean<unknown>();
    return doc === null ? null : toApplication(doc);
  }

  async listApplicationsByOwner(ownerId: string): Promise<ApplicationRecord[]> {
    await this.#setup();
    const filter = { ownerId: key('listApplicationsByOwner', ownerId) };
    const docs = await this.#apps.find(filter).sort(OLDEST_FIRST).lean<unknown[]>();
    return docs.map(toApplication);
  }

  async listApplications(page: ApplicationPageRequest): Promise<ApplicationRecord[]> {
    await this.#setup();
    const after = page.after;
    // Strings compare as binary (no collation is set), dates as instants: the contract's order.
    const filter =
      after === undefined
        ? {}
        : {
            $or: [
              { createdAt: { $gt: after.createdAt } },
              { createdAt: after.createdAt, _id: { $gt: key('listApplications', after.id) } },
            ],
          };
    const docs = await this.#apps
      .find(filter)
      .sort({ createdAt: 1, _id: 1 })
      .limit(page.limit)
      .lean<unknown[]>();
    return docs.map(toApplication);
  }

  async updateApplication(id: string, patch: ApplicationPatch): Promise<ApplicationRecord | null> {
    await this.#setup();
    const $set = patchUpdate(patch);
    const filter = { _id: key('updateApplication', id) };
    if (Object.keys($set).length === 0) return this.findApplicationById(id);
    const doc = await this.#apps
      .findOneAndUpdate(filter, { $set }, { returnDocument: 'after' })
      .lean<unknown>();
    return doc === null ? null : toApplication(doc);
  }

  async deleteApplication(id: string): Promise<boolean> {
    const { grantUses } = await this.#setup();
    const applicationId = key('deleteApplication', id);
    const grantIds = (await this.#grants.find({ applicationId }, { _id: 1 }).lean<unknown[]>()).map(toIdOnly);
    // Grants first: if deleting the application then fails, a retry still finds it. The second
    // pass removes a grant saved concurrently, between the first pass and the deletion.
    await this.#grants.deleteMany({ applicationId });
    const { deletedCount } = await this.#apps.deleteOne({ _id: applicationId });
    if (deletedCount === 0) return false;
    await this.#grants.deleteMany({ applicationId });
    await grantUses.forget(grantIds);
    return true;
  }

  // ---- grants -------------------------------------------------------------------------------

  async saveGrant(record: GrantRecord): Promise<GrantRecord> {
    const { grantUses } = await this.#setup();
    const filter = {
      userId: key('saveGrant', record.userId),
      applicationId: key('saveGrant', record.applicationId),
    };
    const update = {
      $set: {
        scopes: record.scopes,
        audience: record.audience,
        resourceSelection: encodeSelection(record.resourceSelection),
        updatedAt: record.updatedAt,
      },
      $setOnInsert: {
        _id: record.id,
        seq: nextSeq(),
        createdAt: record.createdAt,
        lastUsedAt: record.lastUsedAt,
      },
    };
    // Two concurrent upserts of a new pair may both try to insert: the unique index refuses the
    // second with E11000, and its retry then finds and updates the first one's grant.
    for (let attempt = 1; ; attempt += 1) {
      try {
        const doc = await this.#grants
          .findOneAndUpdate(filter, update, {
            upsert: true,
            returnDocument: 'after',
            setDefaultsOnInsert: false,
          })
          .lean<unknown>();
        if (doc === null) throw new Error('MongoAdapter.saveGrant: the upsert returned no document');
        const [saved] = await grantUses.settle([toGrant(doc)]);
        if (saved === undefined) throw new Error('MongoAdapter.saveGrant: the grant went missing');
        return saved;
      } catch (error) {
        if (codeOf(error) !== DUPLICATE_KEY || attempt >= 3) throw error;
      }
    }
  }

  async findGrant(userId: string, applicationId: string): Promise<GrantRecord | null> {
    const { grantUses } = await this.#setup();
    const filter = { userId: key('findGrant', userId), applicationId: key('findGrant', applicationId) };
    const doc = await this.#grants.findOne(filter).lean<unknown>();
    return doc === null ? null : ((await grantUses.settle([toGrant(doc)]))[0] ?? null);
  }

  async findGrantById(id: string): Promise<GrantRecord | null> {
    const { grantUses } = await this.#setup();
    const doc = await this.#grants.findOne({ _id: key('findGrantById', id) }).lean<unknown>();
    return doc === null ? null : ((await grantUses.settle([toGrant(doc)]))[0] ?? null);
  }

  async listGrantsByUser(userId: string): Promise<GrantRecord[]> {
    const { grantUses } = await this.#setup();
    const filter = { userId: key('listGrantsByUser', userId) };
    const docs = await this.#grants.find(filter).sort(OLDEST_FIRST).lean<unknown[]>();
    return grantUses.settle(docs.map(toGrant));
  }

  async deleteGrant(id: string): Promise<boolean> {
    const { grantUses } = await this.#setup();
    const { deletedCount } = await this.#grants.deleteOne({ _id: key('deleteGrant', id) });
    await grantUses.forget([id]);
    return deletedCount > 0;
  }

  async touchGrant(id: string, at: Date): Promise<boolean> {
    const { grantUses } = await this.#setup();
    return grantUses.touch(key('touchGrant', id), at);
  }

  // ---- tokens -------------------------------------------------------------------------------

  async insertToken(record: TokenRecord): Promise<void> {
    await this.#setup();
    await this.#tokens.insertOne(toDocument(record));
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | null> {
    const { strategy } = await this.#setup();
    const doc = await this.#tokens.findOne({ hash: key('findTokenByHash', hash) }).lean<unknown>();
    if (doc === null) return null;
    const record = toToken(doc);
    return strategy.settle ? ((await strategy.settle([record]))[0] ?? null) : record;
  }

  async listTokens(filter: TokenFilter): Promise<TokenRecord[]> {
    const { strategy } = await this.#setup();
    const query = { ...tokenQuery('listTokens', filter), revokedAt: null };
    const docs = await this.#tokens.find(query).sort(OLDEST_FIRST).lean<unknown[]>();
    const records = docs.map(toToken);
    if (!strategy.settle) return records;
    return (await strategy.settle(records)).filter((record) => record.revokedAt === null);
  }

  async revokeTokens(filter: TokenFilter, at: Date): Promise<number> {
    const query = writeTokensQuery('revokeTokens', filter, 'revoke');
    const { strategy } = await this.#setup();
    return strategy.revoke(query, at);
  }

  async restrictTokens(filter: TokenFilter, narrowing: ResourceSelection): Promise<number> {
    const query = writeTokensQuery('restrictTokens', filter, 'restrict');
    const { strategy } = await this.#setup();
    return strategy.restrict(query, narrowing);
  }

  async consumeToken(
    kind: TokenKind,
    hash: string,
    at: Date,
    graceMs: number,
  ): Promise<ConsumeResult | null> {
    if (typeof graceMs !== 'number' || !(graceMs >= 0)) {
      throw new TypeError('MongoAdapter.consumeToken: `graceMs` must be a number >= 0');
    }
    const { strategy } = await this.#setup();
    return strategy.consume(kind, key('consumeToken', hash), at, graceMs);
  }

  async touchToken(id: string, at: Date): Promise<boolean> {
    await this.#setup();
    const result = await this.#tokens.updateOne({ _id: key('touchToken', id) }, { $set: { lastUsedAt: at } });
    return result.matchedCount > 0;
  }

  async purgeExpired(before: Date): Promise<number> {
    const { strategy } = await this.#setup();
    const count = await strategy.purge({
      $or: [{ expiresAt: { $lt: before } }, { revokedAt: { $lt: before } }],
    });
    await this.#rateLimits.purge(before);
    return count;
  }

  // ---- rate limits ----------------------------------------------------------------------------

  /**
   * Counters in `<prefix>rate_limits`, shared by every process on this database (see
   * `rate-limits.ts`). Expired ones are deleted by a TTL index, or by `purgeExpired` on FerretDB.
   */
  createRateLimiter(spec: RateLimitSpec): RateLimitCounter {
    return this.#rateLimits.counter(spec);
  }
}
