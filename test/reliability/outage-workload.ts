/**
 * The load of faults.test.ts: virtual users that authorize, exchange, call the API and refresh,
 * again and again, while the database goes away and comes back. Every answer is checked as it
 * arrives ({@link Observations}); every exchange and refresh attempted is kept, so the test can
 * look afterwards at what each one left in storage.
 */
import * as flows from '../support/flows';
import { pageErrorCode } from '../support/html';
import { pkcePair } from '../support/oauth';
import type { Random } from '../support/random';
import type { RegisteredApp } from '../support/test-host';
import { scaled, sleep } from '../support/time-scale';
import { type Answer, stringField, summarize, type UserAgent } from '../support/user-agent';

export type Phase = 'before' | 'outage' | 'recovering' | 'after';

/** An exchange or a refresh the load attempted, and what the token endpoint said. */
export interface Attempt {
  /** The code, or the old refresh token. */
  token: string;
  verifier: string | null;
  client: RegisteredApp;
  status: number | 'network error';
  phase: Phase;
}

/** A healthy answer comes within this; a 503 too (the connection gives up after about 1 s). */
const ANSWER_WITHIN_MS = 10_000;

/** Every answer of the load, checked as it arrives. */
export class Observations {
  phase: Phase = 'before';
  readonly problems: string[] = [];
  readonly exchanges: Attempt[] = [];
  readonly refreshes: Attempt[] = [];
  /** Answers by `phase status`. */
  readonly counts: Record<string, number> = {};
  /** Answers per virtual user and phase, to know every user met each phase. */
  readonly perUser = new Map<number, Record<string, number>>();
  requests = 0;
  unavailable = 0;
  maxMs = 0;
  maxUnavailableMs = 0;

  /** Moves the load into `phase`, counting each user's answers in it from zero. */
  enter(phase: Phase): void {
    this.phase = phase;
    for (const counts of this.perUser.values()) counts[phase] = 0;
  }

  problem(message: string): void {
    if (this.problems.length < 40) this.problems.push(`[${this.phase}] ${message}`);
  }

  /** Successful answers (200 or 302) seen in `phase`. */
  successes(phase: Phase): number {
    return (this.counts[`${phase} 200`] ?? 0) + (this.counts[`${phase} 302`] ?? 0);
  }

  /** The fewest answers any of `users` virtual users got in `phase`. */
  fewestAnswers(phase: Phase, users: number): number {
    let fewest = Number.POSITIVE_INFINITY;
    for (let user = 0; user < users; user += 1) {
      fewest = Math.min(fewest, this.perUser.get(user)?.[phase] ?? 0);
    }
    return fewest;
  }

  /**
   * Healthy answers are what the flow expects; anything else must be a quick 503
   * `temporarily_unavailable` (JSON, or the HTML error page at the authorization endpoint).
   */
  check(user: number, label: string, answer: Answer, healthy: readonly number[]): boolean {
    this.requests += 1;
    const ms = answer.ms;
    this.maxMs = Math.max(this.maxMs, ms);
    const key = `${this.phase} ${answer.status}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    const mine = this.perUser.get(user) ?? {};
    mine[this.phase] = (mine[this.phase] ?? 0) + 1;
    this.perUser.set(user, mine);
    if (ms > scaled(ANSWER_WITHIN_MS)) this.problem(`${label} took ${Math.round(ms)} ms`);
    if (healthy.includes(answer.status)) return true;
    if (answer.status === 503) {
      this.unavailable += 1;
      this.maxUnavailableMs = Math.max(this.maxUnavailableMs, ms);
      const html = (answer.headers['content-type'] ?? '').startsWith('text/html');
      const code = html ? pageErrorCode(answer.text) : stringField(answer, 'error');
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

/** What a virtual user needs. */
export interface VirtualUserSetup {
  index: number;
  client: RegisteredApp;
  browser: UserAgent;
  api: UserAgent;
  random: Random;
  seen: Observations;
  /** Set to stop the user after its current iteration. */
  stop: { now: boolean };
  maxIterations: number;
}

/** A virtual user: authorize, exchange, call the API, refresh, again and again, until told to stop. */
export async function virtualUser(user: VirtualUserSetup): Promise<void> {
  const { index, client, browser, api, random, seen, stop } = user;
  let refreshToken: string | null = null;
  let accessToken: string | null = null;
  for (let iteration = 0; iteration < user.maxIterations && !stop.now; iteration += 1) {
    // Every choice draws from this user's own generator, whatever happened: the same seed makes
    // the same choices.
    const reauthorize = random.next() < 0.3;
    const path = random.pick(['/api/user', '/api/repos'] as const);
    const refreshNow = random.next() < 0.5;
    try {
      if (accessToken === null || reauthorize) {
        const authorized = await flows.authorize(browser, {
          client,
          scope: 'user repo',
          state: random.word(12),
          pkce: pkcePair(),
        });
        if (!seen.check(index, 'authorize', authorized.answer, [302]) || authorized.code === null) {
          await sleep(100);
          continue;
        }
        const attempt: Attempt = {
          token: authorized.code,
          verifier: authorized.verifier,
          client,
          status: 'network error',
          phase: seen.phase,
        };
        seen.exchanges.push(attempt);
        const answer = await flows.exchange(api, client, {
          code: authorized.code,
          verifier: authorized.verifier,
        });
        attempt.status = answer.status;
        if (!seen.check(index, 'exchange', answer, [200])) {
          await sleep(100);
          continue;
        }
        accessToken = stringField(answer, 'access_token') ?? null;
        refreshToken = stringField(answer, 'refresh_token') ?? null;
      }
      if (accessToken !== null) {
        seen.check(index, `GET ${path}`, await flows.callApi(api, path, accessToken), [200]);
      }
      if (refreshToken !== null && refreshNow) {
        const attempt: Attempt = {
          token: refreshToken,
          verifier: null,
          client,
          status: 'network error',
          phase: seen.phase,
        };
        seen.refreshes.push(attempt);
        const answer = await flows.refresh(api, client, refreshToken);
        attempt.status = answer.status;
        // Whatever the answer, this chain is done with the old token; a failed one is examined later.
        refreshToken = null;
        if (seen.check(index, 'refresh', answer, [200])) {
          accessToken = stringField(answer, 'access_token') ?? null;
          refreshToken = stringField(answer, 'refresh_token') ?? null;
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
