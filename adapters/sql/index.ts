/**
 * The SQL storage adapter, on Kysely, for PostgreSQL (`pg`) and SQLite (`better-sqlite3`):
 * `import { SqlAdapter } from 'express-oauth-provider/adapters/sql'`.
 *
 * @packageDocumentation
 */
export type * from '../../lib/storage/storage-adapter';
export type { SqlDialectName } from './columns';
export { migrationProvider as sqlMigrationProvider, tableNames as sqlTableNames } from './migrations';
export { SqlAdapter, type SqlAdapterOptions } from './sql-adapter';
