/**
 * Applications from configuration (`createProvider({ clients })`, DESIGN "Client trust"): stored
 * by `client_id` when the provider starts (`provider.ready`), so a restart never duplicates one
 * and a changed secret replaces the stored hash; a hash alone may be configured; first-party
 * ones skip the consent page; they, and every host-managed application, are read-only in the
 * settings; a bad entry fails at start-up naming the entry and field; while storage is down at
 * start the endpoints answer 503 and the next request tries again.
 */
import express from 'express';
import request from 'supertest';
import { MemoryAdapter } from '../../adapters/memory';
import { ConfigurationError, type ConfiguredClient, createProvider } from '../../lib';
import { sha256Hex } from '../../lib/tokens/hash';
import { given, interceptAdapter } from '../support/adapters';
import { expectOAuthError } from '../support/assertions';
import { ISSUER, REDIRECT_URI, SCOPES } from '../support/fixtures';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, locationParams } from '../support/oauth';
import { createTestHost, type TestHost } from '../support/test-host';

const SECRET = 'first-party-secret-0123456789';

function firstParty(overrides: Partial<ConfiguredClient> = {}): ConfiguredClient {
  return {
    clientId: 'acme-web',
    clientSecret: SECRET,
    name: 'ACME web',
    homepageUrl: 'https://acme.example',
    redirectUris: [REDIRECT_URI],
    scopes: ['user', 'repo'],
    confidential: true,
    firstParty: true,
    ...overrides,
  };
}

/** The options every provider made here by hand shares (the test host makes the others). */
const BASE = { issuer: ISSUER, scopes: SCOPES, currentUser: () => null, loginUrl: '/login' };

const acme = (secret: string | null = SECRET) => ({ clientId: 'acme-web', clientSecret: secret });

/** A second provider on the same storage, as after a restart. */
function restart(t: TestHost, clients: ConfiguredClient[]): Promise<TestHost> {
  return createTestHost({ adapter: given(t.adapter), clients });
}

describe('configured clients are stored at start-up by client_id', () => {
  it('a first-party client: stored as first-party with skipConsent; a logged-in user gets a code without the page', async () => {
    const t = await createTestHost({ clients: [firstParty()] });
    const stored = await t.provider.applications.findByClientId('acme-web');
    expect(stored).toMatchObject({
      trust: 'first-party',
      skipConsent: true,
      ownerId: null,
      confidential: true,
    });
    expect(stored?.clientSecretHash).toBe(sha256Hex(SECRET));
    const answer = await openAuthorize(t.browser(), authorizeQuery({ client: acme(), scope: 'repo' }));
    expect(answer.status).toBe(302);
    const code = String(locationParams(answer).get('code'));
    const tokens = await t.exchange({ client: acme(), code });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('repo');
  });

  it('without firstParty: a host client, whose users see the consent page', async () => {
    const t = await createTestHost({ clients: [firstParty({ firstParty: false })] });
    await expect(t.provider.applications.findByClientId('acme-web')).resolves.toMatchObject({
      trust: 'host',
      skipConsent: false,
    });
    expect((await openAuthorize(t.browser(), authorizeQuery({ client: acme() }))).status).toBe(200);
  });

  it('restarting with the same entry keeps the one record, unchanged', async () => {
    const t = await createTestHost({ clients: [firstParty()] });
    const before = await t.provider.applications.findByClientId('acme-web');
    const again = await restart(t, [firstParty()]);
    await restart(t, [firstParty()]);
    const after = await again.provider.applications.findByClientId('acme-web');
    expect(after).toEqual(before);
  });

  it('two providers starting at once on one store end with one record', async () => {
    const t = await createTestHost();
    const hosts = await Promise.all([restart(t, [firstParty()]), restart(t, [firstParty()])]);
    const [first, second] = await Promise.all(
      hosts.map((host) => host.provider.applications.findByClientId('acme-web')),
    );
    expect(first?.id).toBe(second?.id);
  });

  it('a changed secret replaces the stored one: the old one stops working', async () => {
    const t = await createTestHost({ clients: [firstParty()] });
    const renewed = await restart(t, [
      firstParty({ clientSecret: 'a-brand-new-secret-9876543210', name: 'ACME' }),
    ]);
    const old = await renewed.token(acme(), { grant_type: 'client_credentials' });
    expectOAuthError(old, 401, 'invalid_client');
    const fresh = await renewed.token(acme('a-brand-new-secret-9876543210'), {
      grant_type: 'client_credentials',
    });
    expect(fresh.status).toBe(200);
    await expect(renewed.provider.applications.findByClientId('acme-web')).resolves.toMatchObject({
      name: 'ACME',
    });
  });

  it('a hash alone can be configured, and provider.options shows neither secret nor hash', async () => {
    const { clientSecret: _plain, ...entry } = firstParty();
    const t = await createTestHost({ clients: [{ ...entry, clientSecretHash: sha256Hex(SECRET) }] });
    expect((await t.token(acme(), { grant_type: 'client_credentials' })).status).toBe(200);
    const shown = JSON.stringify(t.provider.options.clients);
    expect(shown).toContain('acme-web');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(sha256Hex(SECRET));
  });

  it('a public first-party client (a mobile app with a private-use redirect) has no secret', async () => {
    const mobile = firstParty({
      clientId: 'acme-mobile',
      clientSecret: undefined,
      confidential: false,
      redirectUris: ['com.acme.mobile:/oauth2redirect'],
    });
    const t = await createTestHost({ clients: [mobile] });
    const client = { clientId: 'acme-mobile', clientSecret: null };
    const answer = await openAuthorize(
      t.browser(),
      authorizeQuery({ client, redirectUri: 'com.acme.mobile:/oauth2redirect' }),
    );
    expect(answer.status).toBe(302);
    expect(String(answer.headers.location).startsWith('com.acme.mobile:/oauth2redirect?code=')).toBe(true);
  });
});

describe('host-managed applications are read-only in the settings', () => {
  it('a configured client has no owner: the settings know nothing of it', async () => {
    const t = await createTestHost({ clients: [firstParty()] });
    const stored = await t.provider.applications.findByClientId('acme-web');
    const alice = t.browser();
    expect((await alice.send('/settings/api/applications')).json).toEqual([]);
    const patch = await alice.send(`/settings/api/applications/${stored?.id}`, {
      method: 'PATCH',
      json: { name: 'Mine now' },
    });
    expect(patch.status).toBe(404);
  });

  it('a host application with an owner is shown, marked, and every change is refused with 403', async () => {
    const t = await createTestHost();
    const app = await t.registerApp({ owner: 'alice', trust: 'host' });
    const alice = t.browser();
    const shown = await alice.send(`/settings/api/applications/${app.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.trust).toBe('host');
    // Body-less writes carry X-Requested-With, as the settings API's CSRF defence asks of them.
    const fetchHeader = { 'x-requested-with': 'fetch' };
    const writes: [
      string,
      {
        method?: 'PATCH' | 'DELETE' | 'POST';
        json?: Record<string, unknown>;
        headers?: Record<string, string>;
      },
    ][] = [
      [`/settings/api/applications/${app.id}`, { method: 'PATCH', json: { name: 'Renamed' } }],
      [`/settings/api/applications/${app.id}`, { method: 'DELETE', headers: fetchHeader }],
      [`/settings/api/applications/${app.id}/secret`, { method: 'POST', headers: fetchHeader }],
      [`/settings/api/applications/${app.id}/revoke-tokens`, { method: 'POST', headers: fetchHeader }],
    ];
    for (const [path, options] of writes) {
      const answer = await alice.send(path, options);
      expect({ path, method: options.method, status: answer.status, error: answer.body.error }).toEqual({
        path,
        method: options.method,
        status: 403,
        error: 'forbidden',
      });
    }
    const page = await alice.send(`/settings/applications/${app.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('managed by the site itself');
    expect(page.text).not.toContain(`action="/settings/applications/${app.id}/delete"`);
    const unchanged = await t.provider.applications.findById(app.id);
    expect(unchanged).toMatchObject({ name: 'Test App', clientSecretHash: app.application.clientSecretHash });
  });

  it("a user's own application stays editable (trust user)", async () => {
    const t = await createTestHost();
    const app = await t.registerApp({ owner: 'alice' });
    const answer = await t.browser().send(`/settings/api/applications/${app.id}`, {
      method: 'PATCH',
      json: { name: 'Renamed' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'Renamed', trust: 'user' });
  });
});

describe('host code sets the trust of the applications it creates', () => {
  it('create(…, { trust }) and setTrust(): a first-party application skips consent; the settings never set trust', async () => {
    const t = await createTestHost();
    const app = await t.registerApp({ owner: null });
    expect(app.application).toMatchObject({ trust: 'host', skipConsent: false });
    expect((await openAuthorize(t.browser(), authorizeQuery({ client: app }))).status).toBe(200);
    await expect(t.provider.applications.setTrust(app.id, { trust: 'first-party' })).resolves.toMatchObject({
      trust: 'first-party',
      skipConsent: true,
    });
    expect((await openAuthorize(t.browser(), authorizeQuery({ client: app }))).status).toBe(302);
    await expect(
      t.provider.applications.setTrust(app.id, { trust: 'host', skipConsent: true }),
    ).rejects.toMatchObject({
      field: 'skipConsent',
    });
    // The JSON API takes no trust: a registration is a user's, whatever the body says.
    const registered = await t.browser().send('/settings/api/applications', {
      json: {
        name: 'Sneaky',
        homepage_url: 'https://x.example',
        redirect_uris: [REDIRECT_URI],
        trust: 'first-party',
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.trust).toBe('user');
  });
});

describe('bad entries fail at start-up, naming the entry and field', () => {
  const start = (clients: unknown) => () =>
    // Untyped on purpose: a JavaScript host's configuration reaches the checks as it is.
    createProvider({
      ...BASE,
      adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
      clients: clients as ConfiguredClient[],
    });

  it.each([
    ['a non-array', 'clients', 'x'],
    [
      'a bad redirect URI',
      'clients[1].redirectUris[1]',
      [firstParty(), firstParty({ clientId: 'b', redirectUris: [REDIRECT_URI, 'http://evil.example/cb'] })],
    ],
    ['an undeclared scope', 'clients[0].scopes', [firstParty({ scopes: ['admin'] })]],
    ['a short secret', 'clients[0].clientSecret', [firstParty({ clientSecret: 'short' })]],
    [
      'a hash that is not SHA-256 hex',
      'clients[0].clientSecretHash',
      [{ ...firstParty({ clientSecret: undefined }), clientSecretHash: 'abc' }],
    ],
    [
      'a secret and a hash',
      'clients[0].clientSecret',
      [{ ...firstParty(), clientSecretHash: sha256Hex(SECRET) }],
    ],
    [
      'a confidential client without a secret',
      'clients[0].clientSecret',
      [firstParty({ clientSecret: undefined })],
    ],
    ['a public client with a secret', 'clients[0].clientSecret', [firstParty({ confidential: false })]],
    [
      'skipConsent without firstParty',
      'clients[0].skipConsent',
      [firstParty({ firstParty: false, skipConsent: true })],
    ],
    ['a repeated client_id', 'clients[1].clientId', [firstParty(), firstParty()]],
    ['a client_id with a space', 'clients[0].clientId', [firstParty({ clientId: 'acme web' })]],
    ['an unknown field', 'clients[0].owner', [{ ...firstParty(), owner: 'alice' }]],
    ['a missing name', 'clients[0].name', [firstParty({ name: '' })]],
  ])('%s → ConfigurationError naming %s', (_label, option, clients) => {
    let thrown: unknown;
    try {
      start(clients)();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(thrown).toMatchObject({ option });
    expect(String((thrown as Error).message)).toContain(`option "${option}"`);
  });

  it("a client_id of a user's application: ready rejects naming the entry; nothing is taken over", async () => {
    const t = await createTestHost();
    const users = await t.registerApp({ owner: 'bob' });
    const provider = createProvider({
      ...BASE,
      adapter: t.adapter,
      clients: [firstParty({ clientId: users.clientId })],
      onError: () => {},
    });
    await expect(provider.ready).rejects.toMatchObject({ option: 'clients[0].clientId' });
    await expect(provider.applications.findByClientId(users.clientId)).resolves.toMatchObject({
      trust: 'user',
      ownerId: 'bob',
    });
  });
});

describe('provider.ready: the endpoints wait for the start, and retry one that failed', () => {
  it('storage down at start: ready rejects, the token endpoint answers 503, and recovers by itself', async () => {
    const t = await createTestHost();
    let down = true;
    const reported: unknown[] = [];
    const provider = createProvider({
      ...BASE,
      adapter: interceptAdapter(t.adapter, (_method, proceed) =>
        down ? Promise.reject(new Error('storage is down')) : proceed(),
      ),
      clients: [firstParty()],
      onError: (error) => reported.push(error),
    });
    await expect(provider.ready).rejects.toMatchObject({ code: 'temporarily_unavailable' });
    const app = express().use(provider.router);
    const refused = await request(app)
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'acme-web', client_secret: SECRET });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('temporarily_unavailable');
    down = false;
    const served = await request(app)
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'acme-web', client_secret: SECRET });
    expect(served.status).toBe(200);
    expect(reported.length).toBeGreaterThan(0);
  });
});
