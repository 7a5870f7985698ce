/**
 * DESIGN "OAuth endpoints" and "Storage adapters": single use under concurrency, on every
 * adapter, through HTTP. 50 concurrent exchanges of one authorization code, or uses of one
 * refresh token (no grace), yield exactly one 200 and leave nothing of the race alive; 50
 * concurrent revocations of one token revoke it once (one `token.revoked` event) and it is
 * refused afterwards.
 *
 * Each test gets a fresh provider on a fresh adapter (FerretDB reads whole tables, so small ones
 * keep a race of 50 quick); the only limit on how long a race may take is the test's, which
 * scales with the machine.
 */
import type { ProviderEventMap, ProviderEventName } from '../../lib/events/provider-events';
import { sha256Hex } from '../../lib/tokens/hash';
import { ADAPTERS } from '../support/adapters';
import { rfcErrorProblem } from '../support/assertions';
import { TOKEN_LIFECYCLE_EVENTS } from '../support/fixtures';
import * as flows from '../support/flows';
import { pkcePair } from '../support/oauth';
import { announceSeed, randomFor } from '../support/random';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';
import { scaled, sleep } from '../support/time-scale';
import { type Answer, requestCounter, stringField, summarize, type UserAgent } from '../support/user-agent';

const PARALLEL = 50;

jest.setTimeout(scaled(120_000));

/** `200`, `204`, or `400 invalid_grant`-style keys, counted. */
function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const error = stringField(answer, 'error');
    const key = error === undefined ? String(answer.status) : `${answer.status} ${error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

announceSeed('races');

describe.each(Object.values(ADAPTERS))(
  '$name adapter: concurrent single use and revocation, over HTTP',
  (factory) => {
    const random = randomFor(`races ${factory.name}`);
    let host: TestHost;
    /** A browser and the client's library in one: it keeps the consent CSRF cookie. */
    let agent: UserAgent;
    let confidential: RegisteredApp;
    let publicClient: RegisteredApp;
    const events: { name: ProviderEventName; event: unknown }[] = [];
    const eventsNamed = (name: ProviderEventName) => events.filter((entry) => entry.name === name);

    /** Requests per test, printed for the report. */
    const sentPerTest: string[] = [];
    let sentBefore = 0;
    let started = 0;

    beforeEach(async () => {
      host = await createTestHost({ adapter: factory, listen: true, refreshTokenReuseGraceSeconds: 0 });
      confidential = await host.registerApp({ name: 'Reliability app', confidential: true });
      publicClient = await host.registerApp({ name: 'Public app', confidential: false });
      events.length = 0;
      for (const name of TOKEN_LIFECYCLE_EVENTS) {
        host.provider.events.on(name, (event: ProviderEventMap[typeof name]) => events.push({ name, event }));
      }
      agent = host.browser(`racer-${random.word()}`);
      sentBefore = requestCounter.total;
      started = performance.now();
    });

    afterEach(() => {
      const name = (expect.getState().currentTestName ?? '').replace(/^.*over HTTP /, '').slice(0, 70);
      const ms = Math.round(performance.now() - started);
      sentPerTest.push(`${requestCounter.total - sentBefore} requests, ${ms} ms: ${name}`);
      // No request of the race ended in an unexpected error (500) on the provider's side.
      expect(host.errors).toEqual([]);
    });

    afterAll(() => {
      process.stdout.write(`\n[races ${factory.name}]\n  ${sentPerTest.join('\n  ')}\n`);
    });

    /** Consent and exchange as `agent`'s user: fresh tokens. */
    const issueTokens = (client: RegisteredApp = confidential) =>
      flows.issueTokens(agent, agent, { client, scope: 'user repo', pkce: pkcePair() });

    it.each([
      ['confidential', () => confidential],
      ['public (PKCE)', () => publicClient],
    ])(
      `${PARALLEL} concurrent exchanges of one code (%s client) → exactly one 200, the rest 400 invalid_grant`,
      async (_label, which) => {
        const client = which();
        const { code, verifier } = await flows.authorizeCode(agent, {
          client,
          scope: 'user repo',
          state: random.word(12),
          pkce: pkcePair(),
        });

        const answers = await Promise.all(
          Array.from({ length: PARALLEL }, () => flows.exchange(agent, client, { code, verifier })),
        );

        expect(tally(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
        for (const loser of answers.filter((entry) => entry.status !== 200))
          expect(rfcErrorProblem(loser)).toBeNull();
        expect(eventsNamed('token.issued')).toHaveLength(1);
        expect(eventsNamed('code.reused').length).toBe(PARALLEL - 1);
        // RFC 6749 §4.1.2: the concurrent second uses are replays, so what the one winner got is revoked.
        const winner = answers.find((entry) => entry.status === 200);
        const accessToken = winner === undefined ? '' : (stringField(winner, 'access_token') ?? '');
        expect((await flows.callApi(agent, '/api/user', accessToken)).status).toBe(401);
        expect((await flows.exchange(agent, client, { code, verifier })).status).toBe(400);
        // Nothing of the race is left alive: the code's family (the code and what each exchange
        // stored) is revoked, and the client holds no live access or refresh token at all.
        const codeRecord = await host.adapter.findTokenByHash(sha256Hex(code));
        expect(codeRecord?.consumedAt).toBeInstanceOf(Date);
        expect(await host.adapter.listTokens({ familyId: codeRecord?.id ?? 'missing' })).toEqual([]);
        const live = await host.adapter.listTokens({ applicationId: client.id });
        expect(live.filter((record) => record.kind === 'access' || record.kind === 'refresh')).toEqual([]);
      },
    );

    it(`${PARALLEL} concurrent refreshes of one refresh token (grace 0) → exactly one 200, the rest 400 invalid_grant`, async () => {
      expect(host.provider.options.refreshTokenReuseGraceSeconds).toBe(0);
      const { accessToken, refreshToken } = await issueTokens();

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => flows.refresh(agent, confidential, refreshToken)),
      );

      expect(tally(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
      for (const loser of answers.filter((entry) => entry.status !== 200))
        expect(rfcErrorProblem(loser)).toBeNull();
      expect(eventsNamed('token.refreshed')).toHaveLength(1);
      expect(eventsNamed('refresh_token.reused').length).toBeGreaterThanOrEqual(1);
      // The losers presented a rotated token: a replay, so the whole grant is revoked (RFC 9700
      // §4.14.2), the winner's new tokens and the first access token included.
      expect((await flows.refresh(agent, confidential, refreshToken)).status).toBe(400);
      const winner = answers.find((entry) => entry.status === 200);
      if (winner === undefined) throw new Error(`no winner: ${answers.map(summarize).join('; ')}`);
      expect(
        (await flows.refresh(agent, confidential, stringField(winner, 'refresh_token') ?? '')).status,
      ).toBe(400);
      expect(
        (await flows.callApi(agent, '/api/user', stringField(winner, 'access_token') ?? '')).status,
      ).toBe(401);
      expect((await flows.callApi(agent, '/api/user', accessToken)).status).toBe(401);
    });

    it(`${PARALLEL} concurrent POST /oauth/revoke of one access token → all 200, refused afterwards, one token.revoked`, async () => {
      const { accessToken, refreshToken } = await issueTokens();
      expect((await flows.callApi(agent, '/api/user', accessToken)).status).toBe(200);
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => flows.revoke(agent, confidential, accessToken)),
      );

      expect(tally(answers)).toEqual({ '200': PARALLEL });
      expect((await flows.callApi(agent, '/api/user', accessToken)).status).toBe(401);
      expect((await flows.callApi(agent, '/api/repos', accessToken, 'query')).status).toBe(401);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ reason: 'revocation_endpoint', count: 1 })]);
      // Revoking an access token leaves the rest of the grant alone (RFC 7009 §2.1 cascades only from refresh tokens).
      expect((await flows.refresh(agent, confidential, refreshToken)).status).toBe(200);
    });

    it(`${PARALLEL} concurrent POST /oauth/revoke of one refresh token → all 200, the grant refused afterwards, one token.revoked`, async () => {
      const { accessToken, refreshToken } = await issueTokens();
      const grantId = (await host.adapter.findTokenByHash(sha256Hex(refreshToken)))?.grantId ?? null;
      if (grantId === null) throw new Error('the refresh token has no grant');
      // The grant's records not revoked yet: the consumed code, the access and the refresh token.
      const live = (await host.adapter.listTokens({ grantId })).length;
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => flows.revoke(agent, confidential, refreshToken)),
      );

      expect(tally(answers)).toEqual({ '200': PARALLEL });
      expect((await flows.refresh(agent, confidential, refreshToken)).status).toBe(400);
      expect((await flows.callApi(agent, '/api/user', accessToken)).status).toBe(401);
      expect(await host.adapter.listTokens({ grantId })).toEqual([]);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ reason: 'revocation_endpoint', count: live })]);
    });

    it(`${PARALLEL} concurrent DELETE /settings/api/authorizations/:client_id → one 204, the rest 404, one grant.revoked`, async () => {
      const { accessToken, refreshToken } = await issueTokens();
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          agent.send(`/settings/api/authorizations/${confidential.clientId}`, {
            method: 'DELETE',
            headers: { 'x-requested-with': 'fetch' },
          }),
        ),
      );

      expect(tally(answers)).toEqual({ '204': 1, '404 not_found': PARALLEL - 1 });
      expect((await flows.callApi(agent, '/api/user', accessToken)).status).toBe(401);
      expect((await flows.refresh(agent, confidential, refreshToken)).status).toBe(400);
      expect((await agent.send('/settings/api/authorizations')).json).toEqual([]);
      expect(eventsNamed('grant.revoked')).toHaveLength(1);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ reason: 'grant', userId: agent.user })]);
    });

    it(`${PARALLEL} concurrent DELETE /settings/api/tokens/:id of one personal token → one 204, the rest 404, refused afterwards`, async () => {
      const created = await agent.send('/settings/api/tokens', { json: { name: 'race', scopes: ['user'] } });
      expect(created.status).toBe(201);
      const token = stringField(created, 'token') ?? '';
      const id = stringField(created, 'id') ?? '';
      expect((await flows.callApi(agent, '/api/user', token)).status).toBe(200);
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          agent.send(`/settings/api/tokens/${encodeURIComponent(id)}`, {
            method: 'DELETE',
            headers: { 'x-requested-with': 'fetch' },
          }),
        ),
      );

      expect(tally(answers)).toEqual({ '204': 1, '404 not_found': PARALLEL - 1 });
      for (const loser of answers.filter((entry) => entry.status !== 204))
        expect(rfcErrorProblem(loser)).toBeNull();
      expect((await flows.callApi(agent, '/api/user', token)).status).toBe(401);
      expect((await agent.send('/settings/api/tokens')).json).toEqual([]);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ count: 1, userId: agent.user })]);
    });

    it("a revocation racing the guard's last-used write is never lost (40 personal tokens, each used and deleted at once)", async () => {
      const tokens: { id: string; token: string }[] = [];
      for (let n = 0; n < 40; n += 1) {
        const created = await agent.send('/settings/api/tokens', {
          json: { name: `touch race ${n}`, scopes: ['user'] },
        });
        tokens.push({ id: stringField(created, 'id') ?? '', token: stringField(created, 'token') ?? '' });
      }
      // The first use of a token records `last_used_at` after answering; the deletion lands at
      // staggered moments around that write.
      await Promise.all(
        tokens.map(async ({ id, token }, n) => {
          const used = flows.callApi(agent, '/api/user', token);
          await sleep(n % 8);
          const deleted = await agent.send(`/settings/api/tokens/${id}`, {
            method: 'DELETE',
            headers: { 'x-requested-with': 'fetch' },
          });
          expect(deleted.status).toBe(204);
          expect([200, 401]).toContain((await used).status);
        }),
      );
      // Give the last-used writes (sent after their answers) time to land before looking.
      await sleep(scaled(200));
      const accepted = [];
      for (const { token } of tokens) {
        if ((await flows.callApi(agent, '/api/user', token)).status !== 401) accepted.push(token.slice(0, 8));
      }
      expect(accepted).toEqual([]);
      expect((await agent.send('/settings/api/tokens')).json).toEqual([]);
    });
  },
);
