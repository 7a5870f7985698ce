/**
 * The process under load (it imports the built package from `dist/`, as users run it): one Express 5 app holding the bare baseline routes and the provider's
 * routes side by side, so every scenario of a run is measured against the same process. It
 * prepares credentials through the provider's service API, prints them as one JSON line on
 * stdout, and exposes its own CPU and memory figures at GET /__stats.
 *
 * BENCH_BARE_ONLY=1 serves the bare routes alone and never loads the provider (the idle-RSS
 * baseline of bench/memory.ts). BENCH_CPU_PROFILE=<dir>: GET /__profile/start and /__profile/stop
 * bracket a CPU profile of the measured rounds (setup excluded), written there as `.cpuprofile`.
 * BENCH_ACCESS_TTL and BENCH_PURGE_SECONDS set `accessTokenTtl` and `purgeIntervalSeconds`
 * (bench/soak.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import express from 'express';
import type { StorageAdapter } from 'express-oauth-provider';
import { mountHandwritten } from './handwritten';

const TOKEN_COUNT = Number(process.env.BENCH_TOKENS ?? 10_000);
const CODE_COUNT = Number(process.env.BENCH_CODES ?? 40_000);
const EXTRA_STORED = Number(process.env.BENCH_EXTRA_STORED ?? 0);
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;

/** Bare Express: what the same routes cost with no OAuth at all. */
function mountBare(app: express.Express): void {
  app.get('/bare', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/bare-token', (_req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json({ access_token: randomBytes(24).toString('base64url'), token_type: 'bearer' });
  });
}

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
  if (!uri) {
    const { MemoryAdapter } = await import('express-oauth-provider/adapters/memory');
    // The core purges (purgeIntervalSeconds); the adapter's own timer stays off.
    return { adapter: new MemoryAdapter({ purgeIntervalMs: 0 }), close: async () => {} };
  }
  const { MongoAdapter } = await import('express-oauth-provider/adapters/mongo');
  const { default: mongoose } = await import('mongoose');
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 3000, maxPoolSize: 20 });
  await connection.asPromise();
  const adapter = new MongoAdapter({ connection, collectionPrefix: `bench_${Date.now()}_` });
  await adapter.ensureIndexes();
  return { adapter, close: () => connection.close() };
}

/** Stats and profiling routes, on both kinds of server. */
function mountStats(app: express.Express): void {
  app.get('/__stats', (req, res) => {
    // ?gc=1 under --expose-gc: the heap that is live, not what the next GC would free.
    const gc: unknown = Reflect.get(globalThis, 'gc');
    if (req.query.gc === '1' && typeof gc === 'function') gc();
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    res.json({
      cpuMicros: cpu.user + cpu.system,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      maxRssKb: process.resourceUsage().maxRSS,
    });
  });
  let session: Session | null = null;
  app.get('/__profile/start', async (_req, res) => {
    if (PROFILE_DIR !== undefined && session === null) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    res.json({ profiling: session !== null });
  });
  app.get('/__profile/stop', async (_req, res) => {
    if (PROFILE_DIR !== undefined && session !== null) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(PROFILE_DIR, { recursive: true });
      writeFileSync(join(PROFILE_DIR, `bench-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
      session = null;
    }
    res.json({ profiling: false });
  });
}

function listen(app: express.Express, setup: Record<string, unknown>): void {
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port, ...setup })}\n`);
  });
  server.keepAliveTimeout = 60_000;
}

async function main(): Promise<void> {
  const app = express();
  app.disable('x-powered-by');
  if (process.env.BENCH_BARE_ONLY === '1') {
    mountBare(app);
    mountStats(app);
    listen(app, {});
    return;
  }
  const { createProvider } = await import('express-oauth-provider');
  const { adapter } = await makeAdapter();
  const provider = createProvider({
    adapter,
    ...(process.env.BENCH_ACCESS_TTL ? { accessTokenTtl: Number(process.env.BENCH_ACCESS_TTL) } : {}),
    ...(process.env.BENCH_PURGE_SECONDS
      ? { purgeIntervalSeconds: Number(process.env.BENCH_PURGE_SECONDS) }
      : {}),
    issuer: 'http://127.0.0.1',
    scopes: {
      repo: { description: 'Repositories', includes: ['public_repo'] },
      public_repo: { description: 'Public repositories' },
      // What client_credentials tokens may carry (RFC 9700 §4.15: machine scopes only).
      'ci:status': { description: 'Commit statuses', holders: ['client'] },
    },
    currentUser: () => null,
    loginUrl: '/login',
    // The bench drives the token endpoint from one address with one client, far past the default
    // budgets (1,200 and 3,000 a minute); the other limits stay as deployed.
    limits: {
      perAddress: { points: 1_000_000_000, durationSeconds: 60 },
      perClient: { points: 1_000_000_000, durationSeconds: 60 },
    },
  });

  mountBare(app);
  app.get('/api/repos', provider.authenticate(), provider.requireScope('public_repo'), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(provider.router);
  mountStats(app);

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
    // One user per code: the cap on live codes per user × application × scope set (the limits)
    // would revoke all but the newest few of one user's.
    codes.push(
      await provider.tokens.issueCode(
        { ...subject, userId: `code-user-${i}` },
        {
          redirectUri: null,
          codeChallenge: null,
          codeChallengeMethod: null,
        },
      ),
    );
  }

  const handwrittenToken =
    clientSecret === null ? '' : mountHandwritten(app, application.clientId, clientSecret);
  listen(app, { clientId: application.clientId, clientSecret, tokens, codes, handwrittenToken });
}

// Exit normally on SIGINT/SIGTERM so `node --cpu-prof` writes its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
