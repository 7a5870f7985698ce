/**
 * DESIGN "Errors and bad input": a storage outage answers 503 `temporarily_unavailable`, the
 * provider recovers by itself when storage returns, and nothing is half-written (a failed
 * exchange leaves the code usable, or consumed with its tokens stored, never consumed with no
 * token).
 *
 * A FerretDB of this file's own is killed (SIGKILL) and restarted on the same port and data under
 * one running example provider, whose MongoAdapter sits on a mongoose connection with short
 * timeouts ({@link CONNECTION_OPTIONS}). To kill it at an exact step of an exchange, the adapter
 * handed to the provider is wrapped so a test can stop the database just before or after one
 * adapter call; a relay that stops forwarding plays a database that no longer answers (both in
 * test/support/outage.ts). The figures measured are printed at the end.
 */
import mongoose, { type Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { sha256Hex } from '../../lib/tokens/hash';
import { given, type StorageMethod } from '../support/adapters';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import * as flows from '../support/flows';
import { type FerretDbServer, startPrivateFerretDb } from '../support/mongo-server';
import { type ClientCredentials, pkcePair } from '../support/oauth';
import {
  expectUnavailable as expect503,
  expectUsableAfterOutage,
  FreezableRelay,
  requestsNeedingStorage,
  StorageTrap,
  type Trap,
} from '../support/outage';
import { scaled, until } from '../support/time-scale';
import { type Answer, field, type UserAgent } from '../support/user-agent';

/**
 * The timeouts that bound an outage. A killed server refuses connections: server selection fails
 * after `serverSelectionTimeoutMS`. A server that stops answering (a partition) is only noticed
 * by `socketTimeoutMS` (in-flight operations) and `connectTimeoutMS` (new connections; with its
 * default of 30 s, one request waited 61 s behind the frozen relay below); the driver retries a
 * read or write once, so the worst case is about twice the larger of the two. All scale with the
 * machine: on a busy one a slow answer is not an outage.
 */
const CONNECTION_OPTIONS = {
  serverSelectionTimeoutMS: scaled(1000),
  connectTimeoutMS: scaled(1000),
  socketTimeoutMS: scaled(1500),
} as const;
/** A 503 must come this fast (scaled like the timeouts above). */
const UNAVAILABLE_WITHIN_MS = scaled(5_000);
const RECOVERY_WITHIN_MS = 15_000;

let db: FerretDbServer;
let connection: Connection;
let adapter: MongoAdapter;
let provider: ExampleHost;
let alice: UserAgent;
let app: ClientCredentials;
/** A personal access token: a probe that no exchange test revokes. */
let probeToken: string;
const trap = new StorageTrap();
const figures: string[] = [];
let consoleError: jest.SpyInstance;

/** Arms the trap: by default, the database is stopped just before or after the call. */
function arm(
  method: StorageMethod | '*',
  when: 'before' | 'after',
  nth = 1,
  action = () => db.stop(),
  detached = false,
): Trap {
  return trap.arm(method, when, action, { nth, detached });
}

/** The code flow as alice with PKCE (a confidential client may use it too): a fresh code. */
function authorize(browser: UserAgent = alice, client: ClientCredentials = app) {
  return flows.authorizeCode(browser, { client, scope: 'user repo', pkce: pkcePair() });
}

/** Login was done; consent and exchange: fresh tokens. */
function issueTokens(browser: UserAgent = alice, client: ClientCredentials = app) {
  return flows.issueTokens(browser, browser, { client, scope: 'user repo', pkce: pkcePair() });
}

const apiUser = (token: string, agent: UserAgent = alice) => flows.callApi(agent, '/api/user', token);

async function healthy(): Promise<boolean> {
  return (await apiUser(probeToken)).status === 200;
}

/** Restarts the database and waits until the same provider answers a guarded request again. */
async function restartAndRecover(): Promise<number> {
  await db.restart();
  return until('the provider recovers', healthy, RECOVERY_WITHIN_MS);
}

function expectUnavailable(answer: Answer, label: string): void {
  expect503(answer, label, { withinMs: UNAVAILABLE_WITHIN_MS, internals: /Mongo|ECONN|ferret|pool/i });
}

/** What the database holds for a code, read raw: consumed (by `consumedAt` or a claim) and its tokens. */
async function codeState(code: string) {
  const raw = connection.db;
  if (raw === undefined) throw new Error('not connected');
  const record = await raw.collection('oauth_tokens').findOne({ hash: sha256Hex(code) });
  if (record === null) throw new Error('the code record is gone');
  const codeId = String(record._id);
  const claim = await raw
    .collection<{ _id: string }>('oauth_token_claims')
    .findOne({ _id: `consume:${codeId}` });
  const tokens = await raw
    .collection('oauth_tokens')
    .find({ familyId: codeId, kind: { $in: ['access', 'refresh'] } })
    .toArray();
  return {
    consumed: record.consumedAt !== null || claim !== null,
    kinds: tokens.map((token) => String(token.kind)).sort(),
  };
}

beforeAll(async () => {
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
  const started = performance.now();
  db = await startPrivateFerretDb();
  figures.push(
    `private FerretDB: accepting connections ${db.readyMs} ms after spawn, ${Math.round(performance.now() - started)} ms in all`,
  );
  connection = mongoose.createConnection(db.uri, {
    dbName: 'outage',
    ...CONNECTION_OPTIONS,
  });
  await connection.asPromise();
  adapter = new MongoAdapter({ connection, logger: () => {} });
  await adapter.ensureIndexes();
  provider = await createExampleHost({ adapter: given(adapter), wrapAdapter: trap.wrap, listen: true });
  alice = provider.browser();
  await flows.login(alice);
  app = await flows.registerViaApi(alice);
  probeToken = field(
    await alice.send('/settings/api/tokens', { json: { name: 'probe', scopes: ['user'] } }),
    'token',
  );
});

afterAll(async () => {
  trap.disarm();
  consoleError?.mockRestore();
  await provider?.close();
  await connection?.close(true);
  await db?.dispose();
  if (figures.length > 0) process.stdout.write(`\nMongo outage figures:\n  ${figures.join('\n  ')}\n`);
});

describe('MongoDB outage under a running provider', () => {
  // A test that failed half-way (the database stopped, not restarted) must not fail the next ones.
  afterEach(async () => {
    if (!(await healthy())) await restartAndRecover();
  });

  it('answers 503 temporarily_unavailable within 5 s while the database is down, then recovers by itself', async () => {
    const issued = await issueTokens();
    const spare = await authorize();
    const calls = requestsNeedingStorage(alice, app, issued, spare);

    await db.stop();
    const latencies: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      for (const [label, call] of calls) {
        const answer = await call();
        expectUnavailable(answer, label);
        latencies.push(answer.ms);
      }
    }
    // Many at once: each still fails on its own, fast.
    const parallel = await Promise.all(Array.from({ length: 10 }, () => apiUser(issued.accessToken)));
    for (const answer of parallel) expectUnavailable(answer, 'GET /api/user (10 at once)');
    latencies.push(...parallel.map((answer) => answer.ms));
    // The host heard about it through onError (the example's default logs it), with the cause.
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('[express-oauth-provider]'));
    figures.push(
      `503 while the database is down: ${latencies.length} requests, ` +
        `min ${Math.round(Math.min(...latencies))} ms, max ${Math.round(Math.max(...latencies))} ms ` +
        `(first: ${Math.round(latencies[0] ?? 0)} ms)`,
    );

    const restartStarted = performance.now();
    await db.restart();
    const restartedMs = performance.now() - restartStarted;
    const recoveredMs = await until(
      'GET /api/user answers 200 again',
      async () => (await apiUser(issued.accessToken)).status === 200,
      RECOVERY_WITHIN_MS,
    );
    figures.push(
      `recovery: FerretDB back in ${Math.round(restartedMs)} ms, the same provider answering 200 ` +
        `${Math.round(recoveredMs)} ms later`,
    );
    // Everything works again, and the failed requests changed nothing: the code is still usable.
    await expectUsableAfterOutage(alice, app, issued, spare);
    expect((await alice.send('/settings/api/applications')).status).toBe(200);
  });

  describe('an exchange cut by the outage leaves its code usable, or consumed with its tokens stored', () => {
    const points: {
      label: string;
      arm: () => Trap;
      status: 200 | 503;
      expected: 'usable' | 'consumed';
    }[] = [
      {
        label: 'before the tokens are stored',
        arm: () => arm('insertToken', 'before'),
        status: 503,
        expected: 'usable',
      },
      {
        label: 'between storing the access token and the refresh token',
        arm: () => arm('insertToken', 'after'),
        status: 503,
        expected: 'usable',
      },
      {
        label: 'after storing the tokens, before consuming the code',
        arm: () => arm('consumeToken', 'before'),
        status: 503,
        expected: 'usable',
      },
      {
        // FerretDB: the adapter's claim document decides single use; the kill lands after the
        // claim is inserted and before `consumedAt` is written.
        label: "inside consumeToken, after the adapter's claim was written",
        arm: () => claimTrap(),
        status: 503,
        expected: 'consumed',
      },
      {
        label: 'after consuming the code',
        arm: () => arm('consumeToken', 'after'),
        status: 200,
        expected: 'consumed',
      },
    ];

    it.each(points)('killed $label', async ({ arm: armTrap, status, expected }) => {
      const { code, verifier } = await authorize();
      const armed = armTrap();
      const answer = await flows.exchange(alice, app, { code: code, verifier: verifier });
      expect(armed.sprung).toBe(true);
      if (status === 503) expectUnavailable(answer, 'the cut exchange');
      else expect(answer.status).toBe(200);
      await restartAndRecover();

      const state = await codeState(code);
      expect(state.consumed ? 'consumed' : 'usable').toBe(expected);
      if (state.consumed) {
        // Never consumed with no token: the tokens were stored before the code was consumed.
        expect(state.kinds).toEqual(['access', 'refresh']);
      }
      if (answer.status === 200) {
        expect((await apiUser(field(answer, 'access_token'))).status).toBe(200);
        expect((await flows.refresh(alice, app, field(answer, 'refresh_token'))).status).toBe(200);
        return;
      }
      const retry = await flows.exchange(alice, app, { code: code, verifier: verifier });
      if (expected === 'usable') {
        // The client's retry succeeds, as if the outage had not happened.
        expect(retry.status).toBe(200);
        expect((await apiUser(field(retry, 'access_token'))).status).toBe(200);
      } else {
        // The code was spent at the moment of the kill and the answer lost with the connection
        // (as with any commit whose reply is lost): the retry is a replay, refused, and it
        // revokes the tokens that nobody received. The user authorizes again.
        expect(retry.status).toBe(400);
        expect(retry.body.error).toBe('invalid_grant');
        const again = await issueTokens();
        expect((await apiUser(again.accessToken)).status).toBe(200);
      }
    });

    /** Kills the database right after ClaimStrategy inserts `consume:<id>` (FerretDB only). */
    function claimTrap(): Trap {
      const claims = connection.model('oauth_token_claims');
      const original: unknown = Reflect.get(claims, 'insertOne');
      if (typeof original !== 'function') throw new Error('no insertOne on the claims model');
      const armed: Trap = {
        method: 'consumeToken',
        when: 'after',
        nth: 1,
        action: () => db.stop(),
        detached: false,
        sprung: false,
      };
      Reflect.set(claims, 'insertOne', async function insertThenKill(this: unknown, ...args: unknown[]) {
        Reflect.deleteProperty(claims, 'insertOne');
        const result: unknown = await Reflect.apply(original, this, args);
        armed.sprung = true;
        await db.stop();
        return result;
      });
      return armed;
    }
  });

  it(
    'killed while 10 exchanges are in flight: every code is usable, or consumed with its tokens',
    async () => {
      const outcomes: Record<string, number> = {};
      let slowest = 0;
      const recoveries: number[] = [];
      // Each exchange makes about five adapter calls; the kill lands at a different one each
      // round, without waiting, so the ten exchanges are cut at different steps.
      for (const nth of [8, 19, 27, 34, 42]) {
        const authorized = [];
        for (let i = 0; i < 10; i += 1) authorized.push(await authorize());
        const armed = arm('*', 'before', nth, () => db.stop(), true);
        const answers = await Promise.all(
          authorized.map(({ code, verifier }) =>
            flows.exchange(alice, app, { code: code, verifier: verifier }),
          ),
        );
        expect(armed.sprung).toBe(true);
        slowest = Math.max(slowest, ...answers.map((answer) => answer.ms));
        recoveries.push(Math.round(await restartAndRecover()));
        // Codes still usable are exchanged again only after every answer of the round is checked:
        // the example keeps at most 10 live access tokens per user × application × scope set
        // (`limits.tokensPerScopeSet`, GitHub's rule) and revokes the oldest past it, so a retry
        // issued mid-check would revoke a token of this round that is still to be checked.
        const retries: { code: string; verifier: string | null }[] = [];
        for (const [i, { code, verifier }] of authorized.entries()) {
          const answer = answers[i];
          if (answer === undefined) throw new Error('missing answer');
          const state = await codeState(code);
          let outcome: string;
          if (answer.status === 200) {
            outcome = '200, consumed with tokens';
            expect(state.consumed).toBe(true);
            expect((await apiUser(field(answer, 'access_token'))).status).toBe(200);
          } else {
            expectUnavailable(answer, 'an exchange in flight');
            if (state.consumed) outcome = '503, consumed with tokens stored';
            else {
              outcome = '503, code still usable';
              retries.push({ code, verifier });
            }
          }
          if (state.consumed) expect(state.kinds).toEqual(['access', 'refresh']);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
        for (const retry of retries) expect((await flows.exchange(alice, app, retry)).status).toBe(200);
      }
      figures.push(
        `50 exchanges cut by a kill at varying steps: ${JSON.stringify(outcomes)}; slowest answer ` +
          `${Math.round(slowest)} ms; recovery after each restart: ${recoveries.join(', ')} ms`,
      );
      expect(Object.values(outcomes).reduce((sum, n) => sum + n, 0)).toBe(50);
      // Five kills and restarts and about 200 requests: bounded by those counts, not by the default
      // per-test time, which a busy machine exceeded (it took over 45 s at a load average of 11).
    },
    scaled(240_000),
  );

  it('a database that stops answering (a partition) answers 503 within the socket timeout, then recovers', async () => {
    const relay = await FreezableRelay.start(Number(new URL(db.uri).port));
    const relayed = mongoose.createConnection(`mongodb://127.0.0.1:${relay.port}/`, {
      dbName: 'outage',
      ...CONNECTION_OPTIONS,
    });
    let other: ExampleHost | undefined;
    try {
      await relayed.asPromise();
      const relayedAdapter = new MongoAdapter({ connection: relayed, logger: () => {} });
      other = await createExampleHost({ adapter: given(relayedAdapter), listen: true });
      const bob = other.browser();
      await flows.login(bob, 'bob', 'bob-pass');
      const bobsApp = await flows.registerViaApi(bob);
      const issued = await issueTokens(bob, bobsApp);
      const spare = await authorize(bob, bobsApp);

      relay.freeze();
      const latencies: number[] = [];
      const calls: [string, () => Promise<Answer>][] = [
        ['GET /api/user', () => apiUser(issued.accessToken, bob)],
        ['POST /oauth/token refresh_token', () => flows.refresh(bob, bobsApp, issued.refreshToken)],
        [
          'POST /oauth/token authorization_code',
          () => flows.exchange(bob, bobsApp, { code: spare.code, verifier: spare.verifier }),
        ],
      ];
      for (const [label, call] of calls) {
        const answer = await call();
        expectUnavailable(answer, `${label} (partition)`);
        latencies.push(answer.ms);
      }
      const parallel = await Promise.all(Array.from({ length: 5 }, () => apiUser(issued.accessToken, bob)));
      for (const answer of parallel) expectUnavailable(answer, 'GET /api/user (partition, 5 at once)');
      latencies.push(...parallel.map((answer) => answer.ms));
      figures.push(
        `503 while the database does not answer (partition): ${latencies.length} requests, ` +
          `min ${Math.round(Math.min(...latencies))} ms, max ${Math.round(Math.max(...latencies))} ms`,
      );

      relay.heal();
      const recoveredMs = await until(
        'the relayed provider answers 200 again',
        async () => (await apiUser(issued.accessToken, bob)).status === 200,
        RECOVERY_WITHIN_MS,
      );
      figures.push(`recovery after the partition heals: ${Math.round(recoveredMs)} ms`);
      expect((await flows.refresh(bob, bobsApp, issued.refreshToken)).status).toBe(200);
      expect(
        (await flows.exchange(bob, bobsApp, { code: spare.code, verifier: spare.verifier })).status,
      ).toBe(200);
    } finally {
      await other?.close();
      await relay.close();
      await relayed.close(true);
    }
  });
});
