/**
 * Two example-provider processes on one database, as behind a load balancer
 * (test/mongo/two-processes, test/sql/two-processes): starting and stopping them, and the
 * properties they must show, declared once for every adapter. State lives in the database only,
 * so a code issued by one is redeemed at the other, single use holds across them, and a
 * revocation at one is refused by the other on the very next request. Both share `csrfSecret` and
 * `sessionSecret`, so a consent form shown by one is accepted by the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { sha256Hex } from '../../lib/tokens/hash';
import * as flows from './flows';
import { hiddenFields } from './html';
import { authorizeQuery, pkcePair } from './oauth';
import { type Answer, field, UserAgent } from './user-agent';

export interface ProviderProcess {
  name: string;
  child: ChildProcess;
  url: string;
  /** What it wrote on stdout and stderr. */
  output: string[];
}

export interface ProcessSpec {
  name: string;
  /** The TypeScript entry point, run with `node --import tsx` from the repository's root. */
  script: string;
  env: Record<string, string>;
  /** The port it listens on, once its output says it is listening; else `null`. */
  readyPort(output: string): number | null;
  startWithinMs: number;
}

const ROOT = join(__dirname, '..', '..');
const running = new Set<ProviderProcess>();

/** Starts one provider process; resolves once it listens. Stopped by {@link stopAllProcesses}. */
export function startProviderProcess(spec: ProcessSpec): Promise<ProviderProcess> {
  return new Promise<ProviderProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', spec.script], {
      cwd: ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const started: ProviderProcess = { name: spec.name, child, url: '', output: [] };
    running.add(started);
    const timer = setTimeout(() => {
      reject(
        new Error(`${spec.name} did not start within ${spec.startWithinMs} ms: ${started.output.join('')}`),
      );
    }, spec.startWithinMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      started.output.push(chunk.toString());
      const port = started.url === '' ? spec.readyPort(started.output.join('')) : null;
      if (port !== null) {
        clearTimeout(timer);
        started.url = `http://127.0.0.1:${port}`;
        resolve(started);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => started.output.push(chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${spec.name} exited (${code ?? signal}) before listening: ${started.output.join('')}`),
      );
    });
  });
}

async function stopProcess(started: ProviderProcess): Promise<void> {
  running.delete(started);
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Kills every process started here, whatever happened. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
}

export interface TwoProcesses {
  a: ProviderProcess;
  b: ProviderProcess;
  /** An adapter on the same database, to look at what is stored. */
  adapter: StorageAdapter;
}

/**
 * Declares the tests of two processes on one database; `get` gives them once the file's
 * `beforeAll` started both.
 */
export function itSharesStateAcrossProcesses(get: () => TwoProcesses): void {
  /** alice's browser at `server`, logged in with the example's form. */
  async function aliceAt(server: ProviderProcess): Promise<UserAgent> {
    const browser = new UserAgent(server.url);
    await flows.login(browser);
    return browser;
  }

  /** The client's HTTP library, talking to `server`. */
  const clientAt = (server: ProviderProcess) => new UserAgent(server.url);

  /** The code flow with PKCE at the browser's process (the challenge must reach the other from the database). */
  const authorize = (browser: UserAgent, client: flows.RegisteredClient) =>
    flows.authorizeCode(browser, { client, scope: 'user repo', pkce: pkcePair() });

  /** Login was done; consent and exchange there: fresh tokens. */
  const tokensAt = (browser: UserAgent, client: flows.RegisteredClient) =>
    flows.issueTokens(browser, browser, { client, scope: 'user repo', pkce: pkcePair() });

  it('runs as two processes', () => {
    const { a, b } = get();
    expect(a.url).not.toBe(b.url);
    expect(a.child.pid).not.toBe(b.child.pid);
  });

  it('a code issued by A (login and consent at A) is redeemed at B, and its token works at both', async () => {
    const { a, b } = get();
    const aliceAtA = await aliceAt(a);
    const app = await flows.registerViaApi(aliceAtA);
    const { code, verifier, consentShown } = await authorize(aliceAtA, app);
    expect(consentShown).toBe(true);

    const atB = clientAt(b);
    const exchanged = await flows.exchange(atB, app, { code, verifier });
    expect(exchanged.status).toBe(200);
    const accessToken = field(exchanged, 'access_token');
    expect((await flows.callApi(atB, '/api/user', accessToken)).body).toEqual({ id: '1', login: 'alice' });
    expect((await flows.callApi(aliceAtA, '/api/user', accessToken)).status).toBe(200);
    // Single use across processes: the same code at A is a replay.
    const replay = await flows.exchange(aliceAtA, app, { code, verifier });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await flows.callApi(atB, '/api/user', accessToken)).status).toBe(401);
  });

  it('concurrent exchanges of one code at A and at B: exactly one 200', async () => {
    const { a, b } = get();
    const aliceAtA = await aliceAt(a);
    const app = await flows.registerViaApi(aliceAtA);
    const { code, verifier } = await authorize(aliceAtA, app);
    const atB = clientAt(b);
    const answers: Answer[] = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        flows.exchange(i % 2 === 0 ? aliceAtA : atB, app, { code, verifier }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(400)]);
  });

  it('a token revoked at A is refused at B on the next request', async () => {
    const { a, b, adapter } = get();
    const aliceAtA = await aliceAt(a);
    const atB = clientAt(b);
    const app = await flows.registerViaApi(aliceAtA);
    const first = await tokensAt(aliceAtA, app);
    const second = await tokensAt(aliceAtA, app);
    expect((await flows.callApi(atB, '/api/user', first.accessToken)).status).toBe(200);

    // POST /oauth/revoke of an access token at A.
    expect((await flows.revoke(aliceAtA, app, first.accessToken)).status).toBe(200);
    expect((await flows.callApi(atB, '/api/user', first.accessToken)).status).toBe(401);
    expect((await flows.callApi(atB, '/api/user', second.accessToken)).status).toBe(200);

    // DELETE /settings/api/applications/:id at A: every token refused at B, the client too.
    const deleted = await aliceAtA.send(`/settings/api/applications/${app.id}`, {
      method: 'DELETE',
      headers: { 'x-requested-with': 'fetch' },
    });
    expect(deleted.status).toBe(204);
    expect((await flows.callApi(atB, '/api/user', second.accessToken)).status).toBe(401);
    const refresh = await flows.refresh(atB, app, second.refreshToken);
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe('invalid_client');
    expect((await adapter.findTokenByHash(sha256Hex(second.refreshToken)))?.revokedAt).toBeInstanceOf(Date);
  });

  it('a refresh token rotated at B cannot be replayed at A, and the replay revokes the grant', async () => {
    const { a, b } = get();
    const aliceAtA = await aliceAt(a);
    const atB = clientAt(b);
    const app = await flows.registerViaApi(aliceAtA);
    const issued = await tokensAt(aliceAtA, app);
    const rotated = await flows.refresh(atB, app, issued.refreshToken);
    expect(rotated.status).toBe(200);
    const replay = await flows.refresh(aliceAtA, app, issued.refreshToken);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await flows.callApi(atB, '/api/user', field(rotated, 'access_token'))).status).toBe(401);
  });

  it('one rate-limit budget for both: wrong secrets sent to A and B in turn meet 429 after the one limit of 20, not 40', async () => {
    const { a, b } = get();
    const aliceAtA = await aliceAt(a);
    const app = await flows.registerViaApi(aliceAtA);
    const wrong = { ...app, clientSecret: 'eos_wrong' };
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const answer = await flows.token(clientAt(i % 2 === 0 ? a : b), wrong, {
        grant_type: 'client_credentials',
      });
      statuses.push(answer.status);
      if (answer.status === 429) break;
    }
    // The library's default: 20 failures per client in 5 minutes (README "Security defaults").
    expect(statuses).toEqual([...Array(20).fill(401), 429]);
    // Blocked at both, right secret or not.
    expect((await flows.token(clientAt(a), app, { grant_type: 'client_credentials' })).status).toBe(429);
    expect((await flows.token(clientAt(b), app, { grant_type: 'client_credentials' })).status).toBe(429);
  });

  it('the cap on tokens per scope set holds across both: 12 machine tokens issued at A and B in turn leave the newest 10 live', async () => {
    const { a, b, adapter } = get();
    const aliceAtA = await aliceAt(a);
    const app = await flows.registerViaApi(aliceAtA);
    const issued: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const answer = await flows.token(clientAt(i % 2 === 0 ? a : b), app, {
        grant_type: 'client_credentials',
        scope: 'ci:status',
      });
      expect(answer.status).toBe(200);
      issued.push(field(answer, 'access_token'));
    }
    // The library's default cap: 10 live access tokens per client × scope set; the oldest go.
    const revoked = await Promise.all(
      issued.map(
        async (token) => (await adapter.findTokenByHash(sha256Hex(token)))?.revokedAt instanceof Date,
      ),
    );
    expect(revoked).toEqual([true, true, ...Array(10).fill(false)]);
    expect(await adapter.listTokens({ applicationId: app.id, kind: 'access' })).toHaveLength(10);
  });

  it('a consent form shown by A is accepted by B (shared csrfSecret, same browser)', async () => {
    const { a, b } = get();
    const atA = await aliceAt(a);
    const app = await flows.registerViaApi(atA);
    const atB = await aliceAt(b); // the example's sessions live in process memory: log in at B as well
    const pkce = pkcePair();
    const { page: shown } = await flows.consentPage(
      atA,
      authorizeQuery({ client: app, scope: 'user', pkce }),
    );
    const browserSecret = atA.cookie('eo_csrf');
    expect(browserSecret).toBeDefined();
    atB.setCookie('eo_csrf', browserSecret ?? '');
    const decided = await flows.postDecision(atB, hiddenFields(shown.text), 'approve');
    expect(decided.status).toBe(302);
    const code = new URL(decided.headers.location ?? '', b.url).searchParams.get('code');
    expect(code).toMatch(/^eoc_/);
    expect((await flows.exchange(atA, app, { code: code ?? '', verifier: pkce.verifier })).status).toBe(200);
  });
}
