/**
 * DESIGN / RFC 6749 §4.1.2 and §10.5: authorization codes are single-use; a second use fails and
 * revokes what the first use issued; concurrent exchanges of one code yield exactly one success.
 */
import request from 'supertest';
import { bearer, makeTestProvider, type RegisteredApp, type TestProvider } from '../support/provider-harness';

let t: TestProvider;
let client: RegisteredApp;

beforeEach(async () => {
  t = makeTestProvider();
  client = await t.registerApp();
});

async function guardStatus(token: unknown): Promise<number> {
  return (await request(t.app).get('/api/me').set('Authorization', bearer(token))).status;
}

describe('authorization code reuse', () => {
  it('a second exchange → invalid_grant, and the tokens of the first exchange are refused from then on', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const first = await t.exchange({ client, code });
    expect(first.status).toBe(200);
    expect(await guardStatus(first.body.access_token)).toBe(200);

    const second = await t.exchange({ client, code });
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(second.body.access_token).toBeUndefined();

    expect(await guardStatus(first.body.access_token)).toBe(401);
    const refreshed = await t.refresh(client, String(first.body.refresh_token));
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('a replay revokes only the tokens descending from that code, not other authorizations', async () => {
    const other = await t.issueTokens({ client, scope: 'user', user: 'bob' });
    const code = await t.authorize({ client, scope: 'repo' });
    expect((await t.exchange({ client, code })).status).toBe(200);
    expect((await t.exchange({ client, code })).status).toBe(400);
    expect(await guardStatus(other.access_token)).toBe(200);
  });

  it('tokens refreshed from the first exchange are revoked by a replay too', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const first = await t.exchange({ client, code });
    const rotated = await t.refresh(client, String(first.body.refresh_token));
    expect(rotated.status).toBe(200);
    expect(await guardStatus(rotated.body.access_token)).toBe(200);
    expect((await t.exchange({ client, code })).status).toBe(400);
    expect(await guardStatus(rotated.body.access_token)).toBe(401);
    expect((await t.refresh(client, String(rotated.body.refresh_token))).status).toBe(400);
  });

  it('20 concurrent exchanges of one code → exactly one 200, the rest invalid_grant', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.exchange({ client, code })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    for (const answer of answers.filter((a) => a.status === 400))
      expect(answer.body.error).toBe('invalid_grant');
    // The race is itself a replay: whatever was issued in it does not survive.
    const winner = answers.find((answer) => answer.status === 200);
    expect(await guardStatus(winner?.body.access_token)).toBe(401);
    // Nothing else was left behind: no live token of this client at all.
    const live = await t.adapter.listTokens({ applicationId: client.application.id });
    expect(live.filter((record) => record.kind === 'access' || record.kind === 'refresh')).toHaveLength(0);
  });

  it('a failed exchange (wrong redirect_uri) does not consume the code', async () => {
    const code = await t.authorize({ client });
    expect((await t.exchange({ client, code, redirectUri: 'https://client.example/x' })).status).toBe(400);
    expect((await t.exchange({ client, code })).status).toBe(200);
  });
});
