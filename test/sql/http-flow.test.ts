/**
 * The example provider on the SQL adapter, on PostgreSQL (a database of its own on the server of
 * the global setup) and on SQLite (a WAL file), driven over real sockets: the authorization-code
 * flow with PKCE and refresh rotation, single use of codes and refresh tokens under 20 concurrent
 * requests, revocation cascades, and the refresh grace window (DESIGN "OAuth endpoints",
 * "Applications, authorizations, personal tokens").
 */
import request from 'supertest';
import { createExampleProvider } from '../../examples/provider/app';
import { sha256Hex } from '../../lib/tokens/hash';
import { type Answer, ExampleHttp, field, type Listening, serve } from '../support/example-http';
import { bearer, type RegisteredApp as HarnessApp, makeTestProvider } from '../support/provider-harness';
import { openSqlStore, type SqlStore } from '../support/sql-adapters';

const PARALLEL = 20;

function countStatuses(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 200 ? '200' : `${answer.status} ${String(answer.body.error)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe.each(['postgres', 'sqlite'] as const)(
  'the example provider on the SQL adapter (%s), over HTTP',
  (dialect) => {
    let store: SqlStore;
    let provider: Listening;
    let alice: ExampleHttp;

    beforeAll(async () => {
      store = await openSqlStore(dialect, 'http_flow');
      const { adapter } = store;
      provider = await serve((issuer) => createExampleProvider({ adapter, issuer }).app);
      alice = new ExampleHttp(provider.url);
      await alice.login('alice', 'alice-pass');
    });

    afterAll(async () => {
      await provider?.close();
      await store?.cleanup();
    });

    it('runs the authorization-code flow with PKCE, then rotates the refresh token', async () => {
      for (const confidential of [true, false]) {
        const app = await alice.registerApp({ confidential });
        expect(await store.adapter.findApplicationByClientId(app.clientId)).toMatchObject({
          id: app.id,
          confidential,
        });
        const { code, verifier, consentShown } = await alice.authorize(app, 'user repo');
        expect(consentShown).toBe(true);
        expect(await store.adapter.findTokenByHash(sha256Hex(code))).toMatchObject({
          kind: 'code',
          userId: '1',
          codeChallengeMethod: 'S256',
          consumedAt: null,
        });
        const exchanged = await alice.exchange(app, code, verifier);
        expect(exchanged.status).toBe(200);
        expect(exchanged.headers.get('cache-control')).toBe('no-store');
        expect(exchanged.body).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: 'user repo' });
        const accessToken = field(exchanged, 'access_token');
        const refreshToken = field(exchanged, 'refresh_token');
        expect((await store.adapter.findTokenByHash(sha256Hex(code)))?.consumedAt).toBeInstanceOf(Date);
        const me = await alice.apiUser(accessToken);
        expect(me.body).toEqual({ id: '1', login: 'alice' });
        expect(me.headers.get('x-oauth-scopes')).toBe('user, repo');

        const rotated = await alice.refresh(app, refreshToken);
        expect(rotated.status).toBe(200);
        expect(field(rotated, 'refresh_token')).not.toBe(refreshToken);
        expect((await alice.apiUser(field(rotated, 'access_token'))).status).toBe(200);
        const again = await alice.exchange(app, code, verifier);
        expect(again.status).toBe(400);
        expect(again.body.error).toBe('invalid_grant');
      }
    });

    it(`${PARALLEL} concurrent exchanges of one code: exactly one 200, and the replays revoke its tokens`, async () => {
      const app = await alice.registerApp();
      for (let round = 0; round < 3; round += 1) {
        const { code, verifier } = await alice.authorize(app);
        const answers = await Promise.all(
          Array.from({ length: PARALLEL }, () => alice.exchange(app, code, verifier)),
        );
        expect(countStatuses(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
        const winner = answers.find((answer) => answer.status === 200);
        if (winner === undefined) throw new Error('no winner');
        // RFC 6749 §4.1.2: a code used more than once revokes the tokens issued from it.
        expect((await alice.apiUser(field(winner, 'access_token'))).status).toBe(401);
        const codeRecord = await store.adapter.findTokenByHash(sha256Hex(code));
        expect(codeRecord?.consumedAt).toBeInstanceOf(Date);
        expect(await store.adapter.listTokens({ familyId: codeRecord?.id ?? 'missing' })).toEqual([]);
      }
    });

    it(`${PARALLEL} concurrent uses of one refresh token (no grace): exactly one 200, then the grant is revoked`, async () => {
      const app = await alice.registerApp();
      const { accessToken, refreshToken } = await alice.issueTokens(app);
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => alice.refresh(app, refreshToken)),
      );
      expect(countStatuses(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
      const winner = answers.find((answer) => answer.status === 200);
      if (winner === undefined) throw new Error('no winner');
      // RFC 9700 §4.14.2: the losers presented a rotated token, a replay: the whole grant goes.
      expect((await alice.apiUser(field(winner, 'access_token'))).status).toBe(401);
      expect((await alice.apiUser(accessToken)).status).toBe(401);
      expect((await alice.refresh(app, field(winner, 'refresh_token'))).status).toBe(400);
    });

    it('DELETE /settings/api/authorizations/:client_id refuses every token of the grant, and only those', async () => {
      const app = await alice.registerApp();
      const first = await alice.issueTokens(app);
      const second = await alice.issueTokens(app);
      const kept = await alice.issueTokens(await alice.registerApp());
      const deleted = await alice.send(`/settings/api/authorizations/${app.clientId}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      for (const token of [first.accessToken, second.accessToken]) {
        expect((await alice.apiUser(token)).status).toBe(401);
      }
      for (const token of [first.refreshToken, second.refreshToken]) {
        expect((await alice.refresh(app, token)).body.error).toBe('invalid_grant');
      }
      expect((await alice.apiUser(kept.accessToken)).status).toBe(200);
      expect((await alice.authorize(app)).consentShown).toBe(true);
    });

    it('DELETE /settings/api/applications/:id refuses every token issued to it', async () => {
      const app = await alice.registerApp();
      const user = await alice.issueTokens(app);
      const machine = await alice.token(app, { grant_type: 'client_credentials', scope: 'repo' });
      expect(machine.status).toBe(200);
      const machineToken = field(machine, 'access_token');
      const deleted = await alice.send(`/settings/api/applications/${app.id}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      expect((await alice.apiUser(user.accessToken)).status).toBe(401);
      expect((await alice.apiUser(machineToken)).status).toBe(401);
      expect((await alice.refresh(app, user.refreshToken)).body.error).toBe('invalid_client');
      for (const token of [user.accessToken, user.refreshToken, machineToken]) {
        expect((await store.adapter.findTokenByHash(sha256Hex(token)))?.revokedAt).toBeInstanceOf(Date);
      }
      expect(await store.adapter.findApplicationById(app.id)).toBeNull();
      expect(await store.adapter.findGrant('1', app.id)).toBeNull();
    });

    it("POST /oauth/revoke of a refresh token refuses its grant's access tokens", async () => {
      const app = await alice.registerApp();
      const first = await alice.issueTokens(app);
      const second = await alice.issueTokens(app);
      const other = await alice.issueTokens(await alice.registerApp());
      expect((await alice.revoke(app, first.refreshToken)).status).toBe(200);
      for (const token of [first.accessToken, second.accessToken]) {
        expect((await alice.apiUser(token)).status).toBe(401);
      }
      expect((await alice.refresh(app, second.refreshToken)).status).toBe(400);
      expect((await alice.apiUser(other.accessToken)).status).toBe(200);
    });

    /**
     * `refreshTokenReuseGraceSeconds` > 0: the example provider does not take the option, so this
     * uses the HTTP test harness with the SQL adapter in place of its memory adapter. Within the
     * window every presentation of a rotated refresh token gets a fresh pair; after it, one more is a
     * replay that revokes the grant, the pairs issued inside the window included.
     */
    it(`refresh grace window: ${PARALLEL} concurrent uses succeed, a use after the window revokes the grant`, async () => {
      const GRACE_SECONDS = 10;
      const t = makeTestProvider({
        wrapAdapter: () => store.adapter,
        refreshTokenReuseGraceSeconds: GRACE_SECONDS,
      });
      const client: HarnessApp = await t.registerApp();
      const issued = await t.issueTokens({ client, scope: 'repo' });
      const refreshToken = String(issued.refresh_token);
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => t.refresh(client, refreshToken)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(PARALLEL).fill(200));
      const pairs = answers.map((answer) => ({
        access: String(answer.body.access_token),
        refresh: String(answer.body.refresh_token),
      }));
      expect(new Set(pairs.map((pair) => pair.refresh)).size).toBe(PARALLEL);
      const record = await store.adapter.findTokenByHash(sha256Hex(refreshToken));
      expect(record?.consumedAt).toBeInstanceOf(Date);
      expect(record?.revokedAt).toBeNull();
      const me = (token: string) => request(t.app).get('/api/me').set('Authorization', bearer(token));
      for (const pair of pairs) expect((await me(pair.access)).status).toBe(200);

      const consumedAt = record?.consumedAt?.getTime() ?? 0;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, consumedAt + GRACE_SECONDS * 1000 + 100 - Date.now())),
      );
      const late = await t.refresh(client, refreshToken);
      expect(late.status).toBe(400);
      expect(late.body.error).toBe('invalid_grant');
      for (const pair of pairs) expect((await me(pair.access)).status).toBe(401);
    }, 60_000);
  },
);
