/**
 * Issue 6 "Performance and reliability": a 20-second mixed workload on each adapter, run one after
 * the other. A bounded number of virtual users, in this process, drive a provider listening on
 * 127.0.0.1 with `fetch`: authorization with consent and code exchange, refreshes, calls to the
 * guarded API and token info, personal tokens, and revocations of every kind (an access token, a
 * refresh token with its grant, an authorization from the settings API, a replayed refresh token).
 *
 * Checked: no answer is a 5xx or a network failure; every answer is the one the user's own
 * history predicts (each virtual user owns its users, so it knows which of its tokens are live);
 * and no token is ever accepted by a request sent after its revocation (or rotation) completed,
 * which is also probed across virtual users with tokens revoked by others. Throughput figures are
 * printed for the report, never asserted.
 */
import {
  ADAPTER_FACTORIES,
  type AdapterSetup,
  Agent,
  type Answer,
  authorize,
  type Client,
  callApi,
  exchange,
  type Host,
  postAsClient,
  refresh,
  registerClient,
  requestCounter,
  revoke,
  startHost,
  stringField,
  summarize,
} from '../support/reliability-harness';

const DURATION_MS = 20_000;
const VIRTUAL_USERS = 8;
/** Upper bound on the iterations of one virtual user, whatever the speed of the machine. */
const MAX_ITERATIONS_PER_USER = 20_000;
const USERS_PER_VIRTUAL_USER = 3;
const SCOPE_CHOICES = ['user repo', 'user', 'public_repo', 'user gist', 'repo gist'] as const;

jest.setTimeout(DURATION_MS + 60_000);

/** A token this virtual user holds, with what it may do. */
interface HeldAccess {
  token: string;
  scopes: string[];
}

/** One user × client authorization as the virtual user sees it. */
interface Session {
  user: string;
  client: Client;
  access: HeldAccess[];
  refreshToken: string | null;
  /** Rotated-away refresh tokens of this session (refused since their rotation). */
  rotated: string[];
  /** The scopes the user consented to (the grant), or `null` before consent or after its deletion. */
  granted: Set<string> | null;
}

type TokenKind = 'access' | 'refresh' | 'personal';

/** Whether a grant covers the requested scopes (`repo` includes `public_repo`). */
function covers(granted: ReadonlySet<string>, requested: readonly string[]): boolean {
  return requested.every((scope) => granted.has(scope) || (scope === 'public_repo' && granted.has('repo')));
}

/** Everything the workload saw; the assertions read it at the end. */
class Ledger {
  readonly statuses: Record<string, number> = {};
  readonly actions: Record<string, number> = {};
  readonly failures: string[] = [];
  /** When each dead token stopped being acceptable (`performance.now()` at completion). */
  readonly deadSince = new Map<string, number>();
  readonly deadTokens: { token: string; kind: TokenKind; client: Client | null }[] = [];
  /** Access and refresh tokens issued within each user × client grant, for revocation cascades. */
  readonly grantTokens = new Map<string, Set<string>>();
  /** The client each access and refresh token was issued to. */
  readonly clientOf = new Map<string, Client>();
  /** Answers checked (every request of the workload). */
  requests = 0;
  acceptedAfterRevocation = 0;
  probesOfDeadTokens = 0;
  latencies: number[] = [];

  record(action: string, answer: Answer): void {
    this.requests += 1;
    this.statuses[answer.status] = (this.statuses[answer.status] ?? 0) + 1;
    this.actions[action] = (this.actions[action] ?? 0) + 1;
    this.latencies.push(answer.doneAt - answer.sentAt);
    if (answer.status >= 500) this.fail(`${action}: ${summarize(answer)}`);
  }

  fail(message: string): void {
    if (this.failures.length < 50) this.failures.push(message);
    else if (this.failures.length === 50) this.failures.push('… (more failures left out)');
  }

  /** A request that used `token` answered; a success sent after the token died is a violation. */
  used(action: string, token: string, answer: Answer, accepted: boolean): void {
    const diedAt = this.deadSince.get(token);
    if (accepted && diedAt !== undefined && answer.sentAt > diedAt) {
      this.acceptedAfterRevocation += 1;
      this.fail(
        `${action}: a token dead since ${diedAt.toFixed(1)} ms was accepted by a request sent at ` +
          `${answer.sentAt.toFixed(1)} ms: ${summarize(answer)}`,
      );
    }
  }

  markDead(tokens: Iterable<string>, at: number): void {
    for (const token of tokens) {
      if (this.deadSince.has(token)) continue;
      this.deadSince.set(token, at);
      this.deadTokens.push({ token, kind: kindOf(token), client: this.clientOf.get(token) ?? null });
    }
  }

  issued(grantKey: string, client: Client, ...tokens: string[]): void {
    const set = this.grantTokens.get(grantKey) ?? new Set<string>();
    for (const token of tokens) {
      set.add(token);
      this.clientOf.set(token, client);
    }
    this.grantTokens.set(grantKey, set);
  }

  /** Every token of the grant issued so far died at `at` (refresh revocation, grant deletion, replay). */
  grantRevoked(grantKey: string, at: number): void {
    const tokens = this.grantTokens.get(grantKey) ?? new Set<string>();
    this.markDead(tokens, at);
    this.grantTokens.delete(grantKey);
  }

  percentile(p: number): number {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  }
}

function kindOf(token: string): TokenKind {
  if (token.startsWith('eor_')) return 'refresh';
  if (token.startsWith('eop_')) return 'personal';
  return 'access';
}

function pick<T>(list: readonly T[]): T {
  const item = list[Math.floor(Math.random() * list.length)];
  if (item === undefined) throw new Error('pick() from an empty list');
  return item;
}

function scopesOf(answer: Answer): string[] {
  return (stringField(answer.json, 'scope') ?? '').split(' ').filter((scope) => scope !== '');
}

/** One virtual user: a browser and a client in one, owning a few users, acting until the deadline. */
class VirtualUser {
  readonly agent: Agent;
  readonly sessions: Session[] = [];

  constructor(
    readonly index: number,
    readonly host: Host,
    readonly clients: readonly Client[],
    readonly ledger: Ledger,
  ) {
    this.agent = new Agent(host.url, null);
    for (let n = 0; n < USERS_PER_VIRTUAL_USER; n += 1) {
      for (const client of clients) {
        this.sessions.push({
          user: `vu${index}-user${n}`,
          client,
          access: [],
          refreshToken: null,
          rotated: [],
          granted: null,
        });
      }
    }
  }

  async run(deadline: number): Promise<void> {
    for (
      let iteration = 0;
      iteration < MAX_ITERATIONS_PER_USER && performance.now() < deadline;
      iteration += 1
    ) {
      try {
        await this.step();
      } catch (error) {
        this.ledger.fail(
          `virtual user ${this.index}: ${error instanceof Error ? error.message : String(error)}`,
        );
        if (this.ledger.failures.length > 50) return;
      }
    }
  }

  async step(): Promise<void> {
    const session = pick(this.sessions);
    const roll = Math.random();
    if (session.access.length === 0 || roll < 0.14) return this.authorizeAndExchange(session);
    if (roll < 0.52) return this.callApi(session);
    if (roll < 0.66) return this.refresh(session);
    if (roll < 0.73) return this.revokeAccessToken(session);
    if (roll < 0.77) return this.revokeRefreshToken(session);
    if (roll < 0.8) return this.deleteAuthorization(session);
    if (roll < 0.82) return this.replayRotatedRefreshToken(session);
    if (roll < 0.87) return this.personalToken(session);
    return this.probeDeadToken();
  }

  grantKey(session: Session): string {
    return `${session.user}|${session.client.clientId}`;
  }

  async authorizeAndExchange(session: Session): Promise<void> {
    const { ledger } = this;
    const agent = new Agent(this.host.url, session.user);
    const scope = pick(SCOPE_CHOICES);
    const requested = scope.split(' ');
    const authorized = await authorize(agent, session.client, scope);
    ledger.record(
      authorized.consentShown ? 'authorize (consent shown)' : 'authorize (consent skipped)',
      authorized.answer,
    );
    if (authorized.consentShown) ledger.requests += 1; // the GET before the consent POST
    if (authorized.code === null) {
      ledger.fail(`authorize: no code: ${summarize(authorized.answer)}`);
      return;
    }
    // The consent page is skipped exactly when an earlier consent covers the request.
    const skippable = session.granted !== null && covers(session.granted, requested);
    if (authorized.consentShown === skippable) {
      ledger.fail(
        `authorize ${scope}: consent shown ${authorized.consentShown} with a grant of ${[...(session.granted ?? [])].join(' ')}`,
      );
    }
    session.granted = new Set([...(session.granted ?? []), ...requested]);
    const answer = await exchange(this.agent, session.client, authorized.code, authorized.verifier);
    ledger.record('exchange', answer);
    const accessToken = stringField(answer.json, 'access_token');
    const refreshToken = stringField(answer.json, 'refresh_token');
    if (answer.status !== 200 || accessToken === undefined || refreshToken === undefined) {
      ledger.fail(`exchange: ${summarize(answer)}`);
      return;
    }
    session.access.push({ token: accessToken, scopes: scopesOf(answer) });
    // An older refresh token of the session stays live on the server (and in the grant's set).
    session.refreshToken = refreshToken;
    ledger.issued(this.grantKey(session), session.client, accessToken, refreshToken);
    if (session.access.length > 4) session.access.shift();
  }

  async callApi(session: Session): Promise<void> {
    const held = pick(session.access);
    const roll = Math.random();
    const path = roll < 0.45 ? '/api/user' : roll < 0.9 ? '/api/repos' : '/oauth/token/info';
    const via = Math.random() < 0.2 ? 'query' : 'header';
    const answer =
      path === '/oauth/token/info'
        ? await this.agent.send(path, { headers: { authorization: `Bearer ${held.token}` } })
        : await callApi(this.agent, path, held.token, via);
    this.ledger.record(`GET ${path}`, answer);
    this.ledger.used(`GET ${path}`, held.token, answer, answer.status === 200);
    const mayReadRepos = held.scopes.includes('repo') || held.scopes.includes('public_repo');
    const expected = path === '/api/repos' && !mayReadRepos ? 403 : 200;
    if (answer.status !== expected) this.ledger.fail(`GET ${path} with a live token: ${summarize(answer)}`);
  }

  async refresh(session: Session): Promise<void> {
    const old = session.refreshToken;
    if (old === null) return;
    const answer = await refresh(this.agent, session.client, old);
    this.ledger.record('refresh', answer);
    this.ledger.used('refresh', old, answer, answer.status === 200);
    const accessToken = stringField(answer.json, 'access_token');
    const refreshToken = stringField(answer.json, 'refresh_token');
    if (answer.status !== 200 || accessToken === undefined || refreshToken === undefined) {
      this.ledger.fail(`refresh of a live refresh token: ${summarize(answer)}`);
      return;
    }
    // Rotation: the old refresh token is refused from the moment the new one was handed out.
    this.ledger.markDead([old], answer.doneAt);
    session.rotated.push(old);
    if (session.rotated.length > 3) session.rotated.shift();
    session.refreshToken = refreshToken;
    session.access.push({ token: accessToken, scopes: scopesOf(answer) });
    if (session.access.length > 4) session.access.shift();
    this.ledger.issued(this.grantKey(session), session.client, accessToken, refreshToken);
  }

  async revokeAccessToken(session: Session): Promise<void> {
    const held = session.access.pop();
    if (held === undefined) return;
    const answer = await revoke(this.agent, session.client, held.token);
    this.ledger.record('revoke access token', answer);
    if (answer.status !== 200) {
      this.ledger.fail(`revoke access token: ${summarize(answer)}`);
      return;
    }
    this.ledger.markDead([held.token], answer.doneAt);
    await this.expectRefused(held.token, 'access', session.client);
  }

  /** RFC 7009 §2.1: revoking a refresh token revokes its grant's tokens. */
  async revokeRefreshToken(session: Session): Promise<void> {
    const token = session.refreshToken;
    if (token === null) return;
    const answer = await revoke(this.agent, session.client, token);
    this.ledger.record('revoke refresh token', answer);
    if (answer.status !== 200) {
      this.ledger.fail(`revoke refresh token: ${summarize(answer)}`);
      return;
    }
    this.ledger.grantRevoked(this.grantKey(session), answer.doneAt);
    const gone = session.access.map((held) => held.token);
    session.access = [];
    session.refreshToken = null;
    for (const dead of gone.slice(0, 1)) await this.expectRefused(dead, 'access', session.client);
  }

  /** `DELETE /settings/api/authorizations/:client_id`: the grant and all its tokens. */
  async deleteAuthorization(session: Session): Promise<void> {
    if (session.granted === null) return;
    const answer = await this.agent.send(`/settings/api/authorizations/${session.client.clientId}`, {
      method: 'DELETE',
      user: session.user,
    });
    this.ledger.record('DELETE authorization', answer);
    if (answer.status !== 204) {
      this.ledger.fail(`DELETE authorization: ${summarize(answer)}`);
      return;
    }
    this.ledger.grantRevoked(this.grantKey(session), answer.doneAt);
    const gone = session.access.map((held) => held.token);
    session.access = [];
    session.refreshToken = null;
    session.granted = null;
    for (const dead of gone.slice(0, 1)) await this.expectRefused(dead, 'access', session.client);
  }

  /** A rotated-away refresh token presented again: refused, and the grant is revoked (theft). */
  async replayRotatedRefreshToken(session: Session): Promise<void> {
    const old = session.rotated.pop();
    if (old === undefined) return;
    const answer = await refresh(this.agent, session.client, old);
    this.ledger.record('replay rotated refresh token', answer);
    this.ledger.used('replay rotated refresh token', old, answer, answer.status === 200);
    if (answer.status !== 400 || stringField(answer.json, 'error') !== 'invalid_grant') {
      this.ledger.fail(`replay of a rotated refresh token: ${summarize(answer)}`);
    }
    // The replay revoked the grant only if the token was still part of it (not revoked before).
    if (this.ledger.grantTokens.get(this.grantKey(session))?.has(old)) {
      this.ledger.grantRevoked(this.grantKey(session), answer.doneAt);
      session.access = [];
      session.refreshToken = null;
      session.rotated = [];
    }
  }

  /** Create a personal token, use it, delete it, and see it refused. */
  async personalToken(session: Session): Promise<void> {
    const created = await this.agent.send('/settings/api/tokens', {
      json: { name: `load ${this.index}`, scopes: ['user', 'public_repo'] },
      user: session.user,
    });
    this.ledger.record('POST /settings/api/tokens', created);
    const token = stringField(created.json, 'token');
    const id = stringField(created.json, 'id');
    if (created.status !== 201 || token === undefined || id === undefined) {
      this.ledger.fail(`create personal token: ${summarize(created)}`);
      return;
    }
    const used = await callApi(this.agent, '/api/repos', token);
    this.ledger.record('GET /api/repos', used);
    if (used.status !== 200) this.ledger.fail(`GET /api/repos with a new personal token: ${summarize(used)}`);
    const deleted = await this.agent.send(`/settings/api/tokens/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      user: session.user,
    });
    this.ledger.record('DELETE /settings/api/tokens/:id', deleted);
    if (deleted.status !== 204) {
      this.ledger.fail(`delete personal token: ${summarize(deleted)}`);
      return;
    }
    this.ledger.markDead([token], deleted.doneAt);
    await this.expectRefused(token, 'personal', null);
  }

  /** Any virtual user's dead token, long after or just after its revocation: never accepted. */
  async probeDeadToken(): Promise<void> {
    const { deadTokens } = this.ledger;
    if (deadTokens.length === 0) return;
    // Half of the probes take one of the most recent deaths, where a race would show.
    const recent = Math.random() < 0.5;
    const entry = recent
      ? deadTokens[Math.max(0, deadTokens.length - 1 - Math.floor(Math.random() * 5))]
      : pick(deadTokens);
    if (entry === undefined) return;
    await this.expectRefused(entry.token, entry.kind, entry.client);
  }

  /**
   * A dead token is refused: 401 at the API for access and personal tokens. Refresh tokens are
   * probed read-only, by introspection as their (confidential) client: presenting another virtual
   * user's rotated refresh token at the token endpoint would revoke that user's grant.
   */
  async expectRefused(token: string, kind: TokenKind, client: Client | null): Promise<void> {
    if (kind === 'refresh' || (client?.clientSecret != null && Math.random() < 0.2)) {
      if (client === null || client.clientSecret === null) return;
      this.ledger.probesOfDeadTokens += 1;
      const answer = await postAsClient(this.agent, '/oauth/introspect', client, { token });
      this.ledger.record('POST /oauth/introspect (dead token)', answer);
      const active =
        typeof answer.json === 'object' && answer.json !== null && Reflect.get(answer.json, 'active');
      this.ledger.used('introspect', token, answer, active === true);
      if (answer.status !== 200 || active !== false)
        this.ledger.fail(`introspect a dead ${kind} token: ${summarize(answer)}`);
      return;
    }
    this.ledger.probesOfDeadTokens += 1;
    const path = pick(['/api/user', '/api/repos'] as const);
    const answer = await callApi(this.agent, path, token, pick(['header', 'query'] as const));
    this.ledger.record(`GET ${path} (dead token)`, answer);
    this.ledger.used(`GET ${path} (dead token)`, token, answer, answer.status === 200);
    if (answer.status !== 401) this.ledger.fail(`a dead ${kind} token at ${path}: ${summarize(answer)}`);
  }
}

describe.each(ADAPTER_FACTORIES)('$name adapter: a 20-second mixed workload', (factory) => {
  let setup: AdapterSetup;
  let host: Host;

  beforeAll(async () => {
    setup = await factory.create(`load_${factory.name}`);
    host = await startHost(setup.adapter);
  });

  afterAll(async () => {
    await host?.close();
    await setup?.close();
  });

  it(`${VIRTUAL_USERS} virtual users for ${DURATION_MS / 1000} s: no 5xx, and no token accepted after its revocation`, async () => {
    const clients = [
      await registerClient(host.provider, { confidential: true, name: 'Load confidential' }),
      await registerClient(host.provider, { confidential: false, name: 'Load public' }),
    ];
    const ledger = new Ledger();
    const users = Array.from(
      { length: VIRTUAL_USERS },
      (_, index) => new VirtualUser(index, host, clients, ledger),
    );
    const sentBefore = requestCounter.total;
    const started = performance.now();
    await Promise.all(users.map((user) => user.run(started + DURATION_MS)));
    const seconds = (performance.now() - started) / 1000;
    const sent = requestCounter.total - sentBefore;

    const byAction = Object.entries(ledger.actions)
      .sort(([, a], [, b]) => b - a)
      .map(([action, count]) => `${action} ${count}`)
      .join(', ');
    process.stdout.write(
      `\n[load ${factory.name}] ${sent} requests in ${seconds.toFixed(1)} s ` +
        `(${Math.round(sent / seconds)} req/s, ${VIRTUAL_USERS} virtual users); ` +
        `statuses ${JSON.stringify(ledger.statuses)}; p50 ${ledger.percentile(50).toFixed(1)} ms, ` +
        `p99 ${ledger.percentile(99).toFixed(1)} ms; ${ledger.deadSince.size} tokens revoked or rotated, ` +
        `${ledger.probesOfDeadTokens} probes of dead tokens\n  ${byAction}\n`,
    );

    expect(ledger.failures).toEqual([]);
    expect(ledger.acceptedAfterRevocation).toBe(0);
    expect(Object.keys(ledger.statuses).filter((status) => Number(status) >= 500)).toEqual([]);
    expect(host.errors).toEqual([]);
    // The workload did all of its kinds of work.
    for (const action of [
      'authorize (consent shown)',
      'authorize (consent skipped)',
      'exchange',
      'refresh',
      'GET /api/user',
      'GET /api/repos',
      'revoke access token',
      'revoke refresh token',
    ]) {
      expect(ledger.actions[action] ?? 0).toBeGreaterThan(0);
    }
    expect(ledger.probesOfDeadTokens).toBeGreaterThan(0);
  });
});
