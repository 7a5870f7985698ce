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
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqlAdapter } from '../../adapters/sql';
import { createExampleProvider } from '../../examples/provider/app';
import { connectSqlAdapter, type SqlStorage } from '../../examples/provider/sql';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { sha256Hex } from '../../lib/tokens/hash';
import {
  type Answer,
  ExampleHttp,
  field,
  type Listening,
  type RegisteredApp,
  serve,
} from '../support/example-http';
import { type PostgresServer, startPostgres } from '../support/postgres-server';

const UNAVAILABLE_WITHIN_MS = 5_000;
const RECOVERY_WITHIN_MS = 20_000;
const figures: string[] = [];
let consoleError: jest.SpyInstance;

beforeAll(() => {
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
});

afterAll(() => {
  consoleError.mockRestore();
  if (figures.length > 0) process.stdout.write(`\nSQL outage figures:\n  ${figures.join('\n  ')}\n`);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, probe: () => Promise<boolean>, budgetMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > budgetMs) throw new Error(`${what}: not within ${budgetMs} ms`);
    await sleep(50);
  }
}

function expectUnavailable(answer: Answer, label: string): void {
  const summary = `${label}: ${answer.status} ${answer.text.slice(0, 200)}`;
  expect({ summary, status: answer.status, error: answer.body.error }).toEqual({
    summary,
    status: 503,
    error: 'temporarily_unavailable',
  });
  expect(answer.headers.get('retry-after')).toEqual(expect.any(String));
  expect(answer.text).not.toMatch(/\n\s+at |postgres|sqlite|ECONN|SQLITE_BUSY|pool/i);
  expect(answer.ms).toBeLessThan(UNAVAILABLE_WITHIN_MS);
}

/** Calls `before` just ahead of the nth call of `method` on the adapter, once. */
function trapped(inner: StorageAdapter) {
  let trap: {
    method: keyof StorageAdapter;
    nth: number;
    when: 'before' | 'after';
    action: () => Promise<void>;
  } | null = null;
  const adapter = new Proxy(inner, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== 'function') return member;
      return async (...args: unknown[]) => {
        const armed = trap;
        const springs = armed !== null && armed.method === key && --armed.nth === 0;
        if (springs) trap = null;
        if (springs && armed.when === 'before') await armed.action();
        const result: unknown = await Reflect.apply(member, target, args);
        if (springs && armed.when === 'after') await armed.action();
        return result;
      };
    },
  });
  return {
    adapter,
    arm(method: keyof StorageAdapter, when: 'before' | 'after', action: () => Promise<void>, nth = 1) {
      trap = { method, when, action, nth };
    },
  };
}

/** A TCP relay that can stop forwarding: a partition, or a server that stops answering. */
class FreezableRelay {
  readonly #sockets = new Set<Socket>();
  #frozen = false;
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FreezableRelay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new FreezableRelay(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => {
      relay.#sockets.add(client);
      client.on('error', () => {}).on('close', () => relay.#sockets.delete(client));
      if (relay.#frozen) return; // accepted, never answered
      const upstream = connectTcp({ host: '127.0.0.1', port: targetPort });
      relay.#sockets.add(upstream);
      upstream.on('error', () => client.destroy()).on('close', () => relay.#sockets.delete(upstream));
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return relay;
  }

  freeze(): void {
    this.#frozen = true;
    for (const socket of this.#sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  heal(): void {
    this.#frozen = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.heal();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('PostgreSQL outage under a running provider', () => {
  let db: PostgresServer;
  let storage: SqlStorage;
  let provider: Listening;
  let alice: ExampleHttp;
  let app: RegisteredApp;
  let probeToken: string;
  let trap: ReturnType<typeof trapped>;

  const healthy = async () => (await alice.apiUser(probeToken)).status === 200;

  beforeAll(async () => {
    db = await startPostgres();
    figures.push(`private PostgreSQL cluster: started in ${db.readyMs} ms`);
    storage = await connectSqlAdapter(db.url, () => {});
    trap = trapped(storage.adapter);
    provider = await serve((issuer) => createExampleProvider({ adapter: trap.adapter, issuer }).app);
    alice = new ExampleHttp(provider.url);
    await alice.login();
    app = await alice.registerApp();
    const personal = await alice.send('/settings/api/tokens', { json: { name: 'probe', scopes: ['user'] } });
    probeToken = field(personal, 'token');
  }, 60_000);

  afterAll(async () => {
    await provider?.close();
    await storage?.close();
    await db?.dispose();
  });

  it('answers 503 temporarily_unavailable within 5 s while the server is down, then recovers by itself', async () => {
    const issued = await alice.issueTokens(app);
    const spare = await alice.authorize(app);
    const calls: [string, () => Promise<Answer>][] = [
      ['GET /api/user', () => alice.apiUser(issued.accessToken)],
      ['POST /oauth/token refresh_token', () => alice.refresh(app, issued.refreshToken)],
      ['POST /oauth/token authorization_code', () => alice.exchange(app, spare.code, spare.verifier)],
      ['POST /oauth/token client_credentials', () => alice.token(app, { grant_type: 'client_credentials' })],
      ['POST /oauth/revoke', () => alice.revoke(app, issued.accessToken)],
      ['GET /settings/api/applications', () => alice.send('/settings/api/applications')],
    ];
    await db.stop('immediate');
    const latencies: number[] = [];
    for (const [label, call] of calls) {
      const answer = await call();
      expectUnavailable(answer, label);
      latencies.push(answer.ms);
    }
    const parallel = await Promise.all(Array.from({ length: 10 }, () => alice.apiUser(issued.accessToken)));
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
    expect((await alice.refresh(app, issued.refreshToken)).status).toBe(200);
    const exchanged = await alice.exchange(app, spare.code, spare.verifier);
    expect(exchanged.status).toBe(200);
    expect((await alice.apiUser(field(exchanged, 'access_token'))).status).toBe(200);
  }, 60_000);

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
  ] as const)(
    'an exchange cut $label leaves its code $expected',
    async ({ method, when, expected }) => {
      const { code, verifier } = await alice.authorize(app);
      trap.arm(method, when, () => db.stop('immediate'));
      const answer = await alice.exchange(app, code, verifier);
      if (expected === 'usable') expectUnavailable(answer, 'the cut exchange');
      else expect(answer.status).toBe(200);
      await db.restart();
      await until('recovery', healthy, RECOVERY_WITHIN_MS);
      const record = await storage.adapter.findTokenByHash(sha256Hex(code));
      expect(record?.consumedAt === null ? 'usable' : 'consumed').toBe(expected);
      if (record?.consumedAt !== null) {
        const family = await storage.adapter.listTokens({ familyId: record?.id ?? 'missing' });
        expect(family.map((token) => token.kind).sort()).toEqual(['access', 'code', 'refresh']);
        expect((await alice.apiUser(field(answer, 'access_token'))).status).toBe(200);
      } else {
        const retry = await alice.exchange(app, code, verifier);
        expect(retry.status).toBe(200);
      }
    },
    60_000,
  );

  it('a server that stops answering (a partition) answers 503 within the query timeout, then recovers', async () => {
    const relay = await FreezableRelay.start(db.port);
    const relayed = await connectSqlAdapter(`postgres://postgres@127.0.0.1:${relay.port}/postgres`, () => {});
    let other: Listening | undefined;
    try {
      other = await serve((issuer) => createExampleProvider({ adapter: relayed.adapter, issuer }).app);
      const bob = new ExampleHttp(other.url);
      await bob.login('bob', 'bob-pass');
      const bobsApp = await bob.registerApp();
      const issued = await bob.issueTokens(bobsApp);
      relay.freeze();
      const latencies: number[] = [];
      for (const call of [
        () => bob.apiUser(issued.accessToken),
        () => bob.refresh(bobsApp, issued.refreshToken),
      ]) {
        const answer = await call();
        expectUnavailable(answer, 'partition');
        latencies.push(answer.ms);
      }
      const parallel = await Promise.all(Array.from({ length: 5 }, () => bob.apiUser(issued.accessToken)));
      for (const answer of parallel) expectUnavailable(answer, 'partition, 5 at once');
      latencies.push(...parallel.map((answer) => answer.ms));
      figures.push(
        `503 while PostgreSQL does not answer (partition): ${latencies.length} requests, ` +
          `min ${Math.round(Math.min(...latencies))} ms, max ${Math.round(Math.max(...latencies))} ms`,
      );
      relay.heal();
      const recoveredMs = await until(
        'the relayed provider answers 200 again',
        async () => (await bob.apiUser(issued.accessToken)).status === 200,
        RECOVERY_WITHIN_MS,
      );
      figures.push(`recovery after the partition heals: ${Math.round(recoveredMs)} ms`);
      expect((await bob.refresh(bobsApp, issued.refreshToken)).status).toBe(200);
    } finally {
      await other?.close();
      await relay.close();
      await relayed.close();
    }
  }, 60_000);
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
    const provider = await serve((issuer) => createExampleProvider({ adapter, issuer }).app);
    const script = `const D=require('better-sqlite3');const d=new D(${JSON.stringify(file)});d.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');process.stdin.on('data',()=>{d.exec('COMMIT');d.close();process.exit(0)});`;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const alice = new ExampleHttp(provider.url);
      await alice.login();
      const app = await alice.registerApp();
      const issued = await alice.issueTokens(app);
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.once('data', () => resolve());
        holder.once('exit', () => reject(new Error('the lock holder exited')));
      });
      const write = await alice.token(app, { grant_type: 'client_credentials' });
      expectUnavailable(write, 'POST /oauth/token while the write lock is held');
      const refresh = await alice.refresh(app, issued.refreshToken);
      expectUnavailable(refresh, 'refresh while the write lock is held');
      expect((await alice.apiUser(issued.accessToken)).status).toBe(200);
      figures.push(
        `SQLite, write lock held elsewhere (busy timeout 300 ms): 503 in ${Math.round(write.ms)} ms`,
      );
      holder.stdin?.write('release\n');
      await new Promise((resolve) => holder.once('exit', resolve));
      expect((await alice.refresh(app, issued.refreshToken)).status).toBe(200);
      expect((await alice.token(app, { grant_type: 'client_credentials' })).status).toBe(200);
    } finally {
      if (holder.exitCode === null) holder.kill('SIGKILL');
      await provider.close();
      database.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
