/**
 * Issue 17: a protected request makes at most one storage round trip in the steady state (its
 * token), on every adapter. The guard's application comes from a cache that forgets an
 * application as soon as this process changes it; another provider on the same store sees a
 * change within `applicationCacheSeconds`, and a deletion at once (it revokes the tokens first).
 * Round trips are counted by wrapping the adapter, never timed.
 */
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { sha256Hex } from '../../lib/tokens/hash';
import { given, interceptAdapter, type StorageMethod } from '../support/adapters';
import { advanceClock, freezeClock } from '../support/clock';
import { REDIRECT_URI } from '../support/fixtures';
import { createTestHost, type HostOptions, type RegisteredApp, type TestHost } from '../support/test-host';
import { field } from '../support/user-agent';

/** Every storage call the provider makes, by method name, in order. */
function counted(calls: StorageMethod[]) {
  return (adapter: StorageAdapter) =>
    interceptAdapter(adapter, (method, proceed) => {
      calls.push(method);
      return proceed();
    });
}

async function machineToken(t: TestHost, app: RegisteredApp): Promise<string> {
  const answer = await t.token(app, { grant_type: 'client_credentials' });
  expect(answer.status).toBe(200);
  return field(answer, 'access_token');
}

/**
 * The first use writes `last_used_at` without waiting for it (then at most once a minute): waits,
 * a bounded number of times, until the store has it, so the next reads see a touched token.
 */
async function touched(t: TestHost, token: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if ((await t.adapter.findTokenByHash(sha256Hex(token)))?.lastUsedAt) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('last_used_at was never written');
}

/** `count` protected requests with `token`; the storage calls they made. */
async function callsOf(t: TestHost, calls: StorageMethod[], token: string, count: number) {
  calls.length = 0;
  for (let i = 0; i < count; i += 1) {
    const answer = await t.client.send('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
  }
  return [...calls];
}

/**
 * A host whose storage calls are counted, an application and a client_credentials token, used
 * once: the first use reads the application and writes last_used_at (at most once a minute).
 */
async function usedToken(options: HostOptions = {}) {
  const calls: StorageMethod[] = [];
  const t = await createTestHost({ wrapAdapter: counted(calls), ...options });
  const app = await t.registerApp();
  const token = await machineToken(t, app);
  await callsOf(t, calls, token, 1);
  await touched(t, token);
  return { calls, t, app, token };
}

describe('storage round trips of a protected request', () => {
  it('one (the token) in the steady state, header or query token', async () => {
    const { calls, t, token } = await usedToken();
    expect(await callsOf(t, calls, token, 10)).toEqual(Array(10).fill('findTokenByHash'));
    calls.length = 0;
    const query = await t.client.send(`/api/me?access_token=${token}`);
    expect(query.status).toBe(200);
    expect(calls).toEqual(['findTokenByHash']);
  });

  it('two (token, then application) with applicationCacheSeconds: 0: the counter can tell', async () => {
    const { calls, t, token } = await usedToken({ applicationCacheSeconds: 0 });
    expect(await callsOf(t, calls, token, 3)).toEqual(
      Array(3).fill(['findTokenByHash', 'findApplicationById']).flat(),
    );
  });

  it('an application changed in this process (name, scopes, secret, trust) is read again on the next request', async () => {
    const { calls, t, app, token } = await usedToken({ applicationCacheSeconds: 300 });
    for (const change of [
      () => t.provider.applications.update(app.id, { name: 'Renamed' }),
      () => t.provider.applications.update(app.id, { scopes: ['user'] }),
      () => t.provider.applications.resetSecret(app.id),
      () => t.provider.applications.setTrust(app.id, { trust: 'first-party' }),
    ]) {
      await change();
      expect(await callsOf(t, calls, token, 2)).toEqual([
        'findTokenByHash',
        'findApplicationById',
        'findTokenByHash',
      ]);
    }
  });

  it('revocation and deletion in this process refuse the token on the very next request', async () => {
    const t = await createTestHost({ applicationCacheSeconds: 300 });
    const app = await t.registerApp();
    const revoked = await machineToken(t, app);
    const kept = await machineToken(t, app);
    expect(await t.guardStatus(revoked)).toBe(200);
    expect(await t.guardStatus(kept)).toBe(200);
    expect((await t.postAsClient('/oauth/revoke', app, { token: revoked })).status).toBe(200);
    expect(await t.guardStatus(revoked)).toBe(401);
    expect(await t.guardStatus(kept)).toBe(200);
    await expect(t.provider.applications.delete(app.id)).resolves.toBe(true);
    expect(await t.guardStatus(kept)).toBe(401);
  });

  it('a second provider on the same store: deletion at once, other changes within applicationCacheSeconds', async () => {
    const a = await createTestHost({ applicationCacheSeconds: 30 });
    const b = await createTestHost({ adapter: given(a.adapter, a.adapterName), applicationCacheSeconds: 30 });
    const app = await a.registerApp({ name: 'Before' });
    const token = await machineToken(a, app);
    const other = await machineToken(a, app);
    const clientIdAtB = async (value: string) => {
      const answer = await b.client.send('/api/me', { headers: { authorization: `Bearer ${value}` } });
      expect(answer.status).toBe(200);
      return answer.body.client_id;
    };
    expect(await clientIdAtB(token)).toBe(app.clientId);

    // B keeps the application it read for up to 30 s; A's change reaches B's guard after that.
    freezeClock();
    const reset = await a.provider.applications.update(app.id, { name: 'After' });
    expect(reset?.name).toBe('After');
    const calls: StorageMethod[] = [];
    const bCounted = await createTestHost({
      adapter: given(counted(calls)(a.adapter), a.adapterName),
      applicationCacheSeconds: 30,
    });
    await bCounted.client.send('/api/me', { headers: { authorization: `Bearer ${token}` } });
    await touched(a, token);
    calls.length = 0;
    await bCounted.client.send('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(calls).toEqual(['findTokenByHash']);
    advanceClock(31);
    calls.length = 0;
    await bCounted.client.send('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(calls).toContain('findApplicationById');
    jest.useRealTimers();

    // Deleting at A revokes the tokens first: B refuses them on its next request, cache or not.
    expect(await clientIdAtB(other)).toBe(app.clientId);
    await expect(a.provider.applications.delete(app.id)).resolves.toBe(true);
    expect(await b.guardStatus(other)).toBe(401);
    expect(await b.guardStatus(token)).toBe(401);
  });
});

/**
 * The calls the token cap made: one `pruneTokens` per record issued on an adapter that has it,
 * else one listing of the siblings (access and refresh token under one filter) and no more.
 */
function expectCapCalls(calls: readonly StorageMethod[], adapter: StorageAdapter, issued: number): void {
  const cap = calls.filter((method) => method === 'listTokens' || method === 'pruneTokens');
  expect(cap).toEqual(
    adapter.pruneTokens === undefined ? ['listTokens'] : Array<StorageMethod>(issued).fill('pruneTokens'),
  );
}

describe('storage round trips of a token request', () => {
  it('the cap prunes the siblings of an access token and its refresh token in one call each, or one listing', async () => {
    const calls: StorageMethod[] = [];
    const t = await createTestHost({ wrapAdapter: counted(calls) });
    const app = await t.registerApp();
    const code = await t.authorize({ client: app, scope: 'repo' });
    calls.length = 0;
    const exchanged = await t.token(app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect(exchanged.status).toBe(200);
    expectCapCalls(calls, t.adapter, 2);
    calls.length = 0;
    const refreshed = await t.token(app, {
      grant_type: 'refresh_token',
      refresh_token: field(exchanged, 'refresh_token'),
    });
    expect(refreshed.status).toBe(200);
    expectCapCalls(calls, t.adapter, 2);
  });
});
