/**
 * One example-provider process on MongoDB, for tests that run several behind one database
 * (test/mongo/two-processes.test.ts). Run with `node --import tsx`. Configuration comes from the
 * environment: `MONGODB_URI`, `OAUTH_DB_NAME`, `ISSUER`, `CSRF_SECRET`, `SESSION_SECRET`.
 * It listens on a free loopback port and prints `listening <port>` on stdout. It exits on SIGTERM,
 * and when its stdin closes, so it never outlives a parent that died without killing it.
 */
import mongoose from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { createExampleProvider } from '../../examples/provider/app';
import { scaled } from './time-scale';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const connection = mongoose.createConnection(env('MONGODB_URI'), {
    dbName: env('OAUTH_DB_NAME'),
    serverSelectionTimeoutMS: scaled(1500),
    connectTimeoutMS: scaled(1500),
    socketTimeoutMS: scaled(3000),
  });
  await connection.asPromise();
  const adapter = new MongoAdapter({ connection, logger: () => {} });
  await adapter.ensureIndexes();
  const { app, provider } = createExampleProvider({
    adapter,
    issuer: env('ISSUER'),
    csrfSecret: env('CSRF_SECRET'),
    sessionSecret: env('SESSION_SECRET'),
  });
  await provider.ready;
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`listening ${port}\n`);
  });
  // As the kit's own servers (listen.ts): idle connections are closed by the client only.
  server.keepAliveTimeout = 0;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close();
    void connection.close(true).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop).on('close', stop).resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
