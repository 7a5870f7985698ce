/**
 * The SQL adapter on each dialect, shaped for the test kit's adapter registry:
 * `{ name, create(): Promise<{ adapter, cleanup }> }`. Every `create()` gives an empty store:
 * on PostgreSQL a fresh table prefix on the server of the global setup (its tables dropped by
 * `cleanup`), on SQLite a fresh in-memory database (closed by `cleanup`).
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Pool, type PoolConfig } from 'pg';
import { SqlAdapter } from '../../adapters/sql';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { postgresUrl } from './postgres-server';

export interface AdapterFactory {
  name: string;
  create(): Promise<{ adapter: StorageAdapter; cleanup(): Promise<void> }>;
}

/**
 * Test pool settings: generous timeouts, because a busy shared machine is not an outage
 * (test/sql/outage.test.ts sets short ones on purpose), and a quiet `'error'` listener.
 */
export function testPool(connectionString: string, config: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000, ...config });
  pool.on('error', () => {});
  return pool;
}

/** Drops every table whose name starts with `prefix`. */
export async function dropPrefixedTables(pool: Pool, prefix: string): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND starts_with(tablename, $1)',
    [prefix],
  );
  if (rows.length === 0) return;
  await pool.query(`DROP TABLE ${rows.map(({ tablename }) => `"${tablename}"`).join(', ')} CASCADE`);
}

export const postgres: AdapterFactory = {
  name: 'postgres',
  async create() {
    const pool = testPool(postgresUrl());
    const tablePrefix = `t${randomBytes(5).toString('hex')}_`;
    const adapter = new SqlAdapter({ dialect: 'postgres', pool, tablePrefix });
    await adapter.migrate();
    return {
      adapter,
      async cleanup() {
        try {
          await dropPrefixedTables(pool, tablePrefix);
        } finally {
          await pool.end();
        }
      },
    };
  },
};

export const sqlite: AdapterFactory = {
  name: 'sqlite',
  async create() {
    const database = new Database(':memory:');
    const adapter = new SqlAdapter({ dialect: 'sqlite', database });
    await adapter.migrate();
    return {
      adapter,
      async cleanup() {
        database.close();
      },
    };
  },
};
