/**
 * Jest global setup: makes a MongoDB-protocol server available to every test file through
 * `mongoUri()` (the `OAUTH_TEST_MONGODB_URI` environment variable, inherited by the workers).
 * `MONGODB_URI` when set; otherwise a FerretDB started here and stopped by the global teardown.
 * Only the jest projects with Mongo suites name it (jest.config.js), so `npm run test:fast` never
 * starts a server.
 */
import { BIN_ENV, FERRETDB_VERSION, type FerretDbServer, startFerretDb, URI_ENV } from './mongo-server';

/** Where the server is kept between global setup and teardown (they share only `globalThis`). */
export const SERVER_KEY = Symbol.for('express-oauth-provider.test.ferretdb');
export const READY_KEY = Symbol.for('express-oauth-provider.test.mongo-ready');

export default async function mongoGlobalSetup(): Promise<void> {
  // Two projects (slow, adapter:mongo) name a setup that starts it; jest runs both in one process: start once.
  if (Reflect.get(globalThis, READY_KEY) === true) return;
  Reflect.set(globalThis, READY_KEY, true);
  const external = process.env.MONGODB_URI;
  if (external !== undefined && external !== '') {
    process.env[URI_ENV] = external;
    console.log('\nMongo tests: using MONGODB_URI');
    return;
  }
  const started = Date.now();
  const server: FerretDbServer = await startFerretDb((message) => console.log(message));
  Reflect.set(globalThis, SERVER_KEY, server);
  process.env[URI_ENV] = server.uri;
  process.env[BIN_ENV] = server.binary;
  console.log(
    `\nMongo tests: FerretDB ${FERRETDB_VERSION} (SQLite) on ${server.uri}, accepting connections ` +
      `${server.readyMs} ms after spawn (${Date.now() - started} ms setup in all)`,
  );
}
