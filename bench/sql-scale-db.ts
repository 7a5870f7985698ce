/**
 * The databases of bench/sql-scale.ts: bulk seeding, statistics, and the plans of the queries the
 * guard sends. Every database is seeded by the same statement with the same row count, so they
 * differ in one thing only: whether the 999,000 filler tokens sit in `oauth_tokens`, where the
 * guard looks, or in `bench_padding`, a copy of its definition (columns, identity and indexes)
 * that nothing reads. Both then have the same size, the same bulk-write history (WAL, checkpoints,
 * dirty pages evicting each other's from shared buffers) and freshly vacuumed, analysed tables.
 */
import { SqlAdapter } from 'express-oauth-provider/adapters/sql';
import { Client, Pool } from 'pg';

export const PADDING_TABLE = 'bench_padding';
export type FillerTable = 'oauth_tokens' | typeof PADDING_TABLE;

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Inserts `count` access tokens of 1,000 other users of another application into `table` (one
 * `INSERT … SELECT … generate_series`, not through HTTP); creates the padding table first.
 */
export async function seedFiller(url: string, table: FillerTable, count: number): Promise<number> {
  return withClient(url, async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS ${PADDING_TABLE} (LIKE oauth_tokens INCLUDING ALL)`);
    const started = performance.now();
    if (count > 0) {
      await client.query(
        `INSERT INTO ${table} (id, kind, hash, application_id, user_id, scopes, created_at, expires_at)
         SELECT gen_random_uuid()::text, 'access', encode(sha256(gen_random_uuid()::text::bytea), 'hex'),
                'filler-app', 'filler-user-' || (g % 1000), ARRAY['repo'], now(), now() + interval '1 day'
         FROM generate_series(1, $1::int) AS g`,
        [count],
      );
    }
    return performance.now() - started;
  });
}

/** `VACUUM ANALYZE` of the whole database: visibility map, hint bits and planner statistics. */
export async function vacuumAnalyze(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('VACUUM ANALYZE');
  });
}

export async function checkpoint(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('CHECKPOINT');
  });
}

export interface DatabaseShape {
  tokens: number;
  padding: number;
  sizeMb: number;
}

export async function shape(url: string): Promise<DatabaseShape> {
  return withClient(url, async (client) => {
    const count = async (table: string) =>
      Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    const size = await client.query<{ bytes: string }>(
      'SELECT pg_database_size(current_database()) AS bytes',
    );
    return {
      tokens: await count('oauth_tokens'),
      padding: await count(PADDING_TABLE),
      sizeMb: Math.round(Number(size.rows[0]?.bytes ?? 0) / 2 ** 20),
    };
  });
}

interface Captured {
  sql: string;
  parameters: unknown[];
}

/**
 * The plans of what the guard asks the database — the adapter's own `findTokenByHash` and
 * `findApplicationById` (the SQL is captured from the adapter, not rewritten here) — run with
 * `EXPLAIN (ANALYZE, BUFFERS)` for one of the server's own tokens, plus the plan (not run) of the
 * provider's periodic purge. Returns the plan text by query.
 */
export async function explainGuard(url: string): Promise<Record<string, string[]>> {
  const captured: Captured[] = [];
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (...args: unknown[]) => {
        const [text, values] = args;
        if (typeof text === 'string')
          captured.push({ sql: text, parameters: Array.isArray(values) ? values : [] });
        return query(...args);
      },
    });
  });
  try {
    const sample = await pool.query<{ hash: string; application_id: string }>(
      "SELECT hash, application_id FROM oauth_tokens WHERE application_id <> 'filler-app' ORDER BY seq LIMIT 1",
    );
    const row = sample.rows[0];
    if (row === undefined) throw new Error('explainGuard: the database holds no token of the bench server');
    const adapter = new SqlAdapter({ dialect: 'postgres', pool });
    const plans: Record<string, string[]> = {};
    const explain = async (name: string, call: () => Promise<unknown>, analyze: boolean) => {
      captured.length = 0;
      await call();
      const query = captured.at(-1);
      if (query === undefined) throw new Error(`explainGuard: ${name} sent no query`);
      const result = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (${analyze ? 'ANALYZE, BUFFERS, ' : ''}COSTS OFF) ${query.sql}`,
        query.parameters,
      );
      plans[name] = [query.sql, ...result.rows.map((plan) => plan['QUERY PLAN'])];
    };
    await explain('findTokenByHash', () => adapter.findTokenByHash(row.hash), true);
    await explain('findApplicationById', () => adapter.findApplicationById(row.application_id), true);
    // The purge deletes nothing here (nothing has expired), so it is safe to call to capture it.
    await explain('purgeExpired', () => adapter.purgeExpired(new Date()), false);
    return plans;
  } finally {
    await pool.end();
  }
}
