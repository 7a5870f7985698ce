/**
 * The example provider on the Mongo adapter (FerretDB from the global setup, or MONGODB_URI),
 * driven over real sockets: the authorization-code flow with PKCE, single use of codes and
 * refresh tokens under 20 concurrent requests, the refresh grace window, and revocation cascades
 * (DESIGN "OAuth endpoints", "Applications, authorizations, personal tokens").
 */
import type { Connection } from 'mongoose';
import request from 'supertest';
import { MongoAdapter } from '../../adapters/mongo';
import { createExampleProvider } from '../../examples/provider/app';
import { sha256Hex } from '../../lib/tokens/hash';
import { type Answer, ExampleHttp, field, type Listening, serve } from '../support/example-http';
import { connect, dropAndClose } from '../support/mongo-server';
import { bearer, type RegisteredApp as HarnessApp, makeTestProvider } from '../support/provider-harness';

const PARALLEL = 20;

let connection: Connection;
let adapter: MongoAdapter;
let provider: Listening;
/** alice's browser at the provider. */
let alice: ExampleHttp;

beforeAll(async () => {
  connection = await connect('http_flow');
  adapter = new MongoAdapter({ connection, logger: () => {} });
  await adapter.ensureIndexes();
  provider = await serve((issuer) => createExampleProvider({ adapter, issuer }).app);
  alice = new ExampleHttp(provider.url);
  await alice.login('alice', 'alice-pass');
});

afterAll(async () => {
  await provider?.close();
  if (connection !== undefined) await dropAndClose(connection);
});

function countStatuses(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 200 ? '200' : `${answer.status} ${String(answer.body.error)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('the example provider on MongoDB, over HTTP', () => {
  it('runs the authorization-code flow with PKCE, then rotates the refresh token', async () => {
    for (const confidential of [true, false]) {
      const app = await alice.registerApp({ confidential });
      expect(app.clientSecret === null).toBe(!confidential);
      expect(await adapter.findApplicationByClientId(app.clientId)).toMatchObject({
        id: app.id,
        confidential,
      });

      const { code, verifier, consentShown } = await alice.authorize(app, 'user repo');
      expect(consentShown).toBe(true);
      expect(code).toMatch(/^eoc_/);
      // Stored by hash only, bound to the PKCE challenge.
      expect(await adapter.findTokenByHash(sha256Hex(code))).toMatchObject({
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
      expect(accessToken).toMatch(/^eoa_/);
      expect(refreshToken).toMatch(/^eor_/);
      expect((await adapter.findTokenByHash(sha256Hex(code)))?.consumedAt).toBeInstanceOf(Date);

      const me = await alice.apiUser(accessToken);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: '1', login: 'alice' });
      expect(me.headers.get('x-oauth-scopes')).toBe('user, repo');

      const rotated = await alice.refresh(app, refreshToken);
      expect(rotated.status).toBe(200);
      const newRefresh = field(rotated, 'refresh_token');
      expect(newRefresh).not.toBe(refreshToken);
      expect((await alice.apiUser(field(rotated, 'access_token'))).status).toBe(200);
      // The code is single-use: a second exchange fails.
      const again = await alice.exchange(app, code, verifier);
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
    }
  });

  it(`${PARALLEL} concurrent exchanges of one code: exactly one 200, the others invalid_grant`, async () => {
    const app = await alice.registerApp();
    // A few rounds: a race that is lost only sometimes must still show up.
    for (let round = 0; round < 3; round += 1) {
      const { code, verifier } = await alice.authorize(app);
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => alice.exchange(app, code, verifier)),
      );
      expect(countStatuses(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
      // RFC 6749 §4.1.2: a code used more than once revokes the tokens issued from it, the
      // winner's included (the losers' replays are detected after the winner stored its tokens).
      const winner = answers.find((answer) => answer.status === 200);
      if (winner === undefined) throw new Error('no winner');
      expect((await alice.apiUser(field(winner, 'access_token'))).status).toBe(401);
      const codeRecord = await adapter.findTokenByHash(sha256Hex(code));
      expect(codeRecord?.consumedAt).toBeInstanceOf(Date);
      // Every token of the code's family (the code and what each exchange stored) is revoked.
      expect(await adapter.listTokens({ familyId: codeRecord?.id ?? 'missing' })).toEqual([]);
    }
  });

  it(`${PARALLEL} concurrent uses of one refresh token (no grace): exactly one 200`, async () => {
    const app = await alice.registerApp();
    const { accessToken, refreshToken } = await alice.issueTokens(app);
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () => alice.refresh(app, refreshToken)),
    );
    expect(countStatuses(answers)).toEqual({ '200': 1, '400 invalid_grant': PARALLEL - 1 });
    // The losers presented a rotated token: a replay, so the whole grant is revoked (RFC 9700
    // §4.14.2), including what the winner received.
    const winner = answers.find((answer) => answer.status === 200);
    if (winner === undefined) throw new Error('no winner');
    expect((await alice.apiUser(field(winner, 'access_token'))).status).toBe(401);
    expect((await alice.apiUser(accessToken)).status).toBe(401);
    expect((await alice.refresh(app, field(winner, 'refresh_token'))).status).toBe(400);
  });

  it('DELETE /settings/api/authorizations/:client_id refuses the access and refresh tokens of the grant', async () => {
    const app = await alice.registerApp();
    const first = await alice.issueTokens(app);
    const second = await alice.issueTokens(app); // consent skipped: the same grant
    const kept = await alice.issueTokens(await alice.registerApp()); // another application
    for (const token of [first.accessToken, second.accessToken, kept.accessToken]) {
      expect((await alice.apiUser(token)).status).toBe(200);
    }
    const listed = await alice.send('/settings/api/authorizations');
    expect(JSON.parse(listed.text)).toEqual(
      expect.arrayContaining([expect.objectContaining({ client_id: app.clientId })]),
    );

    const deleted = await alice.send(`/settings/api/authorizations/${app.clientId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    for (const token of [first.accessToken, second.accessToken]) {
      const answer = await alice.apiUser(token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    for (const token of [first.refreshToken, second.refreshToken]) {
      const answer = await alice.refresh(app, token);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
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
    expect(machine.body.refresh_token).toBeUndefined();
    expect((await alice.apiUser(user.accessToken)).status).toBe(200);
    // A valid client_credentials token has no user: 403 from the example's handler, not 401.
    expect((await alice.apiUser(machineToken)).status).toBe(403);

    const deleted = await alice.send(`/settings/api/applications/${app.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await alice.apiUser(user.accessToken)).status).toBe(401);
    expect((await alice.apiUser(machineToken)).status).toBe(401);
    const refresh = await alice.refresh(app, user.refreshToken);
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe('invalid_client');
    for (const token of [user.accessToken, user.refreshToken, machineToken]) {
      expect((await adapter.findTokenByHash(sha256Hex(token)))?.revokedAt).toBeInstanceOf(Date);
    }
    expect(await adapter.findApplicationById(app.id)).toBeNull();
  });

  it("POST /oauth/revoke of a refresh token refuses its grant's access tokens", async () => {
    const app = await alice.registerApp();
    const first = await alice.issueTokens(app);
    const second = await alice.issueTokens(app);
    const other = await alice.issueTokens(await alice.registerApp());

    const revoked = await alice.revoke(app, first.refreshToken);
    expect(revoked.status).toBe(200);
    for (const token of [first.accessToken, second.accessToken]) {
      expect((await alice.apiUser(token)).status).toBe(401);
    }
    expect((await alice.refresh(app, second.refreshToken)).status).toBe(400);
    expect((await alice.apiUser(other.accessToken)).status).toBe(200);
    // Revoking again, or a token of another client, answers 200 and changes nothing (RFC 7009 §2.2).
    expect((await alice.revoke(app, first.refreshToken)).status).toBe(200);
    expect((await alice.revoke(app, other.accessToken)).status).toBe(200);
    expect((await alice.apiUser(other.accessToken)).status).toBe(200);
  });
});

/**
 * `refreshTokenReuseGraceSeconds` > 0 on MongoDB. The example provider does not take the
 * option, so this uses the HTTP test harness with a MongoAdapter in place of its memory adapter.
 *
 * What is asserted: within the window, every presentation of an already rotated refresh token
 * succeeds (one consumes it, the others are `within_grace`) and each gets a fresh, working token
 * pair; once the window has passed, presenting it again is a replay: 400 `invalid_grant`, and
 * every token of the grant is revoked, those issued inside the window included.
 */
describe('refresh token grace window on MongoDB', () => {
  const GRACE_SECONDS = 3;
  let graceAdapter: MongoAdapter;
  let t: ReturnType<typeof makeTestProvider>;
  let client: HarnessApp;

  beforeAll(async () => {
    graceAdapter = new MongoAdapter({ connection, collectionPrefix: 'grace_', logger: () => {} });
    t = makeTestProvider({
      wrapAdapter: () => graceAdapter,
      refreshTokenReuseGraceSeconds: GRACE_SECONDS,
    });
    client = await t.registerApp();
  });

  it(`${PARALLEL} concurrent uses within the window all succeed; a use after it revokes the grant`, async () => {
    const issued = await t.issueTokens({ client, scope: 'repo' });
    const refreshToken = String(issued.refresh_token);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () => t.refresh(client, refreshToken)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(PARALLEL).fill(200));
    const pairs = answers.map((answer) => ({
      access: String(answer.body.access_token),
      refresh: String(answer.body.refresh_token),
    }));
    expect(new Set(pairs.map((pair) => pair.refresh)).size).toBe(PARALLEL);
    const record = await graceAdapter.findTokenByHash(sha256Hex(refreshToken));
    expect(record?.consumedAt).toBeInstanceOf(Date);
    expect(record?.revokedAt).toBeNull();
    const me = (token: string) => request(t.app).get('/api/me').set('Authorization', bearer(token));
    for (const pair of pairs) expect((await me(pair.access)).status).toBe(200);
    // A lost response retried within the window: still fine.
    expect(Date.now() - started).toBeLessThan(GRACE_SECONDS * 1000);
    expect((await t.refresh(client, refreshToken)).status).toBe(200);

    // After the window: a replay.
    const consumedAt = record?.consumedAt?.getTime() ?? 0;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, consumedAt + GRACE_SECONDS * 1000 + 100 - Date.now())),
    );
    const late = await t.refresh(client, refreshToken);
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('invalid_grant');
    for (const pair of pairs) expect((await me(pair.access)).status).toBe(401);
    for (const pair of [pairs[0], pairs[PARALLEL - 1]]) {
      const renewed = await t.refresh(client, pair?.refresh ?? '');
      expect(renewed.status).toBe(400);
      expect(renewed.body.error).toBe('invalid_grant');
    }
  });
});
