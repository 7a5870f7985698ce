/**
 * The workload of load.test.ts: virtual users, each owning a few users, drive a provider with a
 * mix of everything a deployment sees — authorization with consent and code exchange, refreshes,
 * calls to the guarded API and token info, personal tokens, and revocations of every kind (an
 * access token, a refresh token with its grant, an authorization from the settings API, a
 * replayed refresh token) — for a fixed number of steps each.
 *
 * A {@link Ledger} records every answer and what the user's own history predicts it must be:
 * each virtual user owns its users, so it knows which of its tokens are live. Tokens that died
 * (revoked, rotated) are remembered with the moment they died, so any later acceptance is a
 * violation; they are also probed across virtual users.
 *
 * Each virtual user draws every choice from its own seeded generator, the same number of draws
 * whatever happened, so one seed gives the same choices every run.
 */
import * as flows from '../support/flows';
import { pkcePair } from '../support/oauth';
import type { Random } from '../support/random';
import type { RegisteredApp } from '../support/test-host';
import { type Answer, stringField, summarize, UserAgent } from '../support/user-agent';

const SCOPE_CHOICES = ['user repo', 'user', 'public_repo', 'user gist', 'repo gist'] as const;

/** A token a virtual user holds, with what it may do. */
interface HeldAccess {
  token: string;
  scopes: string[];
}

/** One user × client authorization as the virtual user sees it. */
interface Session {
  user: string;
  client: RegisteredApp;
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

function kindOf(token: string): TokenKind {
  if (token.startsWith('eor_')) return 'refresh';
  if (token.startsWith('eop_')) return 'personal';
  return 'access';
}

function scopesOf(answer: Answer): string[] {
  return (stringField(answer, 'scope') ?? '').split(' ').filter((scope) => scope !== '');
}

/** Everything the workload saw; the assertions read it at the end. */
export class Ledger {
  readonly statuses: Record<string, number> = {};
  readonly actions: Record<string, number> = {};
  /** 5xx answers. */
  readonly serverErrors: string[] = [];
  /** Answers other than the user's history predicts, and failures of the virtual users. */
  readonly failures: string[] = [];
  /** Dead tokens that were accepted by a request sent after they died. */
  readonly violations: string[] = [];
  /** When each dead token stopped being acceptable (`performance.now()` at completion). */
  readonly deadSince = new Map<string, number>();
  readonly deadTokens: { token: string; kind: TokenKind; client: RegisteredApp | null }[] = [];
  /** Access and refresh tokens issued within each user × client grant, for revocation cascades. */
  readonly grantTokens = new Map<string, Set<string>>();
  /** The client each access and refresh token was issued to. */
  readonly clientOf = new Map<string, RegisteredApp>();
  probesOfDeadTokens = 0;
  latencies: number[] = [];

  record(action: string, answer: Answer): void {
    this.statuses[answer.status] = (this.statuses[answer.status] ?? 0) + 1;
    this.actions[action] = (this.actions[action] ?? 0) + 1;
    this.latencies.push(answer.ms);
    if (answer.status >= 500) this.serverErrors.push(`${action}: ${summarize(answer)}`);
  }

  fail(message: string): void {
    if (this.failures.length < 50) this.failures.push(message);
    else if (this.failures.length === 50) this.failures.push('… (more failures left out)');
  }

  /** A request that used `token` answered; a success sent after the token died is a violation. */
  used(action: string, token: string, answer: Answer, accepted: boolean): void {
    const diedAt = this.deadSince.get(token);
    if (accepted && diedAt !== undefined && answer.sentAt > diedAt) {
      this.violations.push(
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

  issued(grantKey: string, client: RegisteredApp, ...tokens: string[]): void {
    const set = this.grantTokens.get(grantKey) ?? new Set<string>();
    for (const token of tokens) {
      set.add(token);
      this.clientOf.set(token, client);
    }
    this.grantTokens.set(grantKey, set);
  }

  /** Every token of the grant issued so far died at `at` (refresh revocation, grant deletion, replay). */
  grantRevoked(grantKey: string, at: number): void {
    this.markDead(this.grantTokens.get(grantKey) ?? new Set<string>(), at);
    this.grantTokens.delete(grantKey);
  }

  percentile(p: number): number {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  }
}

/** One virtual user: a browser and a client in one, owning a few users, acting for its steps. */
export class VirtualUser {
  readonly agent: UserAgent;
  readonly sessions: Session[] = [];

  constructor(
    readonly index: number,
    readonly url: string,
    readonly clients: readonly RegisteredApp[],
    readonly ledger: Ledger,
    readonly random: Random,
    usersPerVirtualUser: number,
  ) {
    this.agent = new UserAgent(url, null);
    for (let n = 0; n < usersPerVirtualUser; n += 1) {
      for (const client of clients) {
        const user = `vu${index}-user${n}`;
        this.sessions.push({ user, client, access: [], refreshToken: null, rotated: [], granted: null });
      }
    }
  }

  async run(steps: number): Promise<void> {
    for (let step = 0; step < steps; step += 1) {
      try {
        await this.step();
      } catch (error) {
        // A network failure's reason is its cause (ECONNRESET, "other side closed"): name it.
        const cause =
          error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
        this.ledger.fail(
          `virtual user ${this.index}: ${error instanceof Error ? error.message : String(error)}${cause}`,
        );
        if (this.ledger.failures.length > 50) return;
      }
    }
  }

  async step(): Promise<void> {
    const session = this.random.pick(this.sessions);
    const roll = this.random.next();
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
    const scope = this.random.pick(SCOPE_CHOICES);
    const requested = scope.split(' ');
    const browser = new UserAgent(this.url, session.user);
    const authorized = await flows.authorize(browser, {
      client: session.client,
      scope,
      state: this.random.word(12),
      pkce: pkcePair(),
    });
    ledger.record(
      authorized.consentShown ? 'authorize (consent shown)' : 'authorize (consent skipped)',
      authorized.answer,
    );
    if (authorized.code === null) {
      ledger.fail(`authorize: no code: ${summarize(authorized.answer)}`);
      return;
    }
    // The consent page is skipped exactly when an earlier consent covers the request and the
    // client is confidential (RFC 8252 §8.6: a public client's consent is never reused silently).
    const confidential = session.client.clientSecret !== null;
    const skippable = confidential && session.granted !== null && covers(session.granted, requested);
    if (authorized.consentShown === skippable) {
      ledger.fail(
        `authorize ${scope}: consent shown ${authorized.consentShown} with a grant of ${[...(session.granted ?? [])].join(' ')}`,
      );
    }
    session.granted = new Set([...(session.granted ?? []), ...requested]);
    const answer = await flows.exchange(this.agent, session.client, {
      code: authorized.code,
      verifier: authorized.verifier,
    });
    ledger.record('exchange', answer);
    const accessToken = stringField(answer, 'access_token');
    const refreshToken = stringField(answer, 'refresh_token');
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
    const held = this.random.pick(session.access);
    const roll = this.random.next();
    const via = this.random.next() < 0.2 ? 'query' : 'header';
    const path = roll < 0.45 ? '/api/user' : roll < 0.9 ? '/api/repos' : '/oauth/token/info';
    const answer =
      path === '/oauth/token/info'
        ? await flows.callApi(this.agent, path, held.token)
        : await flows.callApi(this.agent, path, held.token, via);
    this.ledger.record(`GET ${path}`, answer);
    this.ledger.used(`GET ${path}`, held.token, answer, answer.status === 200);
    const mayReadRepos = held.scopes.includes('repo') || held.scopes.includes('public_repo');
    const expected = path === '/api/repos' && !mayReadRepos ? 403 : 200;
    if (answer.status !== expected) this.ledger.fail(`GET ${path} with a live token: ${summarize(answer)}`);
  }

  async refresh(session: Session): Promise<void> {
    const old = session.refreshToken;
    if (old === null) return;
    const answer = await flows.refresh(this.agent, session.client, old);
    this.ledger.record('refresh', answer);
    this.ledger.used('refresh', old, answer, answer.status === 200);
    const accessToken = stringField(answer, 'access_token');
    const refreshToken = stringField(answer, 'refresh_token');
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
    const answer = await flows.revoke(this.agent, session.client, held.token);
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
    const answer = await flows.revoke(this.agent, session.client, token);
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
      headers: { 'x-requested-with': 'fetch' },
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
    const answer = await flows.refresh(this.agent, session.client, old);
    this.ledger.record('replay rotated refresh token', answer);
    this.ledger.used('replay rotated refresh token', old, answer, answer.status === 200);
    if (answer.status !== 400 || stringField(answer, 'error') !== 'invalid_grant') {
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
    const token = stringField(created, 'token');
    const id = stringField(created, 'id');
    if (created.status !== 201 || token === undefined || id === undefined) {
      this.ledger.fail(`create personal token: ${summarize(created)}`);
      return;
    }
    const used = await flows.callApi(this.agent, '/api/repos', token);
    this.ledger.record('GET /api/repos', used);
    if (used.status !== 200) this.ledger.fail(`GET /api/repos with a new personal token: ${summarize(used)}`);
    const deleted = await this.agent.send(`/settings/api/tokens/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: { 'x-requested-with': 'fetch' },
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
    // Half of the probes take one of the most recent deaths, where a race would show.
    const recent = this.random.next() < 0.5;
    const back = this.random.below(5);
    const anywhere = this.random.next();
    const { deadTokens } = this.ledger;
    if (deadTokens.length === 0) return;
    const entry = recent
      ? deadTokens[Math.max(0, deadTokens.length - 1 - back)]
      : deadTokens[Math.floor(anywhere * deadTokens.length)];
    if (entry === undefined) return;
    await this.expectRefused(entry.token, entry.kind, entry.client);
  }

  /**
   * A dead token is refused: 401 at the API for access and personal tokens. Refresh tokens are
   * probed read-only, by introspection as their (confidential) client: presenting another virtual
   * user's rotated refresh token at the token endpoint would revoke that user's grant.
   */
  async expectRefused(token: string, kind: TokenKind, client: RegisteredApp | null): Promise<void> {
    const introspectIt = this.random.next() < 0.2;
    const path = this.random.pick(['/api/user', '/api/repos'] as const);
    const via = this.random.pick(['header', 'query'] as const);
    if (kind === 'refresh' || (client?.clientSecret != null && introspectIt)) {
      if (client === null || client.clientSecret === null) return;
      this.ledger.probesOfDeadTokens += 1;
      const answer = await flows.introspect(this.agent, client, token);
      this.ledger.record('POST /oauth/introspect (dead token)', answer);
      const active = answer.body.active;
      this.ledger.used('introspect', token, answer, active === true);
      if (answer.status !== 200 || active !== false)
        this.ledger.fail(`introspect a dead ${kind} token: ${summarize(answer)}`);
      return;
    }
    this.ledger.probesOfDeadTokens += 1;
    const answer = await flows.callApi(this.agent, path, token, via);
    this.ledger.record(`GET ${path} (dead token)`, answer);
    this.ledger.used(`GET ${path} (dead token)`, token, answer, answer.status === 200);
    if (answer.status !== 401) this.ledger.fail(`a dead ${kind} token at ${path}: ${summarize(answer)}`);
  }
}
