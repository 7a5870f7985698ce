/**
 * The process under load (it imports the built package from `dist/`, as users run it): one Express 5 app holding the bare baseline routes and the provider's
 * routes side by side, so every scenario of a run is measured against the same process. It
 * prepares credentials through the provider's service API, prints them as one JSON line on
 * stdout, and exposes its own CPU and memory figures at GET /__stats.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { createProvider, type StorageAdapter } from 'express-oauth-provider';
import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';
import { MongoAdapter } from 'express-oauth-provider/adapters/mongo';
import mongoose from 'mongoose';

const TOKEN_COUNT = Number(process.env.BENCH_TOKENS ?? 10_000);
const CODE_COUNT = Number(process.env.BENCH_CODES ?? 40_000);
const EXTRA_STORED = Number(process.env.BENCH_EXTRA_STORED ?? 0);

async function makeAdapter(): Promise<{ adapter: StorageAdapter; close: () => Promise<void> }> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    // The SQL adapter from the built package, with the example's pool settings (examples/provider/sql.ts).
    const { SqlAdapter } = await import('express-oauth-provider/adapters/sql');
    if (databaseUrl.startsWith('sqlite:')) {
      const { default: Database } = await import('better-sqlite3');
      const database = new Database(databaseUrl.slice('sqlite:'.length), { timeout: 5000 });
      database.pragma('journal_mode = WAL');
      const adapter = new SqlAdapter({ dialect: 'sqlite', database });
      await adapter.migrate();
      return { adapter, close: async () => void database.close() };
    }
    const { Pool } = await import('pg');
    const pool = new Pool({
      connectionString: databaseUrl,
      max: 10,
      connectionTimeoutMillis: 1500,
      query_timeout: 2000,
    });
    pool.on('error', () => {}).on('connect', (client) => client.on('error', () => {}));
    const adapter = new SqlAdapter({ dialect: 'postgres', pool });
    await adapter.migrate();
    return { adapter, close: () => pool.end() };
  }
  const uri = process.env.MONGODB_URI;
  if (!uri) return { adapter: new MemoryAdapter({ purgeIntervalMs: 0 }), close: async () => {} };
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 3000, maxPoolSize: 20 });
  await connection.asPromise();
  const adapter = new MongoAdapter({ connection, collectionPrefix: `bench_${Date.now()}_` });
  await adapter.ensureIndexes();
  return { adapter, close: () => connection.close() };
}

async function main(): Promise<void> {
  const { adapter } = await makeAdapter();
  const app = express();
  app.disable('x-powered-by');
  const provider = createProvider({
    adapter,
    issuer: 'http://127.0.0.1',
    scopes: {
      repo: { description: 'Repositories', includes: ['public_repo'] },
      public_repo: { description: 'Public repositories' },
      // What client_credentials tokens may carry (RFC 9700 §4.15: machine scopes only).
      'ci:status': { description: 'Commit statuses', holders: ['client'] },
    },
    currentUser: () => null,
    loginUrl: '/login',
  });

  // Bare Express: what the same route costs with no OAuth at all.
  app.get('/bare', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/bare-token', (_req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json({ access_token: randomBytes(24).toString('base64url'), token_type: 'bearer' });
  });
  app.get('/api/repos', provider.authenticate(), provider.requireScope('public_repo'), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(provider.router);
  app.get('/__stats', (_req, res) => {
    const cpu = process.cpuUsage();
    res.json({
      cpuMicros: cpu.user + cpu.system,
      rss: process.memoryUsage().rss,
      maxRssKb: process.resourceUsage().maxRSS,
    });
  });

  const { application, clientSecret } = await provider.applications.create(
    {
      name: 'bench',
      homepageUrl: 'https://bench.example',
      redirectUris: ['https://bench.example/cb'],
      confidential: true,
      scopes: [],
    },
    null,
  );
  const subject = {
    applicationId: application.id,
    userId: 'u1',
    grantId: null,
    familyId: null,
    scopes: ['repo'],
  };
  const tokens: string[] = [];
  for (let i = 0; i < TOKEN_COUNT; i++)
    tokens.push((await provider.tokens.issueTokens(subject, false)).accessToken);
  for (let i = 0; i < EXTRA_STORED; i++)
    await provider.tokens.issueTokens({ ...subject, userId: `other${i % 1000}` }, false);
  const codes: string[] = [];
  for (let i = 0; i < CODE_COUNT; i++) {
    codes.push(
      await provider.tokens.issueCode(subject, {
        redirectUri: null,
        codeChallenge: null,
        codeChallengeMethod: null,
      }),
    );
  }

  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(
      `${JSON.stringify({ port, clientId: application.clientId, clientSecret, tokens, codes })}\n`,
    );
  });
  server.keepAliveTimeout = 60_000;
}

// Exit normally on SIGINT/SIGTERM so `node --cpu-prof` writes its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
