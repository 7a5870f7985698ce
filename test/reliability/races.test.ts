/**
 * DESIGN "OAuth endpoints" and "Storage adapters": single use under concurrency, on both adapters,
 * through HTTP. 50 concurrent exchanges of one authorization code, or uses of one refresh token
 * (no grace), yield exactly one 200; 50 concurrent revocations of one token revoke it once (one
 * `token.revoked` event) and it is refused afterwards.
 */
import type { ProviderEventMap, ProviderEventName } from '../../lib/events/provider-events';
import { sha256Hex } from '../../lib/tokens/hash';
import {
  ADAPTER_FACTORIES,
  type AdapterSetup,
  Agent,
  authorize,
  type Client,
  callApi,
  exchange,
  type Host,
  issueTokens,
  refresh,
  registerClient,
  requestCounter,
  revoke,
  rfcErrorProblem,
  startHost,
  stringField,
  summarize,
} from '../support/reliability-harness';

const PARALLEL = 50;

jest.setTimeout(60_000);

/** `200`, `204`, or `400 invalid_grant`-style keys, counted. */
function tally(answers: { status: number; json: unknown }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const error = stringField(answer.json, 'error');
    const key = error === undefined ? String(answer.status) : `${answer.status} ${error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe.each(ADAPTER_FACTORIES)(
  '$name adapter: concurrent single use and revocation, over HTTP',
  (factory) => {
    let setup: AdapterSetup;
    let host: Host;
    let agent: Agent;
    let confidential: Client;
    let publicClient: Client;
    const events: { name: ProviderEventName; event: unknown }[] = [];

    /** Records every event of these names from now on. */
    function listen(...names: ProviderEventName[]): void {
      for (const name of names) {
        host.provider.events.on(name, (event: ProviderEventMap[typeof name]) => events.push({ name, event }));
      }
    }
    const eventsNamed = (name: ProviderEventName) => events.filter((entry) => entry.name === name);

    beforeAll(async () => {
      setup = await factory.create(`races_${factory.name}`);
      host = await startHost(setup.adapter);
      confidential = await registerClient(host.provider, { confidential: true });
      publicClient = await registerClient(host.provider, { confidential: false, name: 'Public app' });
      listen(
        'token.issued',
        'token.refreshed',
        'token.revoked',
        'grant.revoked',
        'code.reused',
        'refresh_token.reused',
      );
    });

    /** Requests per test, printed for the report. */
    const sentPerTest: string[] = [];
    let sentBefore = 0;
    let started = 0;

    beforeEach(() => {
      sentBefore = requestCounter.total;
      started = performance.now();
      events.length = 0;
      agent = new Agent(host.url, `racer-${Math.random().toString(36).slice(2, 8)}`);
    });

    afterEach(() => {
      const name = (expect.getState().currentTestName ?? '').replace(/^.*over HTTP /, '').slice(0, 70);
      const ms = Math.round(performance.now() - started);
      sentPerTest.push(`${requestCounter.total - sentBefore} requests, ${ms} ms: ${name}`);
      // No request of the race ended in an unexpected error (500) on the provider's side.
      expect(host.errors).toEqual([]);
    });

    afterAll(async () => {
      await host?.close();
      await setup?.close();
      process.stdout.write(`\n[races ${factory.name}]\n  ${sentPerTest.join('\n  ')}\n`);
    });

    it.each([
      ['confidential', () => confidential],
      ['public (PKCE)', () => publicClient],
    ])(
      `${PARALLEL} concurrent exchanges of one code (%s client) → exactly one 200, the rest 400 invalid_grant`,
      async (_label, which) => {
        const client = which();
        const { code, verifier, answer } = await authorize(agent, client, 'user repo');
        if (code === null) throw new Error(`no code: ${summarize(answer)}`);

        const answers = await Promise.all(
          Array.from({ length: PARALLEL }, () => exchange(agent, client, code, verifier)),
        );

        expect(tally(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
        for (const loser of answers.filter((entry) => entry.status !== 200))
          expect(rfcErrorProblem(loser)).toBeNull();
        expect(eventsNamed('token.issued')).toHaveLength(1);
        expect(eventsNamed('code.reused').length).toBe(PARALLEL - 1);
        // RFC 6749 §4.1.2: the concurrent second uses are replays, so what the one winner got is revoked.
        const winner = answers.find((entry) => entry.status === 200);
        const accessToken = stringField(winner?.json, 'access_token') ?? '';
        expect((await callApi(agent, '/api/user', accessToken)).status).toBe(401);
        expect((await exchange(agent, client, code, verifier)).status).toBe(400);
      },
    );

    it(`${PARALLEL} concurrent refreshes of one refresh token (grace 0) → exactly one 200, the rest 400 invalid_grant`, async () => {
      expect(host.provider.options.refreshTokenReuseGraceSeconds).toBe(0);
      const { refreshToken } = await issueTokens(agent, confidential);

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => refresh(agent, confidential, refreshToken)),
      );

      expect(tally(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
      for (const loser of answers.filter((entry) => entry.status !== 200))
        expect(rfcErrorProblem(loser)).toBeNull();
      expect(eventsNamed('token.refreshed')).toHaveLength(1);
      expect(eventsNamed('refresh_token.reused').length).toBeGreaterThanOrEqual(1);
      // The old token stays refused; the reuse revoked the grant, the winner's new tokens included.
      expect((await refresh(agent, confidential, refreshToken)).status).toBe(400);
      const winner = answers.find((entry) => entry.status === 200);
      expect(
        (await refresh(agent, confidential, stringField(winner?.json, 'refresh_token') ?? '')).status,
      ).toBe(400);
    });

    it(`${PARALLEL} concurrent POST /oauth/revoke of one access token → all 200, refused afterwards, one token.revoked`, async () => {
      const { accessToken, refreshToken } = await issueTokens(agent, confidential);
      expect((await callApi(agent, '/api/user', accessToken)).status).toBe(200);
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => revoke(agent, confidential, accessToken)),
      );

      expect(tally(answers)).toEqual({ '200': PARALLEL });
      expect((await callApi(agent, '/api/user', accessToken)).status).toBe(401);
      expect((await callApi(agent, '/api/repos', accessToken, 'query')).status).toBe(401);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ reason: 'revocation_endpoint', count: 1 })]);
      // Revoking an access token leaves the rest of the grant alone (RFC 7009 §2.1 cascades only from refresh tokens).
      expect((await refresh(agent, confidential, refreshToken)).status).toBe(200);
    });

    it(`${PARALLEL} concurrent POST /oauth/revoke of one refresh token → all 200, the grant refused afterwards, one token.revoked`, async () => {
      const { accessToken, refreshToken } = await issueTokens(agent, confidential);
      const grantId = (await setup.adapter.findTokenByHash(sha256Hex(refreshToken)))?.grantId ?? null;
      if (grantId === null) throw new Error('the refresh token has no grant');
      // The grant's records not revoked yet: the consumed code, the access and the refresh token.
      const live = (await setup.adapter.listTokens({ grantId })).length;
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => revoke(agent, confidential, refreshToken)),
      );

      expect(tally(answers)).toEqual({ '200': PARALLEL });
      expect((await refresh(agent, confidential, refreshToken)).status).toBe(400);
      expect((await callApi(agent, '/api/user', accessToken)).status).toBe(401);
      expect(await setup.adapter.listTokens({ grantId })).toEqual([]);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ reason: 'revocation_endpoint', count: live })]);
    });

    it(`${PARALLEL} concurrent DELETE /settings/api/authorizations/:client_id → one 204, the rest 404, one grant.revoked`, async () => {
      const { accessToken, refreshToken } = await issueTokens(agent, confidential);
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          agent.send(`/settings/api/authorizations/${confidential.clientId}`, { method: 'DELETE' }),
        ),
      );

      expect(tally(answers)).toEqual({ '204': 1, '404 not_found': PARALLEL - 1 });
      expect((await callApi(agent, '/api/user', accessToken)).status).toBe(401);
      expect((await refresh(agent, confidential, refreshToken)).status).toBe(400);
      expect((await agent.send('/settings/api/authorizations')).json).toEqual([]);
      expect(eventsNamed('grant.revoked')).toHaveLength(1);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ reason: 'grant', userId: agent.user })]);
    });

    it(`${PARALLEL} concurrent DELETE /settings/api/tokens/:id of one personal token → one 204, the rest 404, refused afterwards`, async () => {
      const created = await agent.send('/settings/api/tokens', { json: { name: 'race', scopes: ['user'] } });
      expect(created.status).toBe(201);
      const token = stringField(created.json, 'token') ?? '';
      const id = stringField(created.json, 'id') ?? '';
      expect((await callApi(agent, '/api/user', token)).status).toBe(200);
      events.length = 0;

      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          agent.send(`/settings/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
        ),
      );

      expect(tally(answers)).toEqual({ '204': 1, '404 not_found': PARALLEL - 1 });
      for (const loser of answers.filter((entry) => entry.status !== 204))
        expect(rfcErrorProblem(loser)).toBeNull();
      expect((await callApi(agent, '/api/user', token)).status).toBe(401);
      const listed = await agent.send('/settings/api/tokens');
      expect(listed.json).toEqual([]);
      const revoked = eventsNamed('token.revoked').map((entry) => entry.event);
      expect(revoked).toEqual([expect.objectContaining({ count: 1, userId: agent.user })]);
    });

    it("a revocation racing the guard's last-used write is never lost (40 personal tokens, each used and deleted at once)", async () => {
      const tokens: { id: string; token: string }[] = [];
      for (let n = 0; n < 40; n += 1) {
        const created = await agent.send('/settings/api/tokens', {
          json: { name: `touch race ${n}`, scopes: ['user'] },
        });
        tokens.push({
          id: stringField(created.json, 'id') ?? '',
          token: stringField(created.json, 'token') ?? '',
        });
      }
      // The first use of a token records `last_used_at` after answering; the deletion lands at
      // staggered moments around that write.
      await Promise.all(
        tokens.map(async ({ id, token }, n) => {
          const used = callApi(agent, '/api/user', token);
          await new Promise((resolve) => setTimeout(resolve, n % 8));
          const deleted = await agent.send(`/settings/api/tokens/${id}`, { method: 'DELETE' });
          expect(deleted.status).toBe(204);
          expect([200, 401]).toContain((await used).status);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const accepted = [];
      for (const { token } of tokens) {
        if ((await callApi(agent, '/api/user', token)).status !== 401) accepted.push(token.slice(0, 8));
      }
      expect(accepted).toEqual([]);
      expect((await agent.send('/settings/api/tokens')).json).toEqual([]);
    });
  },
);
