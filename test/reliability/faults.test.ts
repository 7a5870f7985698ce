/**
 * Issue 6 "Performance and reliability", DESIGN "Errors and bad input": the database dies under
 * load. A private FerretDB is killed (SIGKILL) while virtual users run the code flow, refresh
 * tokens and call the API against one provider whose MongoAdapter sits on a mongoose connection
 * with `serverSelectionTimeoutMS: 1000`. During the outage every answer is 503
 * `temporarily_unavailable` (never a 500, never a hang); after a restart of the database the same
 * provider recovers by itself; and nothing is half-written: every code the load tried to exchange
 * is either still usable or consumed with its tokens stored, and every interrupted refresh left
 * the old refresh token usable or the new one stored. Figures are printed, never asserted beyond
 * generous bounds.
 */
import mongoose, { type Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import type { TokenRecord } from '../../lib/storage/storage-adapter';
import { sha256Hex } from '../../lib/tokens/hash';
import { type FerretDbServer, startPrivateFerretDb } from '../support/mongo-server';
import {
  Agent,
  type Answer,
  authorize,
  type Client,
  callApi,
  exchange,
  type Host,
  issueTokens,
  refresh,
  registerClient,
  sleep,
  startHost,
  stringField,
  summarize,
} from '../support/reliability-harness';

/** Generous: the connection gives up after about 1 s. */
const ANSWER_WITHIN_MS = 10_000;
const RECOVERY_WITHIN_MS = 20_000;
const VIRTUAL_USERS = 4;
const WARM_UP_MS = 2_500;
/** Two outages in a row: the provider must recover more than once. */
const OUTAGES = 2;
const OUTAGE_MS = 3_000;
const AFTER_RECOVERY_MS = 2_500;
const MAX_ITERATIONS_PER_USER = 2_000;

jest.setTimeout(120_000);

type Phase = 'before' | 'outage' | 'recovering' | 'after';

/** An exchange the load attempted: the code and what the token endpoint said. */
interface ExchangeAttempt {
  code: string;
  verifier: string;
  client: Client;
  status: number | 'network error';
  phase: Phase;
}

/** A refresh the load attempted. */
interface RefreshAttempt {
  old: string;
  client: Client;
  status: number | 'network error';
  phase: Phase;
}

let db: FerretDbServer;
let connection: Connection;
let adapter: MongoAdapter;
let host: Host;
let clients: Client[];
let probeToken: string;
let phase: Phase = 'before';
const figures: string[] = [];

beforeAll(async () => {
  db = await startPrivateFerretDb();
  connection = mongoose.createConnection(db.uri, {
    dbName: 'faults',
    serverSelectionTimeoutMS: 1000,
    socketTimeoutMS: 2000,
  });
  await connection.asPromise();
  adapter = new MongoAdapter({ connection, logger: () => {} });
  await adapter.ensureIndexes();
  host = await startHost(adapter);
  clients = [
    await registerClient(host.provider, { confidential: true, name: 'Faults confidential' }),
    await registerClient(host.provider, { confidential: false, name: 'Faults public' }),
  ];
  const created = await new Agent(host.url, 'prober').send('/settings/api/tokens', {
    json: { name: 'probe', scopes: ['user'] },
  });
  probeToken = stringField(created.json, 'token') ?? '';
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await host?.close();
  await connection?.close(true);
  await db?.dispose();
  if (figures.length > 0) process.stdout.write(`\n[faults] ${figures.join('\n  ')}\n`);
});

/** Every answer of the load, checked as it arrives. */
class Observations {
  readonly problems: string[] = [];
  readonly exchanges: ExchangeAttempt[] = [];
  readonly refreshes: RefreshAttempt[] = [];
  readonly counts: Record<string, number> = {};
  requests = 0;
  unavailable = 0;
  maxMs = 0;
  maxUnavailableMs = 0;

  problem(message: string): void {
    if (this.problems.length < 40) this.problems.push(`[${phase}] ${message}`);
  }

  /**
   * Healthy answers are what the flow expects; anything else must be a quick 503
   * `temporarily_unavailable` (JSON, or the HTML error page at the authorization endpoint).
   */
  check(label: string, answer: Answer, healthy: readonly number[]): boolean {
    this.requests += 1;
    const ms = answer.doneAt - answer.sentAt;
    this.maxMs = Math.max(this.maxMs, ms);
    const key = `${phase} ${answer.status}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    if (ms > ANSWER_WITHIN_MS) this.problem(`${label} took ${Math.round(ms)} ms`);
    if (healthy.includes(answer.status)) return true;
    if (answer.status === 503) {
      this.unavailable += 1;
      this.maxUnavailableMs = Math.max(this.maxUnavailableMs, ms);
      const html = (answer.headers.get('content-type') ?? '').startsWith('text/html');
      const code = html
        ? /<code>([a-z_]+)<\/code>/.exec(answer.text)?.[1]
        : stringField(answer.json, 'error');
      if (code !== 'temporarily_unavailable')
        this.problem(`${label}: 503 without temporarily_unavailable: ${summarize(answer)}`);
      if (/\n\s+at |Mongo|ECONN|ferret/i.test(answer.text))
        this.problem(`${label}: internals: ${summarize(answer)}`);
      return false;
    }
    this.problem(`${label}: ${summarize(answer)}`);
    return false;
  }
}

/** A virtual user: authorize, exchange, call the API, refresh, again and again, until told to stop. */
async function virtualUser(index: number, seen: Observations, stop: { now: boolean }): Promise<void> {
  const client = clients[index % clients.length];
  if (client === undefined) return;
  const browser = new Agent(host.url, `faults-vu${index}`);
  const api = new Agent(host.url, null);
  let refreshToken: string | null = null;
  let accessToken: string | null = null;
  for (let iteration = 0; iteration < MAX_ITERATIONS_PER_USER && !stop.now; iteration += 1) {
    try {
      if (accessToken === null || Math.random() < 0.3) {
        const authorized = await authorize(browser, client, 'user repo');
        if (!seen.check('authorize', authorized.answer, [302]) || authorized.code === null) {
          await sleep(100);
          continue;
        }
        const attempt: ExchangeAttempt = {
          code: authorized.code,
          verifier: authorized.verifier,
          client,
          status: 'network error',
          phase,
        };
        seen.exchanges.push(attempt);
        const answer = await exchange(api, client, authorized.code, authorized.verifier);
        attempt.status = answer.status;
        if (!seen.check('exchange', answer, [200])) {
          await sleep(100);
          continue;
        }
        accessToken = stringField(answer.json, 'access_token') ?? null;
        refreshToken = stringField(answer.json, 'refresh_token') ?? null;
      }
      if (accessToken !== null) {
        const path = Math.random() < 0.5 ? '/api/user' : '/api/repos';
        seen.check(`GET ${path}`, await callApi(api, path, accessToken), [200]);
      }
      if (refreshToken !== null && Math.random() < 0.5) {
        const attempt: RefreshAttempt = { old: refreshToken, client, status: 'network error', phase };
        seen.refreshes.push(attempt);
        const answer = await refresh(api, client, refreshToken);
        attempt.status = answer.status;
        // Whatever the answer, this chain is done with the old token; a failed one is examined later.
        refreshToken = null;
        if (seen.check('refresh', answer, [200])) {
          accessToken = stringField(answer.json, 'access_token') ?? null;
          refreshToken = stringField(answer.json, 'refresh_token') ?? null;
        } else {
          accessToken = null;
          await sleep(100);
        }
      }
    } catch (error) {
      seen.problem(`virtual user ${index}: ${error instanceof Error ? error.message : String(error)}`);
      await sleep(100);
    }
  }
}

/** The adapter's view of a code or refresh token: its record, whether it is spent, and its family. */
async function stateOf(
  token: string,
): Promise<{ record: TokenRecord; consumed: boolean; family: TokenRecord[] }> {
  const record = await adapter.findTokenByHash(sha256Hex(token));
  if (record === null) throw new Error(`no record for ${token.slice(0, 8)}…`);
  // FerretDB: ClaimStrategy's `consume:<id>` claim spends the record even before `consumedAt` is written.
  const raw = connection.db;
  if (raw === undefined) throw new Error('not connected');
  const claim = await raw
    .collection<{ _id: string }>('oauth_token_claims')
    .findOne({ _id: `consume:${record.id}` });
  const family = await adapter.listTokens({ familyId: record.familyId ?? record.id });
  return { record, consumed: record.consumedAt !== null || claim !== null, family };
}

async function until(what: string, probe: () => Promise<boolean>, budgetMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > budgetMs) throw new Error(`${what}: not within ${budgetMs} ms`);
    await sleep(100);
  }
}

describe('the database stopped under load', () => {
  it('answers 503 temporarily_unavailable during the outage, recovers after a restart, and leaves nothing half-written', async () => {
    const seen = new Observations();
    const stop = { now: false };
    const started = performance.now();
    const users = Array.from({ length: VIRTUAL_USERS }, (_, index) => virtualUser(index, seen, stop));

    await sleep(WARM_UP_MS);
    const exchangedBefore = seen.exchanges.filter((attempt) => attempt.status === 200).length;
    const probe = new Agent(host.url, null);
    for (let outage = 1; outage <= OUTAGES; outage += 1) {
      const unavailableBefore = seen.unavailable;
      phase = 'outage';
      await db.stop();
      await sleep(OUTAGE_MS);
      const unavailable = seen.unavailable - unavailableBefore;
      expect(unavailable).toBeGreaterThan(0);

      phase = 'recovering';
      const restartStarted = performance.now();
      await db.restart();
      const restartMs = performance.now() - restartStarted;
      const recoveredMs = await until(
        'the provider answers a guarded request again',
        async () => (await callApi(probe, '/api/user', probeToken)).status === 200,
        RECOVERY_WITHIN_MS,
      );
      phase = 'after';
      const requestsAtRecovery = seen.requests;
      const okBefore = (seen.counts['after 200'] ?? 0) + (seen.counts['after 302'] ?? 0);
      await sleep(AFTER_RECOVERY_MS);
      const okAfter = (seen.counts['after 200'] ?? 0) + (seen.counts['after 302'] ?? 0) - okBefore;
      // The load itself gets through again, not only the probe.
      expect(okAfter).toBeGreaterThan(0);
      figures.push(
        `outage ${outage}: ${unavailable} answers 503 in ${OUTAGE_MS} ms; FerretDB restarted in ` +
          `${Math.round(restartMs)} ms; the same provider answered 200 again ${Math.round(recoveredMs)} ms ` +
          `later; then ${seen.requests - requestsAtRecovery} requests in ${AFTER_RECOVERY_MS} ms, ${okAfter} successful`,
      );
    }
    stop.now = true;
    await Promise.all(users);

    figures.unshift(
      `${seen.requests} requests from ${VIRTUAL_USERS} virtual users in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s (${exchangedBefore} codes exchanged before ` +
        `the first kill); slowest 503 ${Math.round(seen.maxUnavailableMs)} ms, slowest answer ` +
        `${Math.round(seen.maxMs)} ms; answers by phase ${JSON.stringify(seen.counts)}`,
    );

    // Never a 500, a hang or a network failure; during the outage, quick 503s.
    expect(seen.problems).toEqual([]);
    expect(exchangedBefore).toBeGreaterThan(0);
    expect(Object.keys(seen.counts).filter((key) => /\b5\d\d$/.test(key) && !key.endsWith(' 503'))).toEqual(
      [],
    );

    // Nothing half-written. First read everything through the adapter, then retry over HTTP (a
    // retry that turns out to be a replay revokes a grant, which would change what is read).
    const codeStates = [];
    for (const attempt of seen.exchanges) {
      codeStates.push({ attempt, state: await stateOf(attempt.code) });
    }
    const refreshStates = [];
    for (const attempt of seen.refreshes) {
      refreshStates.push({ attempt, state: await stateOf(attempt.old) });
    }
    const halfWritten: string[] = [];
    const usableCodes: ExchangeAttempt[] = [];
    let consumedCodes = 0;
    for (const { attempt, state } of codeStates) {
      const tokens = state.family.filter((record) => record.kind === 'access' || record.kind === 'refresh');
      if (attempt.status === 200 && !state.consumed)
        halfWritten.push(`code exchanged (200) but not consumed`);
      if (state.consumed) {
        consumedCodes += 1;
        // Never consumed with no token: an access and a refresh token of its family are stored.
        const kinds = new Set(tokens.map((record) => record.kind));
        if (!kinds.has('access') || !kinds.has('refresh')) {
          halfWritten.push(
            `code consumed (${attempt.phase}, answer ${attempt.status}) with tokens [${[...kinds]}]`,
          );
        }
      } else usableCodes.push(attempt);
    }
    const usableRefreshTokens: RefreshAttempt[] = [];
    for (const { attempt, state } of refreshStates) {
      if (attempt.status === 200 && !state.consumed)
        halfWritten.push('refresh answered 200 but the old token is not consumed');
      if (!state.consumed) {
        usableRefreshTokens.push(attempt);
        continue;
      }
      // Rotated: the new refresh token of the family was stored before the old one was consumed.
      const successor = state.family.find(
        (record) =>
          record.kind === 'refresh' &&
          record.id !== state.record.id &&
          record.createdAt.getTime() >= state.record.createdAt.getTime(),
      );
      if (successor === undefined) {
        halfWritten.push(
          `refresh token consumed (${attempt.phase}, answer ${attempt.status}) with no successor stored`,
        );
      }
    }
    expect(halfWritten).toEqual([]);

    // What was left usable is usable: the client's retry works as if nothing had happened.
    const retries: string[] = [];
    const client = new Agent(host.url, null);
    for (const attempt of usableCodes) {
      const answer = await exchange(client, attempt.client, attempt.code, attempt.verifier);
      if (answer.status !== 200) retries.push(`unused code (${attempt.phase}): ${summarize(answer)}`);
    }
    for (const attempt of usableRefreshTokens) {
      const answer = await refresh(client, attempt.client, attempt.old);
      if (answer.status !== 200)
        retries.push(`unconsumed refresh token (${attempt.phase}): ${summarize(answer)}`);
    }
    expect(retries).toEqual([]);
    const interrupted = {
      exchanges: seen.exchanges.filter((attempt) => attempt.status !== 200).length,
      refreshes: seen.refreshes.filter((attempt) => attempt.status !== 200).length,
    };
    figures.push(
      `after recovery: ${seen.exchanges.length} codes examined (${consumedCodes} consumed, each with its tokens; ` +
        `${usableCodes.length} unused, all exchanged on retry; ${interrupted.exchanges} exchanges had failed), ` +
        `${seen.refreshes.length} refreshes examined (${usableRefreshTokens.length} old tokens still usable ` +
        `and used on retry; ${interrupted.refreshes} refreshes had failed)`,
    );

    // And the provider, never restarted, serves a whole flow again.
    const fresh = await issueTokens(new Agent(host.url, 'after-recovery'), clients[0] as Client);
    expect((await callApi(client, '/api/user', fresh.accessToken)).status).toBe(200);
    expect((await refresh(client, clients[0] as Client, fresh.refreshToken)).status).toBe(200);
    // The provider heard about the outage (storage failures go to onError) and nothing else went wrong.
    expect(host.errors.length).toBeGreaterThan(0);
  });
});
