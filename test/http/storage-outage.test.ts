/**
 * DESIGN "Errors and bad input": a storage outage answers 503 `temporarily_unavailable` (RFC 6749
 * §4.1.2.1 / §5.2), never a 500 with internals, and the provider recovers by itself.
 */
import request from 'supertest';
import { interceptAdapter } from '../support/adapters';
import type { Tokens } from '../support/flows';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, bearer } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

interface Outage {
  down: boolean;
  /** When set, only this method fails. */
  only?: string;
}

const outage: Outage = { down: false };
let t: TestHost;
let client: RegisteredApp;
let tokens: Tokens;

beforeEach(async () => {
  outage.down = false;
  outage.only = undefined;
  // Every storage call rejects while the outage lasts, as a driver does when its server is gone.
  t = await createTestHost({
    wrapAdapter: (adapter) =>
      interceptAdapter(adapter, (method, proceed) =>
        outage.down && (outage.only === undefined || outage.only === method)
          ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:27017 (simulated outage)'))
          : proceed(),
      ),
  });
  client = await t.registerApp();
  tokens = await t.issueTokens({ client, scope: 'repo' });
});

function expectUnavailable(response: {
  status: number;
  text: string;
  headers: Record<string, string | undefined>;
}) {
  expect(response.status).toBe(503);
  expect(JSON.parse(response.text).error).toBe('temporarily_unavailable');
  expect(response.text).not.toContain('ECONNREFUSED');
  expect(response.text).not.toMatch(/\n\s+at /);
}

describe('storage outage', () => {
  it('the token endpoint answers 503 temporarily_unavailable, then recovers', async () => {
    outage.down = true;
    const refresh = await t.refresh(client, tokens.refreshToken);
    expectUnavailable(refresh);
    expect(refresh.headers['cache-control']).toBe('no-store');
    expect(refresh.headers['retry-after']).toEqual(expect.any(String));
    const code = await t.exchange({ client, code: t.provider.options.tokens.generate('code') });
    expectUnavailable(code);
    // The failure was reported to the host, with the cause.
    expect(String(t.errors[0])).toContain('ECONNREFUSED');

    outage.down = false;
    const again = await t.refresh(client, tokens.refreshToken);
    expect(again.status).toBe(200);
    expect(again.body.access_token).toMatch(/^eoa_/);
  });

  it('the guards answer 503 temporarily_unavailable, then recover', async () => {
    outage.down = true;
    const me = await t.me(tokens.accessToken);
    expectUnavailable(me);
    const repos = await request(t.app).get('/api/repos').set('Authorization', bearer(tokens.accessToken));
    expectUnavailable(repos);

    outage.down = false;
    expect((await t.me(tokens.accessToken)).status).toBe(200);
    expect(
      (await request(t.app).get('/api/repos').set('Authorization', bearer(tokens.accessToken))).status,
    ).toBe(200);
  });

  it('a malformed token is refused without touching storage (401, not 503)', async () => {
    outage.down = true;
    const response = await request(t.app).get('/api/me').set('Authorization', 'Bearer eoa_not-a-real-token');
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
  });

  it('the authorization endpoint answers 503 (page, no redirect), then recovers', async () => {
    outage.down = true;
    const down = await openAuthorize(t.browser(), authorizeQuery({ client }));
    expect(down.status).toBe(503);
    expect(down.headers.location).toBeUndefined();
    expect(down.text).toContain('temporarily_unavailable');
    expect(down.text).not.toContain('ECONNREFUSED');

    outage.down = false;
    const up = await openAuthorize(t.browser(), authorizeQuery({ client }));
    expect([200, 302]).toContain(up.status);
  });

  it('the settings API answers 503, then recovers', async () => {
    outage.down = true;
    expectUnavailable(await t.browser('owner').send('/settings/api/applications'));
    outage.down = false;
    const list = await t.browser('owner').send('/settings/api/applications');
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(1);
  });

  it('nothing is half-written: a code exchange that failed in an outage can be retried', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    outage.down = true;
    expectUnavailable(await t.exchange({ client, code }));
    outage.down = false;
    const retried = await t.exchange({ client, code });
    expect(retried.status).toBe(200);
    expect((await t.me(retried.body.access_token)).status).toBe(200);
  });

  it('nothing is half-written: storage failing between issuing and consuming leaves the code usable', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    outage.only = 'consumeToken';
    outage.down = true;
    expectUnavailable(await t.exchange({ client, code }));
    outage.down = false;
    expect((await t.exchange({ client, code })).status).toBe(200);
    expect((await t.exchange({ client, code })).status).toBe(400);
  });
});
