/**
 * Jest global setup for the SQL adapter's PostgreSQL tests: `DATABASE_URL` when set, otherwise a
 * throwaway cluster started here (test/support/postgres-server.ts) and stopped by the teardown.
 * Test files reach it through `postgresUrl()` (the `OAUTH_TEST_POSTGRES_URL` variable).
 */
import {
  findPostgresBin,
  PG_BIN_ENV,
  PG_URL_ENV,
  type PostgresServer,
  startPostgres,
} from './postgres-server';

/** Where the server is kept between global setup and teardown (they share only `globalThis`). */
export const POSTGRES_KEY = Symbol.for('express-oauth-provider.test.postgres');

export async function postgresGlobalSetup(): Promise<void> {
  const external = process.env.DATABASE_URL;
  if (external?.startsWith('postgres')) {
    process.env[PG_URL_ENV] = external;
    console.log('\nPostgreSQL tests: using DATABASE_URL');
    return;
  }
  const started = Date.now();
  process.env[PG_BIN_ENV] = await findPostgresBin();
  const server: PostgresServer = await startPostgres((message) => console.log(message));
  Reflect.set(globalThis, POSTGRES_KEY, server);
  process.env[PG_URL_ENV] = server.url;
  console.log(
    `\nPostgreSQL tests: a throwaway cluster on ${server.url}, started in ${server.readyMs} ms ` +
      `(${Date.now() - started} ms setup in all)`,
  );
}

export async function postgresGlobalTeardown(): Promise<void> {
  const server: unknown = Reflect.get(globalThis, POSTGRES_KEY);
  Reflect.deleteProperty(globalThis, POSTGRES_KEY);
  if (typeof server !== 'object' || server === null || !('dispose' in server)) return;
  const { dispose } = server;
  if (typeof dispose === 'function') await dispose.call(server);
}
