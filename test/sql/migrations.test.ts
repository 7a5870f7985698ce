/**
 * The SQL adapter's schema: `migrate()` is idempotent and safe when several processes run it at
 * once; the tables after every migration hold exactly the columns of the column maps (so a field
 * added to a map without its migration, or the reverse, fails here); table prefixes keep two
 * adapters apart; and the hot look-ups are served by indexes, on PostgreSQL and on SQLite.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { SqlAdapter, sqlMigrationProvider } from '../../adapters/sql';
import {
  APPLICATION_COLUMNS,
  type ColumnMap,
  GRANT_COLUMNS,
  type Tables,
  TOKEN_COLUMNS,
} from '../../adapters/sql/columns';
import { makeApplication, makeToken } from '../../lib/testing';
import { createDatabase } from '../support/postgres-server';
import { migrationNames, testPool } from '../support/sql-adapters';
import { scaled } from '../support/time-scale';

const run = promisify(execFile);
const columnsOf = (map: ColumnMap<object>) =>
  [...Object.values(map).map((column: { name: string }) => column.name), 'seq'].sort();
/**
 * Every migration, in order: the tables, trust levels (issue 9), the rate limits (issue 11),
 * audiences (issue 10), resource selections (issue 14).
 */
const MIGRATION_NAMES = [
  '0001_create_tables',
  '0002_application_trust',
  '0003_create_rate_limits',
  '0004_audiences',
  '0005_add_resource_selections',
];

const EXPECTED: Record<string, string[]> = {
  applications: columnsOf(APPLICATION_COLUMNS),
  grants: columnsOf(GRANT_COLUMNS),
  tokens: columnsOf(TOKEN_COLUMNS),
};
/** Every migration present, in name order (filled in `beforeAll`). */
let ALL: string[] = [];

beforeAll(async () => {
  ALL = await migrationNames();
});

it('the migrations are numbered as the session fixed them: the tables, trust as 0002, the rate limits as 0003, audiences as 0004, resource selections as 0005', () => {
  expect(ALL).toEqual(MIGRATION_NAMES);
  expect(ALL.every((name) => /^\d{4}_[a-z_]+$/.test(name))).toBe(true);
  expect(new Set(ALL.map((name) => name.slice(0, 4))).size).toBe(ALL.length);
});

describe('SQL migrations on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createDatabase>>;
  const pools: ReturnType<typeof testPool>[] = [];
  const pool = () => {
    const made = testPool(db.url, { max: 2 });
    pools.push(made);
    return made;
  };

  beforeAll(async () => {
    db = await createDatabase('migrations');
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db?.drop();
  });

  it('five adapters migrating one empty database at once: one applies, the others find nothing to do', async () => {
    const adapters = Array.from({ length: 5 }, () => new SqlAdapter({ dialect: 'postgres', pool: pool() }));
    const applied = await Promise.all(adapters.map((adapter) => adapter.migrate()));
    expect(applied.flat()).toEqual(ALL);
    await expect(adapters[0]?.migrate()).resolves.toEqual([]);
  });

  it('the tables hold exactly the columns of the column maps', async () => {
    const { rows } = await pool().query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'oauth\\_%'",
    );
    for (const [table, expected] of Object.entries(EXPECTED)) {
      const actual = rows.filter((row) => row.table_name === `oauth_${table}`).map((row) => row.column_name);
      expect({ table, columns: actual.sort() }).toEqual({ table, columns: expected });
    }
  });

  it('0002 gives rows stored before trust levels what the contract says they read as', async () => {
    const shared = pool();
    // The pool is ended after the file; this Kysely instance is never destroyed (that would end it twice).
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: shared }) });
    const migrator = new Migrator({
      db,
      provider: sqlMigrationProvider('postgres', 'legacy_'),
      migrationTableName: 'legacy_migrations',
      migrationLockTableName: 'legacy_migrations_lock',
    });
    expect((await migrator.migrateTo('0001_create_tables')).error).toBeUndefined();
    const hostApp = makeApplication({ ownerId: null });
    const userApp = makeApplication();
    for (const app of [hostApp, userApp]) {
      const { trust: _trust, skipConsent: _skip, ...old } = app;
      await shared.query(
        `INSERT INTO legacy_applications (id, client_id, client_secret_hash, name, homepage_url, redirect_uris, confidential, scopes, owner_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          old.id,
          old.clientId,
          old.clientSecretHash,
          old.name,
          old.homepageUrl,
          old.redirectUris,
          old.confidential,
          old.scopes,
          old.ownerId,
          old.createdAt,
          old.updatedAt,
        ],
      );
    }
    const adapter = new SqlAdapter({ dialect: 'postgres', pool: shared, tablePrefix: 'legacy_' });
    await expect(adapter.migrate()).resolves.toEqual(MIGRATION_NAMES.slice(1));
    await expect(adapter.findApplicationById(hostApp.id)).resolves.toEqual({
      ...hostApp,
      trust: 'host',
      skipConsent: false,
    });
    await expect(adapter.findApplicationById(userApp.id)).resolves.toEqual({
      ...userApp,
      trust: 'user',
      skipConsent: false,
    });
    const { rows } = await shared.query('SELECT trust, skip_consent FROM legacy_applications ORDER BY seq');
    expect(rows).toEqual([
      { trust: 'host', skip_consent: false },
      { trust: 'user', skip_consent: false },
    ]);
  });

  it('a table prefix keeps a second adapter apart in the same database', async () => {
    const shared = pool();
    const other = new SqlAdapter({ dialect: 'postgres', pool: shared, tablePrefix: 'tenant2_' });
    await expect(other.migrate()).resolves.toEqual(ALL);
    const token = makeToken();
    await other.insertToken(token);
    const main = new SqlAdapter({ dialect: 'postgres', pool: shared });
    await expect(main.findTokenByHash(token.hash)).resolves.toBeNull();
    await expect(other.findTokenByHash(token.hash)).resolves.toEqual(token);
  });

  it('serves the hot look-ups and the cascades from indexes', async () => {
    const client = await pool().connect();
    try {
      // A few rows only: tell the planner a table scan is not an option, then see what it uses.
      await client.query('SET enable_seqscan = off');
      const plan = async (query: string) =>
        (await client.query(`EXPLAIN ${query}`)).rows.map((row) => String(row['QUERY PLAN'])).join('\n');
      expect(await plan("SELECT * FROM oauth_tokens WHERE hash = 'x'")).toContain('oauth_tokens_hash_key');
      expect(await plan("SELECT * FROM oauth_applications WHERE client_id = 'x'")).toContain(
        'oauth_applications_client_id_key',
      );
      for (const column of ['user_id', 'application_id', 'grant_id', 'family_id']) {
        expect(
          await plan(
            `UPDATE oauth_tokens SET revoked_at = now() WHERE ${column} = 'x' AND revoked_at IS NULL`,
          ),
        ).toContain(`oauth_tokens_${column}_created_at_idx`);
      }
      expect(await plan("SELECT * FROM oauth_grants WHERE user_id = 'x' AND application_id = 'y'")).toContain(
        'oauth_grants_user_application_key',
      );
      expect(await plan('DELETE FROM oauth_tokens WHERE expires_at < now()')).toContain(
        'oauth_tokens_expires_at_idx',
      );
    } finally {
      client.release();
    }
  });
});

describe('SQL migrations on SQLite', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oauth-sqlite-migrations-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'four processes migrating one new file at once: one applies, the others find nothing to do',
    async () => {
      const file = join(dir, 'race.db');
      const script = join(__dirname, 'migrate-process.ts');
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () =>
          run(process.execPath, ['--import', 'tsx', script, file], { cwd: join(__dirname, '..', '..') }),
        ),
      );
      const applied: unknown[] = outputs.flatMap(({ stdout }) => JSON.parse(stdout));
      expect(applied).toEqual(ALL);
      const database = new Database(file);
      try {
        const names = database.prepare('SELECT name FROM oauth_migrations').all();
        expect(names).toEqual(ALL.map((name) => ({ name })));
      } finally {
        database.close();
      }
    },
    scaled(60_000),
  );

  it('the tables hold exactly the columns of the column maps, and look-ups use indexes', async () => {
    const database = new Database(join(dir, 'schema.db'));
    try {
      await new SqlAdapter({ dialect: 'sqlite', database }).migrate();
      for (const [table, expected] of Object.entries(EXPECTED)) {
        const columns = database
          .prepare(`SELECT name FROM pragma_table_info('oauth_${table}')`)
          .all()
          .map((row) => String((row as { name: unknown }).name));
        expect({ table, columns: columns.sort() }).toEqual({ table, columns: expected });
      }
      const plan = (query: string) =>
        database
          .prepare(`EXPLAIN QUERY PLAN ${query}`)
          .all()
          .map((row) => String((row as { detail: unknown }).detail))
          .join('\n');
      expect(plan("SELECT * FROM oauth_tokens WHERE hash = 'x'")).toMatch(
        /USING INDEX sqlite_autoindex_oauth_tokens/,
      );
      expect(plan("SELECT * FROM oauth_tokens WHERE grant_id = 'x' ORDER BY created_at, seq")).toContain(
        'oauth_tokens_grant_id_created_at_idx',
      );
      expect(plan("SELECT * FROM oauth_applications WHERE client_id = 'x'")).toMatch(
        /USING INDEX sqlite_autoindex/,
      );
      await expect(new SqlAdapter({ dialect: 'sqlite', database }).migrate()).resolves.toEqual([]);
    } finally {
      database.close();
    }
  });
});
