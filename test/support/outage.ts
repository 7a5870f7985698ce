/**
 * What the outage suites (test/mongo/outage, test/sql/outage) use to cause an outage at an exact
 * moment and to judge the answers given during it: a trap on the adapter that acts just before or
 * after one storage call, a TCP relay that stops forwarding (a partition), the requests that
 * need storage, and the 503 an outage must answer (DESIGN "Errors and bad input").
 */
import { type AddressInfo, connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { interceptAdapter, type StorageMethod } from './adapters';
import * as flows from './flows';
import type { ClientCredentials } from './oauth';
import type { Answer, UserAgent } from './user-agent';

/** One armed trap: `action` runs at the `nth` call of `method` (`'*'`: any call). */
export interface Trap {
  method: StorageMethod | '*';
  when: 'before' | 'after';
  nth: number;
  action: () => Promise<void>;
  /** Do not wait for the action: the call goes on while the database dies. */
  detached: boolean;
  sprung: boolean;
}

/** At most one armed trap over an adapter; it springs once, then disarms itself. */
export class StorageTrap {
  #armed: Trap | null = null;

  /** The adapter as the provider sees it: every call goes through the armed trap, if any. */
  readonly wrap = (inner: StorageAdapter): StorageAdapter =>
    interceptAdapter(inner, async (method, proceed) => {
      const armed = this.#armed;
      const springs =
        armed !== null && (armed.method === '*' || armed.method === method) && --armed.nth === 0;
      if (springs && armed.when === 'before') await this.#spring(armed);
      const result = await proceed();
      if (springs && armed.when === 'after') await this.#spring(armed);
      return result;
    });

  arm(
    method: StorageMethod | '*',
    when: 'before' | 'after',
    action: () => Promise<void>,
    { nth = 1, detached = false }: { nth?: number; detached?: boolean } = {},
  ): Trap {
    this.#armed = { method, when, nth, action, detached, sprung: false };
    return this.#armed;
  }

  disarm(): void {
    this.#armed = null;
  }

  async #spring(armed: Trap): Promise<void> {
    armed.sprung = true;
    this.#armed = null;
    if (armed.detached) void armed.action();
    else await armed.action();
  }
}

/**
 * A TCP relay to the database that can be frozen: a network partition, or a server that stops
 * answering without closing its connections (SIGSTOP, a full disk). Unlike a kill, nothing fails
 * fast here; only the connection's timeouts bound the wait.
 */
export class FreezableRelay {
  readonly #pairs = new Set<[Socket, Socket | null]>();
  #frozen = false;

  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FreezableRelay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new FreezableRelay(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => relay.#accept(client, targetPort));
    return relay;
  }

  #accept(client: Socket, targetPort: number): void {
    if (this.#frozen) {
      // Accepted, never answered.
      this.#pairs.add([client, null]);
      client.on('error', () => {});
      return;
    }
    const upstream = connectTcp({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket | null] = [client, upstream];
    this.#pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }

  /** Stops forwarding in both directions; connections stay open. */
  freeze(): void {
    this.#frozen = true;
    for (const [client, upstream] of this.#pairs) {
      if (upstream === null) continue;
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** The partition heals: its stale connections are reset, new ones are relayed again. */
  heal(): void {
    this.#frozen = false;
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.#pairs.clear();
  }

  close(): Promise<void> {
    this.heal();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * RFC 6749 §5.2 / DESIGN: an outage answers 503 `temporarily_unavailable` with `Retry-After`,
 * within `withinMs`, naming nothing of the storage behind it (`internals`).
 */
export function expectUnavailable(
  answer: Answer,
  label: string,
  { withinMs, internals }: { withinMs: number; internals: RegExp },
): void {
  const summary = `${label}: ${answer.status} ${answer.text.slice(0, 200)}`;
  expect({ summary, status: answer.status, error: answer.body.error }).toEqual({
    summary,
    status: 503,
    error: 'temporarily_unavailable',
  });
  expect(answer.headers['retry-after']).toEqual(expect.any(String));
  expect(answer.text).not.toMatch(/\n\s+at /);
  expect(answer.text).not.toMatch(internals);
  expect(answer.ms).toBeLessThan(withinMs);
}

/**
 * After the storage is back, everything works again and the failed requests changed nothing:
 * the refresh token still rotates, the spare code is still good, its token reaches the API.
 */
export async function expectUsableAfterOutage(
  browser: UserAgent,
  client: ClientCredentials,
  issued: { accessToken: string; refreshToken: string },
  spare: { code: string; verifier: string | null },
): Promise<void> {
  expect((await flows.refresh(browser, client, issued.refreshToken)).status).toBe(200);
  const exchanged = await flows.exchange(browser, client, spare);
  expect(exchanged.status).toBe(200);
  const accessToken = exchanged.body.access_token;
  if (typeof accessToken !== 'string') throw new Error(`no access token: ${exchanged.text}`);
  expect((await flows.callApi(browser, '/api/user', accessToken)).status).toBe(200);
}

/**
 * One request of each kind that needs storage, by label: guarded API calls, the token endpoint's
 * three grants, revocation, the settings API. `browser` is logged in; `issued` are its tokens and
 * `spare` a code not yet exchanged.
 */
export function requestsNeedingStorage(
  browser: UserAgent,
  client: ClientCredentials,
  issued: { accessToken: string; refreshToken: string },
  spare: { code: string; verifier: string | null },
): [string, () => Promise<Answer>][] {
  return [
    ['GET /api/user', () => flows.callApi(browser, '/api/user', issued.accessToken)],
    ['GET /api/repos', () => flows.callApi(browser, '/api/repos', issued.accessToken)],
    ['POST /oauth/token refresh_token', () => flows.refresh(browser, client, issued.refreshToken)],
    ['POST /oauth/token authorization_code', () => flows.exchange(browser, client, spare)],
    [
      'POST /oauth/token client_credentials',
      () => flows.token(browser, client, { grant_type: 'client_credentials' }),
    ],
    ['POST /oauth/revoke', () => flows.revoke(browser, client, issued.accessToken)],
    ['GET /settings/api/applications', () => browser.send('/settings/api/applications')],
  ];
}
