/**
 * Jest global setup for the SQL adapter's PostgreSQL tests: `DATABASE_URL` when set, otherwise a
 * throwaway cluster started here (test/support/postgres-server.ts) and stopped by the global
 * teardown (postgres-global-teardown.ts). Test files reach it through `postgresUrl()` (the
 * `OAUTH_TEST_POSTGRES_URL` variable). Only the jest projects with PostgreSQL suites name it
 * (jest.config.js), so `npm run test:fast` never starts a server.
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
export const POSTGRES_READY_KEY = Symbol.for('express-oauth-provider.test.postgres-ready');

export default async function postgresGlobalSetup(): Promise<void> {
  // Two projects (slow, adapter:postgres) name a setup that starts it; jest runs both in one process: start once.
  if (Reflect.get(globalThis, POSTGRES_READY_KEY) === true) return;
  Reflect.set(globalThis, POSTGRES_READY_KEY, true);
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
