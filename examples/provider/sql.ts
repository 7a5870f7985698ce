import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { SqlAdapter } from '../../adapters/sql';

/** What {@link connectSqlAdapter} made: the adapter, a printable label, and how to stop it. */
export interface SqlStorage {
  adapter: SqlAdapter;
  label: string;
  /** Closes the pool or database. */
  close(): Promise<void>;
}

/**
 * The SQL adapter for `DATABASE_URL`: `postgres://…` (or `postgresql://…`) through a `pg` pool,
 * `sqlite:<path>` through better-sqlite3. It runs the migrations; the provider purges expired
 * records itself (`purgeIntervalSeconds`).
 *
 * The pool's timeouts make an outage answer 503 quickly instead of hanging: a stopped or
 * unreachable server is noticed through `connectionTimeoutMillis`, a silent one (a partition)
 * through `query_timeout`; the server-side `statement_timeout` stops a runaway query. Idle
 * connections that a restarting server drops are reported on `'error'` and leave the pool.
 *
 * SQLite runs in WAL mode (readers never wait for the writer) with a 5 s busy timeout, the most
 * a write waits for another process's write.
 */
export async function connectSqlAdapter(
  url: string,
  log: (message: string) => void = (message) => console.error(message),
): Promise<SqlStorage> {
  let adapter: SqlAdapter;
  let closeStore: () => Promise<void>;
  let label: string;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 1500,
      query_timeout: 2000,
      statement_timeout: 2000,
      idleTimeoutMillis: 30_000,
    });
    // A connection that dies (a restart, a partition healing) emits 'error': on the pool while it
    // is idle, on the client while a query holds it. Unheard, either would end the process.
    pool.on('error', (error) => log(`PostgreSQL: an idle connection failed: ${error.message}`));
    pool.on('connect', (client) => {
      client.on('error', (error) => log(`PostgreSQL: a connection failed: ${error.message}`));
    });
    adapter = new SqlAdapter({ dialect: 'postgres', pool });
    closeStore = () => pool.end();
    label = `PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//***@')}`;
  } else if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new Error('DATABASE_URL: `sqlite:` needs a path, e.g. sqlite:./oauth.db');
    const database = new Database(path, { timeout: 5000 });
    database.pragma('journal_mode = WAL');
    adapter = new SqlAdapter({ dialect: 'sqlite', database });
    closeStore = async () => {
      database.close();
    };
    label = `SQLite at ${path}`;
  } else {
    throw new Error('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
  }
  try {
    await adapter.migrate();
  } catch (error) {
    await closeStore();
    throw error;
  }
  return { adapter, label, close: closeStore };
}
