import { Kysely, PostgresDialect, type PostgresPool, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import { withTrustDefaults } from '../../lib/storage/legacy-records';
import { intersectSelections } from '../../lib/storage/resource-selection';
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
import {
  APPLICATION_COLUMNS,
  encodeDate,
  FILTER_FIELDS,
  fromRow,
  GRANT_COLUMNS,
  PATCH_FIELDS,
  type SqlDialectName,
  type Tables,
  TOKEN_COLUMNS,
  toPartialRow,
  toRow,
} from './columns';
import { runMigrations, type TableNames, tableNames } from './migrations';
import { type RateLimitStore, sqlRateLimiter } from './rate-limits';

/** Options of {@link SqlAdapter}: a PostgreSQL pool or a SQLite database, which the host owns. */
export type SqlAdapterOptions = (
  | {
      dialect: 'postgres';
      /**
       * A `pg` `Pool` (or anything shaped like one) made with deliberate timeouts and an `'error'`
       * listener; see "Failures" on {@link SqlAdapter}.
       */
      pool: PostgresPool;
    }
  | {
      dialect: 'sqlite';
      /** A `better-sqlite3` database, ideally in WAL mode with a busy timeout. One per file per process. */
      database: SqliteDatabase;
    }
) & {
  /** Prefix of the table names: `oauth_applications`, `oauth_grants`, `oauth_tokens`, … Default `oauth_`. */
  tablePrefix?: string;
  /** How many expired records `purgeExpired` deletes per statement. Default 5,000. */
  purgeBatchSize?: number;
};

/**
 * The SQL {@link StorageAdapter}, on Kysely, for PostgreSQL (through `pg`) and SQLite (through
 * `better-sqlite3`). One table per record type (`<prefix>applications`, `<prefix>grants`,
 * `<prefix>tokens`) with unique indexes on `id`, `client_id`, token `hash` and the grant's
 * (user, application) pair, and an index behind every list, cascade and purge.
 *
 * **Schema.** Call {@link migrate} at start-up (idempotent, safe when several processes start at
 * once), or run the same migrations from your own tooling with `sqlMigrationProvider()`. The
 * adapter never creates tables by itself.
 *
 * **Atomicity.** `consumeToken` is one conditional `UPDATE … WHERE consumed_at IS NULL AND
 * revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $at) RETURNING *`: the database
 * lets exactly one of any number of concurrent calls match. A call that matched nothing reads
 * the row afterwards, to say whether it was consumed (within the grace window or not), revoked,
 * expired or missing; that read decides nothing, so it cannot race. `saveGrant` is one
 * `INSERT … ON CONFLICT (user_id, application_id) DO UPDATE`, `revokeTokens` one `UPDATE … WHERE
 * revoked_at IS NULL` whose row count is the answer. On PostgreSQL a second concurrent `UPDATE`
 * of a row waits for the first and re-checks its `WHERE` on the committed row (READ COMMITTED), so
 * the loser matches nothing. SQLite has one writer at a time: Kysely runs every statement of a
 * process on its one connection in turn, and other processes wait for the file lock up to the
 * database's busy timeout (`new Database(path, { timeout })`, 5 s by default).
 *
 * **Failures.** Every driver error is thrown, and the core answers 503. Give the `pg` pool a
 * `connectionTimeoutMillis` (a stopped or unreachable server), a `query_timeout` (a server that
 * stops answering), and `'error'` listeners on the pool and on each client (`pool.on('connect',
 * (client) => client.on('error', …))`): a connection that dies emits `'error'` on the pool while
 * idle and on the client while a query holds it, and either one unheard ends the process (our
 * partition test crashed without the second). Broken connections leave the pool by themselves,
 * so the provider recovers when the server is back.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { SqlAdapter } from 'express-oauth-provider/adapters/sql';
 *
 * const pool = new Pool({
 *   connectionString: process.env.DATABASE_URL,
 *   connectionTimeoutMillis: 1500, // server down or unreachable: fail after 1.5 s
 *   query_timeout: 2000, // server silent: in-flight queries give up
 * });
 * const lost = (error: Error) => console.error('PostgreSQL connection lost:', error.message);
 * pool.on('error', lost).on('connect', (client) => client.on('error', lost));
 * const adapter = new SqlAdapter({ dialect: 'postgres', pool });
 * await adapter.migrate();
 * // The provider calls adapter.purgeExpired() itself, every `purgeIntervalSeconds` (600 by default).
 * const provider = createProvider({ adapter, currentUser, loginUrl: '/login' });
 * ```
 */
export class SqlAdapter implements StorageAdapter {
  readonly #db: Kysely<Tables>;
  readonly #dialect: SqlDialectName;
  readonly #prefix: string;
  readonly #t: TableNames;
  readonly #purgeBatch: number;
  readonly #store: RateLimitStore;

  constructor(options: SqlAdapterOptions) {
    const { tablePrefix = 'oauth_', purgeBatchSize = 5000 } = options;
    if (!/^[a-z_][a-z0-9_]{0,30}$/.test(tablePrefix)) {
      throw new TypeError(
        'SqlAdapter: `tablePrefix` must be up to 31 lowercase letters, digits and `_`, not starting with a digit',
      );
    }
    if (!Number.isInteger(purgeBatchSize) || purgeBatchSize < 1) {
      throw new TypeError('SqlAdapter: `purgeBatchSize` must be a positive integer');
    }
    if (options.dialect === 'postgres') {
      if (typeof options.pool?.connect !== 'function') {
        throw new TypeError("SqlAdapter: `dialect: 'postgres'` requires a `pool` (a pg Pool)");
      }
      this.#db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: options.pool }) });
      this.#store = { dialect: 'postgres', pool: options.pool };
    } else if (options.dialect === 'sqlite') {
      if (typeof options.database?.prepare !== 'function') {
        throw new TypeError(
          "SqlAdapter: `dialect: 'sqlite'` requires a `database` (a better-sqlite3 Database)",
        );
      }
      this.#db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: options.database }) });
      this.#store = { dialect: 'sqlite', database: options.database };
    } else {
      throw new TypeError("SqlAdapter: `dialect` must be 'postgres' or 'sqlite'");
    }
    this.#dialect = options.dialect;
    this.#prefix = tablePrefix;
    this.#t = tableNames(tablePrefix);
    this.#purgeBatch = purgeBatchSize;
  }

  /**
   * Creates or upgrades the tables (idempotent) and returns the names of the migrations it
   * applied (`[]` when the schema was current). Safe to call from every process at start-up.
   */
  migrate(): Promise<string[]> {
    return runMigrations(this.#db, this.#dialect, this.#prefix);
  }

  #date(value: Date): Date | number {
    return encodeDate(value, this.#dialect);
  }

  // ---- applications -------------------------------------------------------------------------

  /** A row as a record; trust fields a row from before trust levels lacks read as the contract says. */
  #application(row: unknown): ApplicationRecord {
    return withTrustDefaults(fromRow(this.#t.applications, APPLICATION_COLUMNS, row));
  }

  async createApplication(record: ApplicationRecord): Promise<ApplicationRecord> {
    const row = await this.#db
      .insertInto(this.#t.applications)
      .values(toRow(APPLICATION_COLUMNS, record, this.#dialect))
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.#application(row);
  }

  async findApplicationById(id: string): Promise<ApplicationRecord | null> {
    return this.#findApplication('id', id);
  }

  async findApplicationByClientId(clientId: string): Promise<ApplicationRecord | null> {
    return this.#findApplication('client_id', clientId);
  }

  async #findApplication(column: 'id' | 'client_id', value: string): Promise<ApplicationRecord | null> {
    if (this.#unmatchable(value)) return null;
    const row = await this.#db
      .selectFrom(this.#t.applications)
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row === undefined ? null : this.#application(row);
  }

  async listApplicationsByOwner(ownerId: string): Promise<ApplicationRecord[]> {
    if (this.#unmatchable(ownerId)) return [];
    const rows = await this.#db
      .selectFrom(this.#t.applications)
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('created_at')
      .orderBy('seq')
      .execute();
    return rows.map((row) => this.#application(row));
  }

  async listApplications(page: ApplicationPageRequest): Promise<ApplicationRecord[]> {
    const after = page.after;
    if (after !== undefined && this.#unmatchable(after.id)) return [];
    // Ids compare as bytes, whatever the database's collation: PostgreSQL's "C", SQLite's BINARY.
    const id = this.#dialect === 'postgres' ? sql<string>`id collate "C"` : sql<string>`id`;
    let query = this.#db.selectFrom(this.#t.applications).selectAll();
    if (after !== undefined) {
      const createdAt = this.#date(after.createdAt);
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb(id, '>', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at').orderBy(id).limit(page.limit).execute();
    return rows.map((row) => this.#application(row));
  }

  async updateApplication(id: string, patch: ApplicationPatch): Promise<ApplicationRecord | null> {
    for (const field of Object.keys(patch)) {
      if (!Object.hasOwn(PATCH_FIELDS, field)) {
        throw new TypeError(`SqlAdapter.updateApplication: \`${field}\` cannot be changed`);
      }
    }
    const set = toPartialRow(APPLICATION_COLUMNS, patch, this.#dialect);
    if (this.#unmatchable(id)) return null;
    if (Object.keys(set).length === 0) return this.findApplicationById(id);
    const row = await this.#db
      .updateTable(this.#t.applications)
      .set(set)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : this.#application(row);
  }

  async deleteApplication(id: string): Promise<boolean> {
    if (this.#unmatchable(id)) return false;
    return this.#db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom(this.#t.applications).where('id', '=', id).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return false;
      await trx.deleteFrom(this.#t.grants).where('application_id', '=', id).execute();
      return true;
    });
  }

  // ---- grants -------------------------------------------------------------------------------

  async saveGrant(record: GrantRecord): Promise<GrantRecord> {
    // An existing grant keeps id, created_at and last_used_at; only these three are replaced.
    const row = await this.#db
      .insertInto(this.#t.grants)
      .values(toRow(GRANT_COLUMNS, record, this.#dialect))
      .onConflict((conflict) =>
        conflict.columns(['user_id', 'application_id']).doUpdateSet((eb) => ({
          scopes: eb.ref('excluded.scopes'),
          resource_selection: eb.ref('excluded.resource_selection'),
          audience: eb.ref('excluded.audience'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(this.#t.grants, GRANT_COLUMNS, row);
  }

  async findGrant(userId: string, applicationId: string): Promise<GrantRecord | null> {
    if (this.#unmatchable(userId, applicationId)) return null;
    const row = await this.#db
      .selectFrom(this.#t.grants)
      .selectAll()
      .where('user_id', '=', userId)
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    return row === undefined ? null : fromRow(this.#t.grants, GRANT_COLUMNS, row);
  }

  async findGrantById(id: string): Promise<GrantRecord | null> {
    if (this.#unmatchable(id)) return null;
    const row = await this.#db.selectFrom(this.#t.grants).selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : fromRow(this.#t.grants, GRANT_COLUMNS, row);
  }

  async listGrantsByUser(userId: string): Promise<GrantRecord[]> {
    if (this.#unmatchable(userId)) return [];
    const rows = await this.#db
      .selectFrom(this.#t.grants)
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('seq')
      .execute();
    return rows.map((row) => fromRow(this.#t.grants, GRANT_COLUMNS, row));
  }

  async deleteGrant(id: string): Promise<boolean> {
    if (this.#unmatchable(id)) return false;
    const result = await this.#db.deleteFrom(this.#t.grants).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async touchGrant(id: string, at: Date): Promise<boolean> {
    if (this.#unmatchable(id)) return false;
    const result = await this.#db
      .updateTable(this.#t.grants)
      .set({ last_used_at: this.#date(at) })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  // ---- tokens -------------------------------------------------------------------------------

  async insertToken(record: TokenRecord): Promise<void> {
    await this.#db
      .insertInto(this.#t.tokens)
      .values(toRow(TOKEN_COLUMNS, record, this.#dialect))
      .execute();
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | null> {
    if (this.#unmatchable(hash)) return null;
    const row = await this.#db
      .selectFrom(this.#t.tokens)
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row === undefined ? null : fromRow(this.#t.tokens, TOKEN_COLUMNS, row);
  }

  async listTokens(filter: TokenFilter): Promise<TokenRecord[]> {
    const criteria = this.#criteria('listTokens', filter);
    if (this.#unmatchable(...criteria.map(([, value]) => value))) return [];
    const rows = await this.#db
      .selectFrom(this.#t.tokens)
      .selectAll()
      .where((eb) =>
        eb.and([...criteria.map(([column, value]) => eb(column, '=', value)), eb('revoked_at', 'is', null)]),
      )
      .orderBy('created_at')
      .orderBy('seq')
      .execute();
    return rows.map((row) => fromRow(this.#t.tokens, TOKEN_COLUMNS, row));
  }

  async revokeTokens(filter: TokenFilter, at: Date): Promise<number> {
    const criteria = this.#criteria('revokeTokens', filter);
    if (criteria.length === 0) {
      throw new TypeError('SqlAdapter.revokeTokens: an empty filter would revoke every token');
    }
    if (this.#unmatchable(...criteria.map(([, value]) => value))) return 0;
    const result = await this.#db
      .updateTable(this.#t.tokens)
      .set({ revoked_at: this.#date(at) })
      .where((eb) =>
        eb.and([...criteria.map(([column, value]) => eb(column, '=', value)), eb('revoked_at', 'is', null)]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Per record: read its selection, write the intersection only if the column still holds what
   * was read (a compare-and-set), and re-read on a lost race. No transaction spans records.
   */
  async restrictTokens(filter: TokenFilter, narrowing: ResourceSelection): Promise<number> {
    const criteria = this.#criteria('restrictTokens', filter);
    if (criteria.length === 0) {
      throw new TypeError('SqlAdapter.restrictTokens: an empty filter would restrict every token');
    }
    if (this.#unmatchable(...criteria.map(([, value]) => value))) return 0;
    const column = TOKEN_COLUMNS.resourceSelection;
    const rows = await this.#db
      .selectFrom(this.#t.tokens)
      .select(['id', 'resource_selection'])
      .where((eb) =>
        eb.and([...criteria.map(([name, value]) => eb(name, '=', value)), eb('revoked_at', 'is', null)]),
      )
      .execute();
    let count = 0;
    for (const first of rows) {
      let stored: unknown = first.resource_selection;
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const current = column.decode(stored, (expected) => {
          throw new TypeError(
            `SqlAdapter: tokens row ${String(first.id)}: resource_selection is not ${expected}`,
          );
        });
        const next = column.encode(intersectSelections(current, narrowing), this.#dialect);
        const result = await this.#db
          .updateTable(this.#t.tokens)
          .set({ resource_selection: next })
          .where((eb) =>
            eb.and([
              eb('id', '=', first.id),
              eb('revoked_at', 'is', null),
              stored === null || stored === undefined
                ? eb('resource_selection', 'is', null)
                : eb('resource_selection', '=', stored),
            ]),
          )
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) {
          count += 1;
          break;
        }
        const again = await this.#db
          .selectFrom(this.#t.tokens)
          .select(['resource_selection', 'revoked_at'])
          .where('id', '=', first.id)
          .executeTakeFirst();
        if (again === undefined || (again.revoked_at !== null && again.revoked_at !== undefined)) break;
        stored = again.resource_selection;
      }
    }
    return count;
  }

  async consumeToken(
    kind: TokenKind,
    hash: string,
    at: Date,
    graceMs: number,
  ): Promise<ConsumeResult | null> {
    if (typeof graceMs !== 'number' || !(graceMs >= 0)) {
      throw new TypeError('SqlAdapter.consumeToken: `graceMs` must be a number >= 0');
    }
    if (this.#unmatchable(hash)) return null;
    const now = this.#date(at);
    const won = await this.#db
      .updateTable(this.#t.tokens)
      .set({ consumed_at: now })
      .where('hash', '=', hash)
      .where('kind', '=', kind)
      .where('consumed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .returningAll()
      .executeTakeFirst();
    if (won !== undefined) {
      // The row matched with consumed_at NULL: that is the record as it was before this call.
      return {
        outcome: 'consumed',
        record: { ...fromRow(this.#t.tokens, TOKEN_COLUMNS, won), consumedAt: null },
      };
    }
    // Matched nothing: say why from the row as it is now. This read decides nothing.
    const record = await this.findTokenByHash(hash);
    if (record === null || record.kind !== kind) return null;
    if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) return null;
    if (record.revokedAt !== null) return { outcome: 'replayed', record };
    // Not consumed either: it was inserted after the UPDATE looked. Rare enough to say "none".
    if (record.consumedAt === null) return null;
    const elapsed = at.getTime() - record.consumedAt.getTime();
    return { outcome: graceMs > 0 && elapsed < graceMs ? 'within_grace' : 'replayed', record };
  }

  async touchToken(id: string, at: Date): Promise<boolean> {
    if (this.#unmatchable(id)) return false;
    const result = await this.#db
      .updateTable(this.#t.tokens)
      .set({ last_used_at: this.#date(at) })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes in batches of `purgeBatchSize`, so a large backlog never holds one long lock. */
  async purgeExpired(before: Date): Promise<number> {
    const limit = this.#date(before);
    let total = 0;
    for (;;) {
      const result = await this.#db
        .deleteFrom(this.#t.tokens)
        .where(
          'seq',
          'in',
          this.#db
            .selectFrom(this.#t.tokens)
            .select('seq')
            .where((eb) => eb.or([eb('expires_at', '<', limit), eb('revoked_at', '<', limit)]))
            .limit(this.#purgeBatch),
        )
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < this.#purgeBatch) break;
    }
    // The rate limits' counters whose window ended (not counted: they are not token records).
    await sql`DELETE FROM ${sql.table(this.#t.rateLimits)} WHERE expire < ${before.getTime()}`.execute(
      this.#db,
    );
    return total;
  }

  // ---- rate limits ----------------------------------------------------------------------------

  /**
   * Counters in `<prefix>rate_limits` (migration `0003_create_rate_limits`), shared by every
   * process on this database; see `rate-limits.ts`. `purgeExpired` deletes the expired ones.
   */
  createRateLimiter(spec: RateLimitSpec): RateLimitCounter {
    return sqlRateLimiter(this.#store, this.#t.rateLimits, spec);
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The filter as `[column, value]` pairs; unknown fields are a bug, `undefined` ones are absent. */
  /**
   * PostgreSQL `text` cannot hold a NUL character and refuses a query that compares with one
   * ("invalid byte sequence for encoding UTF8: 0x00"), so no stored value can equal such a key:
   * the look-up finds nothing, as the contract says, instead of failing as an outage would.
   */
  #unmatchable(...values: string[]): boolean {
    return this.#dialect === 'postgres' && values.some((value) => value.includes('\u0000'));
  }

  #criteria(where: string, filter: TokenFilter): [string, string][] {
    const criteria: [string, string][] = [];
    for (const [field, value] of Object.entries(filter)) {
      if (!Object.hasOwn(FILTER_FIELDS, field)) {
        throw new TypeError(`SqlAdapter.${where}: unknown filter field \`${field}\``);
      }
      if (value === undefined) continue;
      const column = TOKEN_COLUMNS[field as keyof TokenFilter].name;
      criteria.push([column, String(value)]);
    }
    return criteria;
  }
}
