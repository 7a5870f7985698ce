/**
 * The `limits` option (README "Security defaults"), on the adapter under test: every refusal is a
 * 429 with `Retry-After` and the RFC 6749 §5.2 error shape (or 403 `limit_exceeded` for a cap on
 * what a user keeps), observable as `limit.exceeded`, never a 5xx; a counter store that fails
 * answers 503 (limits fail closed).
 */
import type { ProviderEventMap } from '../../lib';
import { DEFAULT_LIMITS } from '../../lib/limits/limit-options';
import type { RateLimitCounter, StorageAdapter } from '../../lib/storage/storage-adapter';
import { adapterUnderTest } from '../support/adapters';
import { expectOAuthError } from '../support/assertions';
import { DEVICE_GRANT, WITH_DEVICE_GRANT } from '../support/fixtures';
import { createTestHost, type TestHost } from '../support/test-host';
import type { Answer } from '../support/user-agent';

function expect429(answer: Answer, code = 'too_many_requests'): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(answer.body).toEqual({ error: code, error_description: expect.any(String) });
}

function record<K extends keyof ProviderEventMap>(t: TestHost, name: K): ProviderEventMap[K][] {
  const seen: ProviderEventMap[K][] = [];
  t.provider.events.on(name, (event) => seen.push(event));
  return seen;
}

describe('limits: failed client authentications', () => {
  it('a burst of wrong secrets for one client meets 429 with Retry-After within 100 tries, then even the right secret waits', async () => {
    const t = await createTestHost();
    const client = await t.registerApp();
    const failures = record(t, 'client.authentication_failed');
    const exceeded = record(t, 'limit.exceeded');
    const wrong = { ...client, clientSecret: 'eos_wrong' };
    let tries = 0;
    let answer: Answer | null = null;
    while (tries < 100) {
      tries += 1;
      answer = await t.token(wrong, { grant_type: 'client_credentials' });
      if (answer.status !== 401) break;
    }
    expect(answer).not.toBeNull();
    expect429(answer as Answer);
    expect(tries).toBe((DEFAULT_LIMITS.failedClientAuthentications?.points ?? 0) + 1);
    expect(failures[0]).toEqual({
      clientId: client.clientId,
      method: 'client_secret_basic',
      reason: 'invalid_secret',
    });
    expect(JSON.stringify(failures)).not.toContain('eos_wrong');
    expect(exceeded).toContainEqual({
      limit: 'client_authentication.failures',
      keyKind: 'client',
      clientId: client.clientId,
      userId: null,
      address: null,
    });
    expect429(await t.token(client, { grant_type: 'client_credentials' }));
    // Another client is not affected.
    const other = await t.registerApp();
    expect((await t.token(other, { grant_type: 'client_credentials' })).status).toBe(200);
    expect(t.errors).toEqual([]);
  });

  it('names why an authentication failed: unknown client, missing secret', async () => {
    const t = await createTestHost();
    const client = await t.registerApp();
    const failures = record(t, 'client.authentication_failed');
    await t.token({ clientId: 'nobody', clientSecret: 'x' }, { grant_type: 'client_credentials' }, 'body');
    await t.token({ ...client, clientSecret: null }, { grant_type: 'client_credentials' }, 'none');
    expect(failures.map((failure) => [failure.method, failure.reason])).toEqual([
      ['client_secret_post', 'unknown_client'],
      ['none', 'missing_secret'],
    ]);
  });
});

describe('limits: per address and per client', () => {
  it('per address: past the limit 429, with a pseudonym of the address in the event, never the address', async () => {
    const t = await createTestHost({ limits: { perAddress: { points: 5, durationSeconds: 60 } } });
    const client = await t.registerApp();
    const exceeded = record(t, 'limit.exceeded');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await t.token(client, { grant_type: 'client_credentials' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect429(await t.token(client, { grant_type: 'client_credentials' }));
    // Each endpoint has its own budget.
    expect((await t.postAsClient('/oauth/introspect', client, { token: 'x' })).status).toBe(200);
    expect(exceeded[0]).toEqual({
      limit: 'token.address',
      keyKind: 'address',
      clientId: null,
      userId: null,
      address: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(exceeded)).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('per client: past the limit 429 for that client only', async () => {
    const t = await createTestHost({ limits: { perClient: { points: 3, durationSeconds: 60 } } });
    const [first, second] = [await t.registerApp(), await t.registerApp()];
    for (let i = 0; i < 3; i += 1)
      expect((await t.token(first, { grant_type: 'client_credentials' })).status).toBe(200);
    expect429(await t.token(first, { grant_type: 'client_credentials' }));
    expect((await t.token(second, { grant_type: 'client_credentials' })).status).toBe(200);
  });

  it('limits: false turns every limit off', async () => {
    const t = await createTestHost({ limits: false });
    const client = await t.registerApp();
    const wrong = { ...client, clientSecret: 'eos_wrong' };
    for (let i = 0; i < 40; i += 1)
      expect((await t.token(wrong, { grant_type: 'client_credentials' })).status).toBe(401);
  });
});

describe('limits: outstanding device codes per client', () => {
  it('a flood of device codes for one client meets 429 within 2,000 (finding 1), and nothing reaches onError', async () => {
    // The library's default on memory; a smaller cap on database adapters keeps the run short.
    const cap = adapterUnderTest().name === 'memory' ? (DEFAULT_LIMITS.deviceCodesPerClient ?? 0) : 100;
    const t = await createTestHost({ grantTypes: WITH_DEVICE_GRANT, limits: { deviceCodesPerClient: cap } });
    const client = await t.registerApp({ confidential: false });
    let answer: Answer | null = null;
    let sent = 0;
    while (sent < 2000) {
      sent += 1;
      answer = await t.postAsClient('/oauth/device/code', client, {});
      if (answer.status !== 200) break;
    }
    expect429(answer as Answer);
    expect(sent).toBe(cap + 1);
    // What is stored stays bounded: two records per accepted request.
    const stored = await t.adapter.listTokens({ applicationId: client.id, kind: 'device' });
    expect(stored.length).toBe(2 * (sent - 1));
    expect(t.errors).toEqual([]);
    expect(DEVICE_GRANT).toContain('device_code');
  }, 120_000);
});

describe('limits: a refused device authorization spends nothing', () => {
  it('requests refused for their scope (invalid_scope) do not count towards the cap', async () => {
    const cap = 3;
    const t = await createTestHost({ grantTypes: WITH_DEVICE_GRANT, limits: { deviceCodesPerClient: cap } });
    const client = await t.registerApp({ confidential: false });
    for (const scope of ['nope', 'ci:status', 'nope repo', 'nope', 'ci:status']) {
      expectOAuthError(await t.postAsClient('/oauth/device/code', client, { scope }), 400, 'invalid_scope');
    }
    for (let i = 0; i < cap; i += 1) {
      expect((await t.postAsClient('/oauth/device/code', client, { scope: 'repo' })).status).toBe(200);
    }
    expect429(await t.postAsClient('/oauth/device/code', client, { scope: 'repo' }));
  });
});

describe('limits: codes and tokens per user × application × scope set (GitHub)', () => {
  it('past the cap the oldest are revoked; other scope sets keep theirs', async () => {
    const t = await createTestHost({ limits: { tokensPerScopeSet: 3 } });
    const client = await t.registerApp();
    const issued = [];
    for (let i = 0; i < 5; i += 1) issued.push(await t.issueTokens({ client, scope: 'repo' }));
    const other = await t.issueTokens({ client, scope: 'gist' });
    const statuses = await Promise.all(issued.map((tokens) => t.guardStatus(tokens.accessToken)));
    expect(statuses).toEqual([401, 401, 200, 200, 200]);
    expect(await t.guardStatus(other.accessToken)).toBe(200);
    expect((await t.refresh(client, issued[0]?.refreshToken ?? '')).status).toBe(400);
    expect((await t.refresh(client, issued[4]?.refreshToken ?? '')).status).toBe(200);
  });

  it('client_credentials tokens of one client and scope set are capped the same way', async () => {
    const t = await createTestHost({ limits: { tokensPerScopeSet: 2 } });
    const client = await t.registerApp();
    const tokens = [];
    for (let i = 0; i < 4; i += 1) {
      tokens.push(
        String(
          (await t.token(client, { grant_type: 'client_credentials', scope: 'ci:status' })).body.access_token,
        ),
      );
    }
    expect(await Promise.all(tokens.map((token) => t.guardStatus(token)))).toEqual([401, 401, 200, 200]);
  });

  it('two issuances pruning at once keep the newest within the cap, never revoke both', async () => {
    // Both token requests list (or, on an adapter with `pruneTokens`, prune) the access tokens of
    // the scope set only once both are stored, so each prunes from the same list: [a, b] over a
    // cap of 1. Each must revoke only the oldest (a), never "the oldest but mine" — a and b would
    // then revoke each other and neither live.
    let waiting: (() => void)[] = [];
    const bothListed = () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) {
          for (const release of waiting) release();
          waiting = [];
        }
      });
    let held = 0;
    const t = await createTestHost({
      limits: { tokensPerScopeSet: 1 },
      wrapAdapter: (adapter: StorageAdapter) =>
        new Proxy(adapter, {
          get: (target, key) => {
            const value: unknown = Reflect.get(target, key, target);
            if ((key !== 'listTokens' && key !== 'pruneTokens') || typeof value !== 'function') {
              return typeof value === 'function' ? value.bind(target) : value;
            }
            return async (argument: { familyId?: string; filter?: { familyId?: string } }) => {
              const family = key === 'listTokens' ? argument.familyId : argument.filter?.familyId;
              if (family !== undefined && held < 2) {
                held += 1;
                await bothListed();
              }
              return Reflect.apply(value, target, [argument]);
            };
          },
        }),
    });
    const client = await t.registerApp();
    const answers = await Promise.all(
      [1, 2].map(() => t.token(client, { grant_type: 'client_credentials', scope: 'ci:status' })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(held).toBe(2);
    const statuses = await Promise.all(answers.map((answer) => t.guardStatus(answer.body.access_token)));
    expect(statuses.sort()).toEqual([200, 401]);
    const live = await t.adapter.listTokens({ applicationId: client.id, kind: 'access' });
    expect(live).toHaveLength(1);
  });

  it('silent authorization codes are capped: a flood keeps only the newest', async () => {
    const t = await createTestHost({ limits: { tokensPerScopeSet: 2 } });
    const client = await t.registerApp();
    await t.issueTokens({ client, scope: 'repo' }); // consent remembered: the next ones are silent
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push(await t.authorize({ client, scope: 'repo' }));
    const live = await t.adapter.listTokens({ applicationId: client.id, kind: 'code' });
    expect(live.filter((code) => code.consumedAt === null && code.revokedAt === null)).toHaveLength(2);
    expect((await t.exchange({ client, code: codes[0] ?? '' })).status).toBe(400);
    expect((await t.exchange({ client, code: codes[3] ?? '' })).status).toBe(200);
  });
});

describe('limits: what one user may keep', () => {
  it('applications per user: past the cap 403 limit_exceeded, in the API and the service', async () => {
    const t = await createTestHost({ limits: { applicationsPerUser: 2 } });
    const alice = t.browser('alice');
    const body = { name: 'A', homepage_url: 'https://a.example', redirect_uris: ['https://a.example/cb'] };
    expect((await alice.send('/settings/api/applications', { json: body })).status).toBe(201);
    expect((await alice.send('/settings/api/applications', { json: body })).status).toBe(201);
    const refused = await alice.send('/settings/api/applications', { json: body });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('limit_exceeded');
    expect((await t.browser('bob').send('/settings/api/applications', { json: body })).status).toBe(201);
    // Host code creating applications without an owner is not counted.
    await t.registerApp({ owner: null });
    await t.registerApp({ owner: null });
    await t.registerApp({ owner: null });
  });

  it('personal tokens per user: past the cap 403 limit_exceeded; revoking one makes room', async () => {
    const t = await createTestHost({ limits: { personalTokensPerUser: 2 } });
    const alice = t.browser('alice');
    const ids = [];
    for (let i = 0; i < 2; i += 1) {
      ids.push(
        String(
          (await alice.send('/settings/api/tokens', { json: { name: `t${i}`, scopes: ['repo'] } })).body.id,
        ),
      );
    }
    const refused = await alice.send('/settings/api/tokens', { json: { name: 'more', scopes: ['repo'] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('limit_exceeded');
    await expect(t.provider.personalTokens.create('alice', 'script', ['repo'], null)).rejects.toThrow(
      /2 personal/,
    );
    const revoked = await alice.send(`/settings/api/tokens/${ids[0]}`, {
      method: 'DELETE',
      headers: { 'x-requested-with': 'fetch' },
    });
    expect(revoked.status).toBe(204);
    expect(
      (await alice.send('/settings/api/tokens', { json: { name: 'more', scopes: ['repo'] } })).status,
    ).toBe(201);
  });
});

describe('limits: a failing counter store', () => {
  it('answers 503 temporarily_unavailable (fail closed), reported to onError, never a 500', async () => {
    const failing: RateLimitCounter = {
      consume: async () => {
        throw new Error('counter store down');
      },
      peek: async () => {
        throw new Error('counter store down');
      },
    };
    const t = await createTestHost({
      wrapAdapter: (adapter: StorageAdapter) =>
        new Proxy(adapter, {
          get: (target, key) =>
            key === 'createRateLimiter'
              ? () => failing
              : ((value: unknown) => (typeof value === 'function' ? value.bind(target) : value))(
                  Reflect.get(target, key, target),
                ),
        }),
    });
    const client = await t.registerApp();
    const answer = await t.token(client, { grant_type: 'client_credentials' });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe('temporarily_unavailable');
    expect(answer.headers['retry-after']).toBeDefined();
    expect(String(t.errors[0])).toContain('counter store down');
    expect(adapterUnderTest().name).toBe(t.adapterName);
  });
});
