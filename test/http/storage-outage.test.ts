/**
 * DESIGN "Errors and bad input": a storage outage answers 503 `temporarily_unavailable` (RFC 6749
 * §4.1.2.1 / §5.2), never a 500 with internals, and the provider recovers by itself.
 */
import request from 'supertest';
import type { MemoryAdapter } from '../../adapters/memory';
import {
  authorizeQuery,
  bearer,
  makeTestProvider,
  type RegisteredApp,
  type TestProvider,
  USER_HEADER,
} from '../support/provider-harness';

interface Outage {
  down: boolean;
  /** When set, only these methods fail. */
  only?: string;
}

/** A memory adapter whose methods reject while `outage.down` is true. */
function flaky(inner: MemoryAdapter, outage: Outage): MemoryAdapter {
  return new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        outage.down && (outage.only === undefined || outage.only === key)
          ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:27017 (simulated outage)'))
          : Reflect.apply(value, target, args);
    },
  });
}

const outage: Outage = { down: false };
let t: TestProvider;
let client: RegisteredApp;
let tokens: Record<string, unknown>;

beforeEach(async () => {
  outage.down = false;
  outage.only = undefined;
  t = makeTestProvider({ wrapAdapter: (adapter) => flaky(adapter, outage) });
  client = await t.registerApp();
  tokens = await t.issueTokens({ client, scope: 'repo' });
});

function expectUnavailable(response: request.Response) {
  expect(response.status).toBe(503);
  expect(response.body.error).toBe('temporarily_unavailable');
  expect(response.text).not.toContain('ECONNREFUSED');
  expect(response.text).not.toMatch(/\n\s+at /);
}

describe('storage outage', () => {
  it('the token endpoint answers 503 temporarily_unavailable, then recovers', async () => {
    outage.down = true;
    const refresh = await t.refresh(client, String(tokens.refresh_token));
    expectUnavailable(refresh.response);
    expect(refresh.response.headers['cache-control']).toBe('no-store');
    expect(refresh.response.headers['retry-after']).toEqual(expect.any(String));
    const code = await t.exchange({ client, code: t.provider.options.tokens.generate('code') });
    expectUnavailable(code.response);
    // The failure was reported to the host, with the cause.
    expect(String(t.errors[0])).toContain('ECONNREFUSED');

    outage.down = false;
    const again = await t.refresh(client, String(tokens.refresh_token));
    expect(again.status).toBe(200);
    expect(again.body.access_token).toMatch(/^eoa_/);
  });

  it('the guards answer 503 temporarily_unavailable, then recover', async () => {
    outage.down = true;
    const me = await request(t.app).get('/api/me').set('Authorization', bearer(tokens.access_token));
    expectUnavailable(me);
    const repos = await request(t.app).get('/api/repos').set('Authorization', bearer(tokens.access_token));
    expectUnavailable(repos);

    outage.down = false;
    expect(
      (await request(t.app).get('/api/me').set('Authorization', bearer(tokens.access_token))).status,
    ).toBe(200);
    expect(
      (await request(t.app).get('/api/repos').set('Authorization', bearer(tokens.access_token))).status,
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
    const down = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client }))
      .set(USER_HEADER, 'alice');
    expect(down.status).toBe(503);
    expect(down.headers.location).toBeUndefined();
    expect(down.text).toContain('temporarily_unavailable');
    expect(down.text).not.toContain('ECONNREFUSED');

    outage.down = false;
    const up = await request(t.app)
      .get('/oauth/authorize')
      .query(authorizeQuery({ client }))
      .set(USER_HEADER, 'alice');
    expect([200, 302]).toContain(up.status);
  });

  it('the settings API answers 503, then recovers', async () => {
    outage.down = true;
    expectUnavailable(await request(t.app).get('/settings/api/applications').set(USER_HEADER, 'owner'));
    outage.down = false;
    const list = await request(t.app).get('/settings/api/applications').set(USER_HEADER, 'owner');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
  });

  it('nothing is half-written: a code exchange that failed in an outage can be retried', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    outage.down = true;
    expectUnavailable((await t.exchange({ client, code })).response);
    outage.down = false;
    const retried = await t.exchange({ client, code });
    expect(retried.status).toBe(200);
    expect(
      (await request(t.app).get('/api/me').set('Authorization', bearer(retried.body.access_token))).status,
    ).toBe(200);
  });

  it('nothing is half-written: storage failing between issuing and consuming leaves the code usable', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    outage.only = 'consumeToken';
    outage.down = true;
    expectUnavailable((await t.exchange({ client, code })).response);
    outage.down = false;
    expect((await t.exchange({ client, code })).status).toBe(200);
    expect((await t.exchange({ client, code })).status).toBe(400);
  });
});
