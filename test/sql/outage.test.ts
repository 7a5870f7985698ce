/**
 * DESIGN "Errors and bad input": a storage outage answers 503 `temporarily_unavailable` quickly,
 * the provider recovers by itself when storage returns, and nothing is half-written (a cut
 * exchange leaves its code usable, or consumed with its tokens stored).
 *
 * PostgreSQL: a cluster of this file's own is stopped (`pg_ctl stop -m immediate`, an abrupt
 * outage) and started again on the same port under one running example provider, whose pool comes
 * from the example's own `connectSqlAdapter` (`examples/provider/sql.ts`, short timeouts). A relay
 * that stops forwarding plays a server that no longer answers. SQLite: another process holds the
 * write lock longer than the busy timeout. The figures measured are printed at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqlAdapter } from '../../adapters/sql';
import { connectSqlAdapter, type SqlStorage } from '../../examples/provider/sql';
import { sha256Hex } from '../../lib/tokens/hash';
import { given } from '../support/adapters';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import * as flows from '../support/flows';
import { type ClientCredentials, pkcePair } from '../support/oauth';
import {
  expectUnavailable as expect503,
  expectUsableAfterOutage,
  FreezableRelay,
  requestsNeedingStorage,
  StorageTrap,
} from '../support/outage';
import { type PostgresServer, startPostgres } from '../support/postgres-server';
import { scaled, until } from '../support/time-scale';
import { type Answer, field, type UserAgent } from '../support/user-agent';

/** A 503 must come this fast (the example's pool gives up after 1.5 s to connect, 2 s to answer). */
const UNAVAILABLE_WITHIN_MS = scaled(5_000);
const RECOVERY_WITHIN_MS = 20_000;
// A stop, a restart and a recovery per test, on a shared machine.
jest.setTimeout(scaled(60_000));
const figures: string[] = [];
let consoleError: jest.SpyInstance;

beforeAll(() => {
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
});

afterAll(() => {
  consoleError.mockRestore();
  if (figures.length > 0) process.stdout.write(`\nSQL outage figures:\n  ${figures.join('\n  ')}\n`);
});

function expectUnavailable(answer: Answer, label: string): void {
  expect503(answer, label, {
    withinMs: UNAVAILABLE_WITHIN_MS,
    internals: /postgres|sqlite|ECONN|SQLITE_BUSY|pool/i,
  });
}

/** alice's browser at `host`, logged in with the example's form. */
async function loggedIn(host: ExampleHost, username = 'alice'): Promise<UserAgent> {
  const browser = host.browser();
  await flows.login(browser, username, `${username}-pass`);
  return browser;
}

/** The code flow with PKCE (a confidential client may use it too): a fresh code. */
function authorize(browser: UserAgent, client: ClientCredentials) {
  return flows.authorizeCode(browser, { client, scope: 'user repo', pkce: pkcePair() });
}

/** Login was done; consent and exchange: fresh tokens. */
function issueTokens(browser: UserAgent, client: ClientCredentials) {
  return flows.issueTokens(browser, browser, { client, scope: 'user repo', pkce: pkcePair() });
}

const apiUser = (agent: UserAgent, token: string) => flows.callApi(agent, '/api/user', token);

describe('PostgreSQL outage under a running provider', () => {
  let db: PostgresServer;
  let storage: SqlStorage;
  let host: ExampleHost;
  let alice: UserAgent;
  let app: flows.RegisteredClient;
  /** A personal access token: a probe that no exchange test revokes. */
  let probeToken: string;
  const trap = new StorageTrap();

  const healthy = async () => (await apiUser(alice, probeToken)).status === 200;

  beforeAll(async () => {
    db = await startPostgres();
    figures.push(`private PostgreSQL cluster: started in ${db.readyMs} ms`);
    storage = await connectSqlAdapter(db.url, () => {});
    host = await createExampleHost({ adapter: given(storage.adapter), wrapAdapter: trap.wrap, listen: true });
    alice = await loggedIn(host);
    app = await flows.registerViaApi(alice);
    const personal = await alice.send('/settings/api/tokens', { json: { name: 'probe', scopes: ['user'] } });
    probeToken = field(personal, 'token');
  }, scaled(60_000));

  afterAll(async () => {
    trap.disarm();
    await host?.close();
    await storage?.close();
    await db?.dispose();
  });

  it('answers 503 temporarily_unavailable within 5 s while the server is down, then recovers by itself', async () => {
    const issued = await issueTokens(alice, app);
    const spare = await authorize(alice, app);
    const calls = requestsNeedingStorage(alice, app, issued, spare);
    await db.stop('immediate');
    const latencies: number[] = [];
    for (const [label, call] of calls) {
      const answer = await call();
      expectUnavailable(answer, label);
      latencies.push(answer.ms);
    }
    const parallel = await Promise.all(Array.from({ length: 10 }, () => apiUser(alice, issued.accessToken)));
    for (const answer of parallel) expectUnavailable(answer, 'GET /api/user (10 at once)');
    latencies.push(...parallel.map((answer) => answer.ms));
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('[express-oauth-provider]'));
    figures.push(
      `503 while PostgreSQL is down: ${latencies.length} requests, min ${Math.round(Math.min(...latencies))} ms, ` +
        `max ${Math.round(Math.max(...latencies))} ms`,
    );

    const restartStarted = performance.now();
    await db.restart();
    const restartedMs = performance.now() - restartStarted;
    const recoveredMs = await until('GET /api/user answers 200 again', healthy, RECOVERY_WITHIN_MS);
    figures.push(
      `recovery: PostgreSQL back in ${Math.round(restartedMs)} ms, the same provider answering 200 ` +
        `${Math.round(recoveredMs)} ms later`,
    );
    await expectUsableAfterOutage(alice, app, issued, spare);
  });

  it.each([
    { label: 'before the tokens are stored', method: 'insertToken', when: 'before', expected: 'usable' },
    {
      label: 'between the access and the refresh token',
      method: 'insertToken',
      when: 'after',
      expected: 'usable',
    },
    {
      label: 'after storing the tokens, before consuming the code',
      method: 'consumeToken',
      when: 'before',
      expected: 'usable',
    },
    { label: 'after consuming the code', method: 'consumeToken', when: 'after', expected: 'consumed' },
  ] as const)('an exchange cut $label leaves its code $expected', async ({ method, when, expected }) => {
    const { code, verifier } = await authorize(alice, app);
    const armed = trap.arm(method, when, () => db.stop('immediate'));
    const answer = await flows.exchange(alice, app, { code, verifier });
    expect(armed.sprung).toBe(true);
    if (expected === 'usable') expectUnavailable(answer, 'the cut exchange');
    else expect(answer.status).toBe(200);
    await db.restart();
    await until('recovery', healthy, RECOVERY_WITHIN_MS);
    const record = await storage.adapter.findTokenByHash(sha256Hex(code));
    expect(record?.consumedAt === null ? 'usable' : 'consumed').toBe(expected);
    if (record?.consumedAt !== null) {
      const family = await storage.adapter.listTokens({ familyId: record?.id ?? 'missing' });
      expect(family.map((token) => token.kind).sort()).toEqual(['access', 'code', 'refresh']);
      expect((await apiUser(alice, field(answer, 'access_token'))).status).toBe(200);
    } else {
      const retry = await flows.exchange(alice, app, { code, verifier });
      expect(retry.status).toBe(200);
    }
  });

  it('a server that stops answering (a partition) answers 503 within the query timeout, then recovers', async () => {
    const relay = await FreezableRelay.start(db.port);
    const relayed = await connectSqlAdapter(`postgres://postgres@127.0.0.1:${relay.port}/postgres`, () => {});
    try {
      const other = await createExampleHost({ adapter: given(relayed.adapter), listen: true });
      const bob = await loggedIn(other, 'bob');
      const bobsApp = await flows.registerViaApi(bob);
      const issued = await issueTokens(bob, bobsApp);
      relay.freeze();
      const latencies: number[] = [];
      for (const call of [
        () => apiUser(bob, issued.accessToken),
        () => flows.refresh(bob, bobsApp, issued.refreshToken),
      ]) {
        const answer = await call();
        expectUnavailable(answer, 'partition');
        latencies.push(answer.ms);
      }
      const parallel = await Promise.all(Array.from({ length: 5 }, () => apiUser(bob, issued.accessToken)));
      for (const answer of parallel) expectUnavailable(answer, 'partition, 5 at once');
      latencies.push(...parallel.map((answer) => answer.ms));
      figures.push(
        `503 while PostgreSQL does not answer (partition): ${latencies.length} requests, ` +
          `min ${Math.round(Math.min(...latencies))} ms, max ${Math.round(Math.max(...latencies))} ms`,
      );
      relay.heal();
      const recoveredMs = await until(
        'the relayed provider answers 200 again',
        async () => (await apiUser(bob, issued.accessToken)).status === 200,
        RECOVERY_WITHIN_MS,
      );
      figures.push(`recovery after the partition heals: ${Math.round(recoveredMs)} ms`);
      expect((await flows.refresh(bob, bobsApp, issued.refreshToken)).status).toBe(200);
    } finally {
      await relay.close();
      await relayed.close();
    }
  });
});

/**
 * SQLite has no server to lose; its outage is the file's write lock held by another process for
 * longer than the busy timeout (a long batch job, a backup). Writes then fail with SQLITE_BUSY →
 * 503, reads go on (WAL mode), and the provider recovers when the lock is released. While a
 * statement waits for the lock, better-sqlite3 blocks the process's event loop: keep the busy
 * timeout short where latency matters.
 */
describe('SQLite write lock held by another process', () => {
  it('writes answer 503 while the lock is held, reads go on, and it recovers when the lock is released', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oauth-sqlite-outage-'));
    const file = join(dir, 'oauth.db');
    const database = new Database(file, { timeout: 300 });
    database.pragma('journal_mode = WAL');
    const adapter = new SqlAdapter({ dialect: 'sqlite', database });
    await adapter.migrate();
    const host = await createExampleHost({ adapter: given(adapter), listen: true });
    const script = `const D=require('better-sqlite3');const d=new D(${JSON.stringify(file)});d.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');process.stdin.on('data',()=>{d.exec('COMMIT');d.close();process.exit(0)});`;
    let holder: ChildProcess | null = null;
    try {
      const alice = await loggedIn(host);
      const app = await flows.registerViaApi(alice);
      const issued = await issueTokens(alice, app);
      // The lock is taken only once the tokens exist: a holder started earlier could take it
      // while they are being issued, on a busy machine.
      holder = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      const started = holder;
      await new Promise<void>((resolve, reject) => {
        started.stdout?.once('data', () => resolve());
        started.once('exit', () => reject(new Error('the lock holder exited')));
      });
      const write = await flows.token(alice, app, { grant_type: 'client_credentials' });
      expectUnavailable(write, 'POST /oauth/token while the write lock is held');
      const refresh = await flows.refresh(alice, app, issued.refreshToken);
      expectUnavailable(refresh, 'refresh while the write lock is held');
      expect((await apiUser(alice, issued.accessToken)).status).toBe(200);
      figures.push(
        `SQLite, write lock held elsewhere (busy timeout 300 ms): 503 in ${Math.round(write.ms)} ms`,
      );
      started.stdin?.write('release\n');
      await new Promise((resolve) => started.once('exit', resolve));
      expect((await flows.refresh(alice, app, issued.refreshToken)).status).toBe(200);
      expect((await flows.token(alice, app, { grant_type: 'client_credentials' })).status).toBe(200);
    } finally {
      if (holder !== null && holder.exitCode === null) holder.kill('SIGKILL');
      await host.close();
      database.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
