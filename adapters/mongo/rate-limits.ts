/**
 * Rate-limit counters for {@link MongoAdapter} (`createRateLimiter`), shared by every process on
 * the database. On MongoDB (`atomicity: 'native'`): `rate-limiter-flexible`'s `RateLimiterMongo`
 * on the adapter's own connection, every limit in one collection (`<prefix>rate_limits`, one
 * document per limit and key), a count being one atomic `findOneAndUpdate` with `$inc` and
 * `upsert`. FerretDB 1.x runs that update as a read then a write, so concurrent counts are lost
 * (20 at once against a limit of 10 were all allowed): there (`'claims'`) every request inserts
 * one hit document into `<prefix>rate_limit_hits` and counts the hits of its (fixed) window, so
 * no hit is ever lost and at most `points` requests of a window are allowed.
 *
 * @internal
 */
import type { Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import { flexibleCounter, limiterOptions } from '../../lib/limits/flexible-counter';
import type { RateLimitCounter, RateLimitSpec } from '../../lib/storage/storage-adapter';
import { codeOf } from './strategies';

const NOT_IMPLEMENTED = 238;

/** The counters' collection: indexes made once (the library's own attempt is turned off: it logs on FerretDB). */
export class MongoRateLimits {
  #indexes: Promise<void> | undefined;

  constructor(
    private readonly connection: Connection,
    readonly collectionName: string,
    /** Whether updates are a read then a write here (FerretDB): then hits are counted instead. */
    private readonly countsHits: () => Promise<boolean>,
  ) {}

  get hitsCollectionName(): string {
    return this.collectionName.replace(/rate_limits$/, 'rate_limit_hits');
  }

  #db() {
    const db = this.connection.db;
    if (db === undefined) throw new Error('MongoAdapter: the connection is not open yet');
    return db;
  }

  /** A unique `key` (the library relies on it when two processes insert one key at once), and TTL where there is one. */
  async #ensureIndexes(): Promise<void> {
    const collection = this.#db().collection(this.collectionName);
    await collection.createIndex({ key: 1 }, { unique: true });
    await this.#db().collection(this.hitsCollectionName).createIndex({ key: 1 });
    try {
      await collection.createIndex({ expire: 1 }, { expireAfterSeconds: 0 });
    } catch (error) {
      if (codeOf(error) !== NOT_IMPLEMENTED) throw error;
      await collection.createIndex({ expire: 1 }); // FerretDB: `purgeExpired` deletes them
    }
    await this.#db().collection(this.hitsCollectionName).createIndex({ expire: 1 });
  }

  #ready(): Promise<void> {
    this.#indexes ??= this.#ensureIndexes().catch((error: unknown) => {
      this.#indexes = undefined;
      throw error;
    });
    return this.#indexes;
  }

  /** A counter for one limit; the limiter is built at first use, once the connection is open. */
  counter(spec: RateLimitSpec): RateLimitCounter {
    let counter: RateLimitCounter | undefined;
    const get = async (): Promise<RateLimitCounter> => {
      await this.#ready();
      if (counter === undefined && (await this.countsHits())) counter = this.#hitCounter(spec);
      counter ??= flexibleCounter(
        new RateLimiterMongo({
          ...limiterOptions(spec),
          storeClient: this.#db(),
          tableName: this.collectionName,
          disableIndexesCreation: true,
        }),
        spec.points,
      );
      return counter;
    };
    return {
      consume: async (key, points) => (await get()).consume(key, points),
      peek: async (key) => (await get()).peek(key),
    };
  }

  /**
   * Counting by inserts, for servers whose updates are not atomic: a hit per request, counted per
   * fixed window; a key over the limit gets a block document until its block (or window) ends.
   * Inserts are never lost, so of concurrent requests at most `points` are allowed (a burst that
   * arrives at once can be refused a little early: it fails closed).
   */
  #hitCounter(spec: RateLimitSpec): RateLimitCounter {
    const hits = this.#db().collection<{ key: string; expire: Date }>(this.hitsCollectionName);
    const blocks = this.#db().collection<{ _id: string; expire: Date }>(this.hitsCollectionName);
    const windowMs = spec.durationSeconds * 1000;
    const state = async (key: string, now: number) => {
      const windowEnd = (Math.floor(now / windowMs) + 1) * windowMs;
      const block = await blocks.findOne({
        _id: `block:${spec.name}:${key}`,
        expire: { $gt: new Date(now) },
      });
      const count = await hits.countDocuments({ key: `${spec.name}:${key}:${windowEnd}` });
      return { windowEnd, block, count };
    };
    const refused = (until: number, now: number) => ({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
    });
    return {
      consume: async (key, points = 1) => {
        const now = Date.now();
        const windowEnd = (Math.floor(now / windowMs) + 1) * windowMs;
        const blocked = await blocks.findOne({
          _id: `block:${spec.name}:${key}`,
          expire: { $gt: new Date(now) },
        });
        if (blocked !== null) return refused(blocked.expire.getTime(), now);
        const hit = { key: `${spec.name}:${key}:${windowEnd}`, expire: new Date(windowEnd) };
        await hits.insertMany(Array.from({ length: points }, () => ({ ...hit })));
        // Every hit the count sees was inserted before or at once with this one, so a burst that
        // arrives at once may be refused a little early, never allowed past `points`.
        const count = await hits.countDocuments({ key: hit.key });
        if (count <= spec.points) {
          return {
            allowed: true,
            remaining: spec.points - count,
            retryAfterSeconds: Math.ceil((windowEnd - now) / 1000),
          };
        }
        const until = spec.blockSeconds ? now + spec.blockSeconds * 1000 : windowEnd;
        if (spec.blockSeconds) {
          const _id = `block:${spec.name}:${key}`;
          await blocks.updateOne({ _id }, { $set: { expire: new Date(until) } }, { upsert: true });
        }
        return refused(until, now);
      },
      peek: async (key) => {
        const now = Date.now();
        const { windowEnd, block, count } = await state(key, now);
        if (block !== null) return refused(block.expire.getTime(), now);
        if (count > spec.points) return refused(windowEnd, now);
        return {
          allowed: true,
          remaining: spec.points - count,
          retryAfterSeconds: count === 0 ? 0 : Math.ceil((windowEnd - now) / 1000),
        };
      },
    };
  }

  /** Deletes counters whose window ended before `before` (servers without TTL indexes). */
  async purge(before: Date): Promise<void> {
    await this.#db()
      .collection(this.collectionName)
      .deleteMany({ expire: { $lt: before } });
    await this.#db()
      .collection(this.hitsCollectionName)
      .deleteMany({ expire: { $lt: before } });
  }
}
