/**
 * Rate-limit counters for {@link SqlAdapter} (`createRateLimiter`): `rate-limiter-flexible`'s
 * `RateLimiterPostgres` on the adapter's pool, or `RateLimiterSQLite` on its better-sqlite3
 * database, every limit in one table (`<prefix>rate_limits`, made by migration
 * `0003_create_rate_limits`, so the library never creates tables). A count is one
 * `INSERT … ON CONFLICT (key) DO UPDATE … RETURNING`, atomic on both, so every process on the
 * database counts against one budget.
 *
 * @internal
 */
import type { PostgresPool, SqliteDatabase } from 'kysely';
import { RateLimiterPostgres, RateLimiterSQLite } from 'rate-limiter-flexible';
import { flexibleCounter, limiterOptions } from '../../lib/limits/flexible-counter';
import type { RateLimitCounter, RateLimitSpec } from '../../lib/storage/storage-adapter';

export type RateLimitStore =
  | { dialect: 'postgres'; pool: PostgresPool }
  | { dialect: 'sqlite'; database: SqliteDatabase };

/** A counter for one limit in `table`. */
export function sqlRateLimiter(store: RateLimitStore, table: string, spec: RateLimitSpec): RateLimitCounter {
  const common = { ...limiterOptions(spec), tableName: table, tableCreated: true };
  const limiter =
    store.dialect === 'postgres'
      ? new RateLimiterPostgres({ ...common, storeClient: store.pool, storeType: 'pool' })
      : new RateLimiterSQLite({ ...common, storeClient: store.database, storeType: 'better-sqlite3' });
  return flexibleCounter(limiter, spec.points);
}
