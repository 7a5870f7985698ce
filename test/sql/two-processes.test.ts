/**
 * Two example-provider processes on one SQL database, as behind a load balancer: each is
 * `examples/provider/server.ts` started with the same `DATABASE_URL` (a PostgreSQL database of
 * its own, then a SQLite file), so both run the migrations at the same moment on start, state
 * lives in the database only, a code issued by one is redeemed at the other, single use holds
 * across them, and a revocation at one is refused by the other on the very next request. Both
 * share `CSRF_SECRET` and `SESSION_SECRET`, so a consent form shown by one is accepted by the other.
 *
 * The processes run with `node --import tsx`; they are killed in `afterAll` whatever happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../lib/tokens/hash';
import { type Answer, ExampleHttp, field } from '../support/example-http';
import { createDatabase } from '../support/postgres-server';
import { hiddenFields, pkcePair } from '../support/provider-harness';
import { openSqlStore, type SqlStore } from '../support/sql-adapters';

const SERVER = join(__dirname, '..', '..', 'examples', 'provider', 'server.ts');
const ISSUER = 'http://oauth.test';
const START_WITHIN_MS = 60_000;

interface ProviderProcess {
  name: string;
  child: ChildProcess;
  url: string;
  output: string[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const processes: ProviderProcess[] = [];

async function startProcess(name: string, databaseUrl: string, secrets: { csrf: string; session: string }) {
  const port = await freePort();
  return new Promise<ProviderProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        MONGODB_URI: '',
        PORT: String(port),
        ISSUER,
        CSRF_SECRET: secrets.csrf,
        SESSION_SECRET: secrets.session,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started: ProviderProcess = { name, child, url: '', output: [] };
    processes.push(started);
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not start within ${START_WITHIN_MS} ms: ${started.output.join('')}`));
    }, START_WITHIN_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      started.output.push(chunk.toString());
      if (started.url === '' && started.output.join('').includes('Example OAuth provider on')) {
        clearTimeout(timer);
        started.url = `http://127.0.0.1:${port}`;
        resolve(started);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => started.output.push(chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening: ${started.output.join('')}`));
    });
  });
}

async function stopProcess({ child }: ProviderProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

afterAll(async () => {
  await Promise.all(processes.map(stopProcess));
});

describe.each(['postgres', 'sqlite'] as const)(
  'two provider processes on one SQL database (%s)',
  (dialect) => {
    let a: ProviderProcess;
    let b: ProviderProcess;
    let store: SqlStore;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      let databaseUrl: string;
      if (dialect === 'postgres') {
        const db = await createDatabase('two_processes');
        databaseUrl = db.url;
        cleanup = () => db.drop();
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'oauth-two-processes-'));
        databaseUrl = `sqlite:${join(dir, 'oauth.db')}`;
        cleanup = () => rm(dir, { recursive: true, force: true });
      }
      const secrets = { csrf: randomBytes(24).toString('hex'), session: randomBytes(24).toString('hex') };
      // Both start at once: both run the migrations on the same empty database.
      [a, b] = await Promise.all([
        startProcess(`A (${dialect})`, databaseUrl, secrets),
        startProcess(`B (${dialect})`, databaseUrl, secrets),
      ]);
      store = await openSqlStore(dialect, 'unused', databaseUrl);
    }, START_WITHIN_MS + 10_000);

    afterAll(async () => {
      await Promise.all([a, b].filter((p) => p !== undefined).map(stopProcess));
      await store?.cleanup();
      await cleanup?.();
    });

    it('both migrated the same database at start, and the schema is there once', async () => {
      const migrations = await store.query('SELECT name FROM oauth_migrations');
      expect(migrations.map((row) => row.name)).toEqual(['0001_create_tables']);
    });

    it('runs as two processes', () => {
      expect(a.url).not.toBe(b.url);
      expect(a.child.pid).not.toBe(b.child.pid);
    });

    it('a code issued by A (login and consent at A) is redeemed at B, and its token works at both', async () => {
      const aliceAtA = new ExampleHttp(a.url);
      await aliceAtA.login();
      const app = await aliceAtA.registerApp();
      const { code, verifier, consentShown } = await aliceAtA.authorize(app);
      expect(consentShown).toBe(true);

      const atB = new ExampleHttp(b.url);
      const exchanged = await atB.exchange(app, code, verifier);
      expect(exchanged.status).toBe(200);
      const accessToken = field(exchanged, 'access_token');
      expect((await atB.apiUser(accessToken)).body).toEqual({ id: '1', login: 'alice' });
      expect((await aliceAtA.apiUser(accessToken)).status).toBe(200);
      // Single use across processes: the same code at A is a replay.
      const replay = await aliceAtA.exchange(app, code, verifier);
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
      expect((await atB.apiUser(accessToken)).status).toBe(401);
    });

    it('concurrent exchanges of one code at A and at B: exactly one 200', async () => {
      const aliceAtA = new ExampleHttp(a.url);
      await aliceAtA.login();
      const app = await aliceAtA.registerApp();
      const { code, verifier } = await aliceAtA.authorize(app);
      const atB = new ExampleHttp(b.url);
      const answers: Answer[] = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? aliceAtA : atB).exchange(app, code, verifier)),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(400)]);
    });

    it('a token revoked at A is refused at B on the next request', async () => {
      const aliceAtA = new ExampleHttp(a.url);
      await aliceAtA.login();
      const atB = new ExampleHttp(b.url);
      const app = await aliceAtA.registerApp();
      const first = await aliceAtA.issueTokens(app);
      const second = await aliceAtA.issueTokens(app);
      expect((await atB.apiUser(first.accessToken)).status).toBe(200);

      // POST /oauth/revoke of an access token at A.
      expect((await aliceAtA.revoke(app, first.accessToken)).status).toBe(200);
      expect((await atB.apiUser(first.accessToken)).status).toBe(401);
      expect((await atB.apiUser(second.accessToken)).status).toBe(200);

      // DELETE /settings/api/applications/:id at A: every token refused at B, the client too.
      const deleted = await aliceAtA.send(`/settings/api/applications/${app.id}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      expect((await atB.apiUser(second.accessToken)).status).toBe(401);
      const refresh = await atB.refresh(app, second.refreshToken);
      expect(refresh.status).toBe(401);
      expect(refresh.body.error).toBe('invalid_client');
      expect((await store.adapter.findTokenByHash(sha256Hex(second.refreshToken)))?.revokedAt).toBeInstanceOf(
        Date,
      );
    });

    it('a refresh token rotated at B cannot be replayed at A, and the replay revokes the grant', async () => {
      const aliceAtA = new ExampleHttp(a.url);
      await aliceAtA.login();
      const atB = new ExampleHttp(b.url);
      const app = await aliceAtA.registerApp();
      const issued = await aliceAtA.issueTokens(app);
      const rotated = await atB.refresh(app, issued.refreshToken);
      expect(rotated.status).toBe(200);
      const replay = await aliceAtA.refresh(app, issued.refreshToken);
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
      expect((await atB.apiUser(field(rotated, 'access_token'))).status).toBe(401);
    });

    it('a consent form shown by A is accepted by B (shared csrfSecret, same browser)', async () => {
      const atA = new ExampleHttp(a.url);
      await atA.login();
      const app = await atA.registerApp();
      const atB = new ExampleHttp(b.url);
      await atB.login(); // the example's sessions live in process memory: log in at B as well
      const pkce = pkcePair();
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: 'http://127.0.0.1/callback',
        scope: 'user',
        state: 's',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      });
      const shown = await atA.send(`/oauth/authorize?${query}`);
      expect(shown.status).toBe(200);
      const browserSecret = atA.cookie('eo_csrf');
      expect(browserSecret).toBeDefined();
      atB.setCookie('eo_csrf', browserSecret ?? '');
      const decided = await atB.send('/oauth/authorize', {
        form: { ...hiddenFields(shown.text), decision: 'approve' },
      });
      expect(decided.status).toBe(302);
      const code = new URL(decided.headers.get('location') ?? '', b.url).searchParams.get('code');
      expect(code).toMatch(/^eoc_/);
      expect((await atA.exchange(app, code ?? '', pkce.verifier)).status).toBe(200);
    });
  },
);
