/**
 * The SQL adapter on each dialect, as factories of the test kit's adapter registry
 * (adapters.ts, `ADAPTERS`), and SQL stores of a test file's own. Every `create()` gives an empty store:
 * on PostgreSQL a fresh table prefix on the server of the global setup (its tables dropped by
 * `cleanup`), on SQLite a fresh in-memory database (closed by `cleanup`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool, type PoolConfig } from 'pg';
import { SqlAdapter } from '../../adapters/sql';
import { migrationProvider } from '../../adapters/sql/migrations';
import type { AdapterFactory } from './adapters';
import { createDatabase, postgresUrl } from './postgres-server';
import { scaled } from './time-scale';

/**
 * The names of every migration the SQL adapter carries, in the order Kysely applies them (by
 * name). Tests that list applied migrations compare with this, so a branch adding one (the
 * numbers are assigned per feature, some land later than higher ones) changes no test.
 */
export async function migrationNames(): Promise<string[]> {
  const migrations = await migrationProvider('sqlite', 'oauth_').getMigrations();
  return Object.keys(migrations).sort();
}

/**
 * Test pool settings: generous timeouts, because a busy shared machine is not an outage
 * (test/sql/outage.test.ts sets short ones on purpose), and a quiet `'error'` listener.
 */
export function testPool(connectionString: string, config: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: scaled(10_000), ...config });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
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

/** A SQL store of a test file's own, through HTTP tests: the adapter and a raw view of its tables. */
export interface SqlStore {
  dialect: 'postgres' | 'sqlite';
  adapter: SqlAdapter;
  /** Every row of every table, one JSON line per row prefixed by its table's name. */
  dump(): Promise<{ tables: string[]; rows: string[] }>;
  /** One raw query, for tests that inspect what is stored. */
  query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

type Query = (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Every row of the tables `listTables` names (as `name`), one JSON line per row prefixed by its table. */
async function dumpTables(query: Query, listTables: string): Promise<{ tables: string[]; rows: string[] }> {
  const tables = (await query(listTables)).map((row) => String(row.name));
  const rows: string[] = [];
  for (const table of tables) {
    for (const row of await query(`SELECT * FROM "${table}"`)) rows.push(`${table} ${JSON.stringify(row)}`);
  }
  return { tables, rows };
}

/** How each dialect lists its tables (as `name`), for `dump`. */
const TABLES_QUERY = {
  postgres: "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY name",
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
} as const;

function sqlStore(
  dialect: SqlStore['dialect'],
  adapter: SqlAdapter,
  query: Query,
  cleanup: () => Promise<void>,
): SqlStore {
  return { dialect, adapter, query, dump: () => dumpTables(query, TABLES_QUERY[dialect]), cleanup };
}

/**
 * A fresh store: on PostgreSQL a database of its own on the server of the global setup, on
 * SQLite a file in a new temporary directory (WAL mode, 5 s busy timeout, scaled). Migrated. Given
 * `existing` (a `DATABASE_URL`), it opens that database instead and `cleanup` only closes it.
 */
export async function openSqlStore(
  dialect: 'postgres' | 'sqlite',
  name: string,
  existing?: string,
): Promise<SqlStore> {
  if (dialect === 'postgres') {
    const db = existing === undefined ? await createDatabase(name) : { url: existing, drop: async () => {} };
    const pool = testPool(db.url);
    const adapter = new SqlAdapter({ dialect, pool });
    await adapter.migrate();
    const query = async (text: string, values: unknown[] = []) => (await pool.query(text, values)).rows;
    return sqlStore('postgres', adapter, query, async () => {
      await pool.end();
      await db.drop();
    });
  }
  const dir = existing === undefined ? await mkdtemp(join(tmpdir(), 'oauth-sqlite-')) : undefined;
  const file = dir === undefined ? (existing ?? '').replace(/^sqlite:/, '') : join(dir, 'oauth.db');
  const database = new Database(file, { timeout: scaled(5000) });
  database.pragma('journal_mode = WAL');
  const adapter = new SqlAdapter({ dialect, database });
  await adapter.migrate();
  const query = async (text: string, values: unknown[] = []) => {
    const rows: unknown[] = database.prepare(text).all(...values);
    return rows.map((row) => ({ ...(row as object) }) as Record<string, unknown>);
  };
  return sqlStore('sqlite', adapter, query, async () => {
    database.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
}
