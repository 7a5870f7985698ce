/**
 * Two example-provider processes on one MongoDB database, as behind a load balancer: state lives
 * in the database only, so a code issued by one is redeemed at the other, single use holds across
 * them, and a revocation at one is refused by the other on the very next request. Both share
 * `csrfSecret` and `sessionSecret`, so a consent form shown by one is accepted by the other.
 *
 * The processes run test/support/example-provider-process.ts with `node --import tsx`; they are
 * killed in `afterAll` whatever happened, and exit by themselves if this process dies (stdin).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { sha256Hex } from '../../lib/tokens/hash';
import * as flows from '../support/flows';
import { hiddenFields } from '../support/html';
import { connect, dropAndClose, mongoUri } from '../support/mongo-server';
import { authorizeQuery, pkcePair } from '../support/oauth';
import { scaled } from '../support/time-scale';
import { type Answer, field, UserAgent } from '../support/user-agent';

const SCRIPT = join(__dirname, '..', 'support', 'example-provider-process.ts');
const ISSUER = 'http://oauth.test';
const START_WITHIN_MS = scaled(30_000);

interface ProviderProcess {
  name: string;
  child: ChildProcess;
  url: string;
  stderr: string[];
}

const processes: ProviderProcess[] = [];
let connection: Connection;
let adapter: MongoAdapter;
let a: ProviderProcess;
let b: ProviderProcess;

function startProcess(name: string, dbName: string, secrets: { csrf: string; session: string }) {
  return new Promise<ProviderProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        MONGODB_URI: mongoUri(),
        OAUTH_DB_NAME: dbName,
        ISSUER,
        CSRF_SECRET: secrets.csrf,
        SESSION_SECRET: secrets.session,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const started: ProviderProcess = { name, child, url: '', stderr: [] };
    processes.push(started);
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not start within ${START_WITHIN_MS} ms: ${started.stderr.join('')}`));
    }, START_WITHIN_MS);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /^listening (\d+)$/m.exec(stdout)?.[1];
      if (port !== undefined && started.url === '') {
        clearTimeout(timer);
        started.url = `http://127.0.0.1:${port}`;
        resolve(started);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => started.stderr.push(chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening: ${started.stderr.join('')}`));
    });
  });
}

async function stopProcess({ child }: ProviderProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  connection = await connect('two_processes');
  adapter = new MongoAdapter({ connection, logger: () => {} });
  await adapter.ensureIndexes();
  const secrets = { csrf: randomBytes(24).toString('hex'), session: randomBytes(24).toString('hex') };
  [a, b] = await Promise.all([
    startProcess('A', connection.name, secrets),
    startProcess('B', connection.name, secrets),
  ]);
}, START_WITHIN_MS + 10_000);

afterAll(async () => {
  await Promise.all(processes.map(stopProcess));
  if (connection !== undefined) await dropAndClose(connection);
});

/** alice's browser at `server`, logged in with the example's form. */
async function aliceAt(server: ProviderProcess): Promise<UserAgent> {
  const browser = new UserAgent(server.url);
  await flows.login(browser);
  return browser;
}

/** The client's HTTP library, talking to `server`. */
const clientAt = (server: ProviderProcess) => new UserAgent(server.url);

/** Login at A was done; consent and exchange there: fresh tokens. */
async function tokensAt(browser: UserAgent, client: flows.RegisteredClient) {
  return flows.issueTokens(browser, browser, { client, scope: 'user repo' });
}

describe('two provider processes on one MongoDB database', () => {
  it('runs as two processes', () => {
    expect(a.url).not.toBe(b.url);
    expect(a.child.pid).not.toBe(b.child.pid);
  });

  it('a code issued by A (login and consent at A) is redeemed at B, and its token works at both', async () => {
    const aliceAtA = await aliceAt(a);
    const app = await flows.registerViaApi(aliceAtA);
    const { code, verifier, consentShown } = await flows.authorizeCode(aliceAtA, {
      client: app,
      scope: 'user repo',
    });
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
    const aliceAtA = await aliceAt(a);
    const app = await flows.registerViaApi(aliceAtA);
    const { code, verifier } = await flows.authorizeCode(aliceAtA, { client: app, scope: 'user repo' });
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
    const deleted = await aliceAtA.send(`/settings/api/applications/${app.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await flows.callApi(atB, '/api/user', second.accessToken)).status).toBe(401);
    const refresh = await flows.refresh(atB, app, second.refreshToken);
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe('invalid_client');
    expect((await adapter.findTokenByHash(sha256Hex(second.refreshToken)))?.revokedAt).toBeInstanceOf(Date);
  });

  it('a refresh token rotated at B cannot be replayed at A, and the replay revokes the grant', async () => {
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

  it('a consent form shown by A is accepted by B (shared csrfSecret, same browser)', async () => {
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
});
