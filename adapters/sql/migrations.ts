/**
 * The SQL adapter's schema, as Kysely migrations written in code (no migration folder to ship or
 * find at run time), and {@link runMigrations}, which applies the pending ones.
 *
 * How the schema evolves: a migration, once released, is never edited. A change is a new entry
 * in {@link MIGRATIONS} (Kysely applies them in name order: `0002_…`, `0003_…`; a number, once
 * given, is never reused) that alters the tables, plus the matching entry in the column map
 * (`columns.ts`). A new nullable column (or one with a default) keeps older provider versions
 * working during a rolling deploy.
 *
 * @internal
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { SqlDialectName, Tables } from './columns';

/** The table names for one prefix. */
export interface TableNames {
  applications: string;
  grants: string;
  tokens: string;
  migrations: string;
  migrationLock: string;
  rateLimits: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    applications: `${prefix}applications`,
    grants: `${prefix}grants`,
    tokens: `${prefix}tokens`,
    migrations: `${prefix}migrations`,
    migrationLock: `${prefix}migrations_lock`,
    rateLimits: `${prefix}rate_limits`,
  };
}

/** Column types by what they hold (see `columns.ts` for the codecs that match them). */
function types(dialect: SqlDialectName) {
  const postgres = dialect === 'postgres';
  return {
    date: postgres ? ('timestamptz' as const) : ('integer' as const),
    boolean: postgres ? ('boolean' as const) : ('integer' as const),
    list: postgres ? sql`text[]` : sql`text`,
  };
}

/**
 * `seq` is the insertion order: lists sort by `created_at, seq`, so records created in the same
 * millisecond come back in the order they were stored. On SQLite it is the rowid.
 */
type TableBuilder = ReturnType<Kysely<Tables>['schema']['createTable']>;
function withSeq(table: TableBuilder, dialect: SqlDialectName): TableBuilder {
  return dialect === 'postgres'
    ? table.addColumn('seq', 'bigint', (col) => col.generatedAlwaysAsIdentity().primaryKey())
    : table.addColumn('seq', 'integer', (col) => col.primaryKey());
}

type Migrations = Record<
  string,
  (db: Kysely<Tables>, dialect: SqlDialectName, t: TableNames) => Promise<void>
>;

const MIGRATIONS: Migrations = {
  async '0001_create_tables'(db, dialect, t) {
    const type = types(dialect);
    await withSeq(db.schema.createTable(t.applications), dialect)
      .addColumn('id', 'text', (col) => col.notNull().unique())
      .addColumn('client_id', 'text', (col) => col.notNull().unique())
      .addColumn('client_secret_hash', 'text')
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('homepage_url', 'text', (col) => col.notNull())
      .addColumn('redirect_uris', type.list, (col) => col.notNull())
      .addColumn('confidential', type.boolean, (col) => col.notNull())
      .addColumn('scopes', type.list, (col) => col.notNull())
      .addColumn('owner_id', 'text')
      .addColumn('created_at', type.date, (col) => col.notNull())
      .addColumn('updated_at', type.date, (col) => col.notNull())
      .execute();
    await index(db, t.applications, ['owner_id', 'created_at']);

    await withSeq(db.schema.createTable(t.grants), dialect)
      .addColumn('id', 'text', (col) => col.notNull().unique())
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('application_id', 'text', (col) => col.notNull())
      .addColumn('scopes', type.list, (col) => col.notNull())
      .addColumn('created_at', type.date, (col) => col.notNull())
      .addColumn('updated_at', type.date, (col) => col.notNull())
      .addColumn('last_used_at', type.date)
      // One consent per (user, application): `saveGrant` upserts on it.
      .addUniqueConstraint(`${t.grants}_user_application_key`, ['user_id', 'application_id'])
      .execute();
    await index(db, t.grants, ['user_id', 'created_at']);
    await index(db, t.grants, ['application_id']);

    await withSeq(db.schema.createTable(t.tokens), dialect)
      .addColumn('id', 'text', (col) => col.notNull().unique())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('hash', 'text', (col) => col.notNull().unique())
      .addColumn('application_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('grant_id', 'text')
      .addColumn('family_id', 'text')
      .addColumn('scopes', type.list, (col) => col.notNull())
      .addColumn('created_at', type.date, (col) => col.notNull())
      .addColumn('expires_at', type.date)
      .addColumn('revoked_at', type.date)
      .addColumn('consumed_at', type.date)
      .addColumn('last_used_at', type.date)
      .addColumn('name', 'text')
      .addColumn('redirect_uri', 'text')
      .addColumn('code_challenge', 'text')
      .addColumn('code_challenge_method', 'text')
      .execute();
    // Lists and revocation cascades filter by one of these and sort by created_at.
    for (const field of ['user_id', 'application_id', 'grant_id', 'family_id']) {
      await index(db, t.tokens, [field, 'created_at']);
    }
    // purgeExpired.
    await index(db, t.tokens, ['expires_at']);
    await index(db, t.tokens, ['revoked_at']);
  },

  /**
   * Trust levels (the storage contract's `trust`, `skipConsent`). Existing rows get what the
   * contract says a record from before trust levels reads as: `host` without an owner, `user`
   * with one, and `skip_consent` false. Both stay nullable, so a row an older provider version
   * inserts during a rolling deploy reads the same way (the reader derives them).
   */
  async '0002_application_trust'(db, dialect, t) {
    const type = types(dialect);
    await db.schema.alterTable(t.applications).addColumn('trust', 'text').execute();
    await db.schema.alterTable(t.applications).addColumn('skip_consent', type.boolean).execute();
    await db
      .updateTable(t.applications)
      .set({
        trust: sql`case when owner_id is null then 'host' else 'user' end`,
        skip_consent: dialect === 'postgres' ? false : 0,
      })
      .where('trust', 'is', null)
      .execute();
  },

  /**
   * The rate limits' counters (`rate-limit.ts`), in the columns, order and types
   * `rate-limiter-flexible` writes: `key`, `points`, `expire` (epoch milliseconds).
   */
  async '0003_create_rate_limits'(db, dialect, t) {
    const postgres = dialect === 'postgres';
    await db.schema
      .createTable(t.rateLimits)
      .addColumn('key', postgres ? 'varchar(255)' : 'text', (col) => col.primaryKey())
      .addColumn('points', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('expire', postgres ? 'bigint' : 'integer')
      .execute();
    await index(db, t.rateLimits, ['expire']);
  },

  /**
   * Audiences (RFC 8707; the storage contract's `audience` on grants and tokens). Nullable and
   * without a backfill: `NULL` reads as the empty list, which is what a record from before
   * audiences means (issued without `resource`), also for rows an older version inserts later.
   */
  async '0004_audiences'(db, dialect, t) {
    const type = types(dialect);
    await db.schema.alterTable(t.grants).addColumn('audience', type.list).execute();
    await db.schema.alterTable(t.tokens).addColumn('audience', type.list).execute();
  },

  async '0005_add_resource_selections'(db, _dialect, t) {
    await addResourceSelections(db, t);
  },
};

/** Resource selections (fine-grained access, issue 14), after the audiences of 0004. */
async function addResourceSelections(db: Kysely<Tables>, t: TableNames): Promise<void> {
  // JSON text, nullable: rows from before are unrestricted, and older versions keep working.
  await db.schema.alterTable(t.grants).addColumn('resource_selection', 'text').execute();
  await db.schema.alterTable(t.tokens).addColumn('resource_selection', 'text').execute();
}

function index(db: Kysely<Tables>, table: string, columns: string[]): Promise<void> {
  return db.schema
    .createIndex(`${table}_${columns.join('_')}_idx`)
    .on(table)
    .columns(columns)
    .execute();
}

/**
 * The migrations as a Kysely `MigrationProvider`, for hosts that run migrations from their own
 * tooling. Give them a migration table of their own (`<prefix>migrations`), so their names never
 * interleave with the host's migrations.
 */
export function migrationProvider(dialect: SqlDialectName, prefix: string): MigrationProvider {
  const t = tableNames(prefix);
  const migrations: Record<string, Migration> = {};
  for (const [name, up] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (db) => up(db, dialect, t) };
  }
  return { getMigrations: async () => migrations };
}

/**
 * Applies the pending migrations and returns their names. Safe when several processes start at
 * once: on PostgreSQL, Kysely's `Migrator` runs them in one transaction under an advisory lock;
 * on SQLite, whose Kysely adapter takes no lock, they run inside `BEGIN IMMEDIATE`, so a second
 * process waits for the first (its busy timeout) and then finds nothing to do.
 */
export async function runMigrations(
  db: Kysely<Tables>,
  dialect: SqlDialectName,
  prefix: string,
): Promise<string[]> {
  const t = tableNames(prefix);
  const migrate = async (on: Kysely<Tables>) => {
    const migrator = new Migrator({
      db: on,
      provider: migrationProvider(dialect, prefix),
      migrationTableName: t.migrations,
      migrationLockTableName: t.migrationLock,
    });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results.find((result) => result.status === 'Error')?.migrationName;
      throw new Error(`SqlAdapter.migrate: ${failed ? `migration ${failed} failed` : 'failed'}`, {
        cause: error,
      });
    }
    return results.map((result) => result.migrationName);
  };
  if (dialect === 'postgres') return migrate(db);
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const applied = await migrate(connection);
      await sql`commit`.execute(connection);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}
