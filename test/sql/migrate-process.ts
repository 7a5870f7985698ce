/**
 * One process that migrates a SQLite file and prints the migrations it applied as JSON, for
 * test/sql/migrations.test.ts (several of these start at once). Run with `node --import tsx`.
 */
import Database from 'better-sqlite3';
import { SqlAdapter } from '../../adapters/sql';
import { scaled } from '../support/time-scale';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: migrate-process.ts <sqlite file>');
const database = new Database(path, { timeout: scaled(10_000) });
database.pragma('journal_mode = WAL');
new SqlAdapter({ dialect: 'sqlite', database })
  .migrate()
  .then((applied) => {
    process.stdout.write(`${JSON.stringify(applied)}\n`);
    database.close();
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
