/**
 * RFC 7591 (dynamic client registration) at `POST /oauth/register`, with the trust rules of
 * `dynamic` clients (DESIGN "Client trust"):
 * §3 the endpoint is advertised (RFC 8414 `registration_endpoint`) only when enabled, and absent
 * otherwise; §3.1 the request is JSON client metadata (415 for any other media type);
 * §3.2.1 the answer is 201 with `client_id`, `client_id_issued_at` and the registered metadata,
 * a secret only for a confidential client the host allows, shown once;
 * §3.2.2 errors are 400 `invalid_redirect_uri` or `invalid_client_metadata`;
 * §2 `token_endpoint_auth_method` (`none` by default), `grant_types`/`response_types` the server
 * serves, `scope` within the host's cap, OpenID Connect Registration's `application_type`
 * (`web`: https; `native`: loopback or private-use); unknown fields ignored.
 * Registrations are counted per address; unused ones are deleted; a registered client sees the
 * consent page every time, marked unverified, and its errors before the decision are a page.
 */
import type { ProviderEventMap } from '../../lib';
import { expectOAuthError, expectReturnPage } from '../support/assertions';
import { ISSUER, REDIRECT_URI } from '../support/fixtures';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, pkcePair } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';
import type { Answer } from '../support/user-agent';

afterEach(() => jest.useRealTimers());

const ENABLED: HostOptions = { dynamicRegistration: { enabled: true } };

async function host(options: HostOptions = ENABLED): Promise<TestHost> {
  return createTestHost(options);
}

function register(t: TestHost, metadata: unknown): Promise<Answer> {
  return t.client.send('/oauth/register', { json: metadata });
}

const PUBLIC_CLIENT = { client_name: 'CLI tool', redirect_uris: [REDIRECT_URI] };

function refusals(t: TestHost): ProviderEventMap['registration.refused'][] {
  const seen: ProviderEventMap['registration.refused'][] = [];
  t.provider.events.on('registration.refused', (event) => seen.push(event));
  return seen;
}

describe('RFC 8414 / RFC 7591 §3: the endpoint exists only when enabled', () => {
  it('off by default: no registration_endpoint, and POST /oauth/register is 404', async () => {
    const t = await host({});
    const metadata = await t.client.send('/.well-known/oauth-authorization-server');
    expect(metadata.body.registration_endpoint).toBeUndefined();
    expect((await register(t, PUBLIC_CLIENT)).status).toBe(404);
  });

  it('enabled: the metadata names it', async () => {
    const t = await host();
    const metadata = await t.client.send('/.well-known/oauth-authorization-server');
    expect(metadata.body.registration_endpoint).toBe(`${ISSUER}/oauth/register`);
    expect(metadata.body.code_challenge_methods_supported).toEqual(['S256']);
  });
});

describe('RFC 7591 §3.1–3.2.1: a registration', () => {
  it('a public client by default: 201 with client_id and the metadata, no secret', async () => {
    const t = await host();
    const answer = await register(t, { ...PUBLIC_CLIENT, logo_uri: 'https://x.example/l.png', extra: 1 });
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toContain('no-store');
    expect(answer.body).toEqual({
      client_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      client_id_issued_at: expect.any(Number),
      client_name: 'CLI tool',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const stored = await t.provider.applications.findByClientId(String(answer.body.client_id));
    expect(stored).toMatchObject({
      trust: 'dynamic',
      confidential: false,
      ownerId: null,
      skipConsent: false,
    });
  });

  it('the registered client completes the code flow with PKCE and gets a refresh token (public)', async () => {
    const t = await host();
    const registered = await register(t, PUBLIC_CLIENT);
    const client = { clientId: String(registered.body.client_id), clientSecret: null };
    const tokens = await t.issueTokens({ client, scope: 'repo', auth: 'none' });
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
    expect(tokens.body.expires_in).toEqual(expect.any(Number));
  });

  it('consent every time, marked unverified, registered by the application itself', async () => {
    const t = await host();
    const registered = await register(t, PUBLIC_CLIENT);
    const client = { clientId: String(registered.body.client_id), clientSecret: null };
    await t.issueTokens({ client, scope: 'repo', auth: 'none' });
    const again = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'repo' }, pkcePair()));
    expect(again.status).toBe(200);
    expect(again.text).toContain('Registered by the application itself');
    expect(again.text).toContain('Unverified');
  });

  it('errors before the decision are the 400 page, not a redirect (RFC 9700 §4.11.2)', async () => {
    const t = await host();
    const registered = await register(t, PUBLIC_CLIENT);
    const client = { clientId: String(registered.body.client_id), clientSecret: null };
    const answer = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'nope' }, pkcePair()));
    expectReturnPage(answer, 'invalid_scope', { host: new URL(REDIRECT_URI).host, issuer: ISSUER });
  });

  it('scope: within the cap; the registration answers what was registered', async () => {
    const t = await host({ dynamicRegistration: { enabled: true, scopes: ['public_repo', 'user'] } });
    const answer = await register(t, { ...PUBLIC_CLIENT, scope: 'public_repo' });
    expect(answer.status).toBe(201);
    expect(answer.body.scope).toBe('public_repo');
    const capped = await register(t, PUBLIC_CLIENT);
    expect(capped.body.scope).toBe('public_repo user');
    const over = await register(t, { ...PUBLIC_CLIENT, scope: 'repo' });
    expectOAuthError(over, 400, 'invalid_client_metadata');
  });

  it('confidential only when the host allows it: the secret once, and it authenticates', async () => {
    const refused = await register(await host(), {
      ...PUBLIC_CLIENT,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expectOAuthError(refused, 400, 'invalid_client_metadata');

    const t = await host({ dynamicRegistration: { enabled: true, allowConfidential: true } });
    const answer = await register(t, { ...PUBLIC_CLIENT, token_endpoint_auth_method: 'client_secret_basic' });
    expect(answer.status).toBe(201);
    expect(answer.body.client_secret).toEqual(expect.any(String));
    expect(answer.body.client_secret_expires_at).toBe(0);
    const client = {
      clientId: String(answer.body.client_id),
      clientSecret: String(answer.body.client_secret),
    };
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    expect(tokens.accessToken).toEqual(expect.any(String));
  });

  it('application_type native: loopback and private-use redirects; web: https only', async () => {
    const t = await host();
    const native = await register(t, {
      ...PUBLIC_CLIENT,
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/oauth2redirect'],
    });
    expect(native.status).toBe(201);
    expect(native.body.application_type).toBe('native');
    const nativeWeb = await register(t, {
      ...PUBLIC_CLIENT,
      application_type: 'native',
      redirect_uris: ['https://app.example/callback'],
    });
    expectOAuthError(nativeWeb, 400, 'invalid_redirect_uri');
    const webLoopback = await register(t, {
      ...PUBLIC_CLIENT,
      application_type: 'web',
      redirect_uris: ['http://127.0.0.1/callback'],
    });
    expectOAuthError(webLoopback, 400, 'invalid_redirect_uri');
    const web = await register(t, {
      ...PUBLIC_CLIENT,
      application_type: 'web',
      redirect_uris: ['https://app.example/callback'],
    });
    expect(web.status).toBe(201);
  });

  it('offline_access, which MCP clients add, is accepted and dropped (refresh tokens come anyway)', async () => {
    const t = await host();
    const registered = await register(t, { ...PUBLIC_CLIENT, scope: 'repo offline_access' });
    expect(registered.status).toBe(201);
    expect(registered.body.scope).toBe('repo');
    const client = { clientId: String(registered.body.client_id), clientSecret: null };
    const tokens = await t.issueTokens({ client, scope: 'repo offline_access', auth: 'none' });
    expect(tokens.body.scope).toBe('repo');
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
  });
});

describe('RFC 7591 §3.2.2: refusals are 400 with the RFC error, and an event', () => {
  it.each<[string, unknown]>([
    ['no redirect_uris', { client_name: 'x' }],
    ['redirect_uris not an array', { redirect_uris: REDIRECT_URI }],
    ['an empty list', { redirect_uris: [] }],
    ['plain http to a web host', { redirect_uris: ['http://app.example/cb'] }],
    ['a fragment', { redirect_uris: [`${REDIRECT_URI}#x`] }],
    ['javascript:', { redirect_uris: ['javascript:alert(1)'] }],
    ['a number', { redirect_uris: [42] }],
    ['response parameters in the query', { redirect_uris: [`${REDIRECT_URI}?code=1`] }],
  ])('%s → invalid_redirect_uri', async (_label, metadata) => {
    const t = await host();
    const seen = refusals(t);
    expectOAuthError(await register(t, metadata), 400, 'invalid_redirect_uri');
    expect(seen).toEqual([
      {
        via: 'registration_endpoint',
        clientId: null,
        field: expect.stringMatching(/^redirect_uris/),
        reason: 'invalid_redirect_uri',
      },
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['grant_types with client_credentials', { grant_types: ['client_credentials'] }, 'grant_types'],
    ['grant_types without authorization_code', { grant_types: ['refresh_token'] }, 'grant_types'],
    ['response_types token', { response_types: ['token'] }, 'response_types'],
    ['an undeclared scope', { scope: 'admin' }, 'scope'],
    ['a client-held scope', { scope: 'ci:status' }, 'scope'],
    ['client_name not a string', { client_name: 7 }, 'client_name'],
    ['a client_name of control characters', { client_name: 'a\u0000b' }, 'client_name'],
    ['client_uri not a URL', { client_uri: 'nope' }, 'client_uri'],
    ['an unknown application_type', { application_type: 'tv' }, 'application_type'],
    [
      'an unknown auth method',
      { token_endpoint_auth_method: 'private_key_jwt' },
      'token_endpoint_auth_method',
    ],
  ])('%s → invalid_client_metadata', async (_label, extra, field) => {
    const t = await host();
    const seen = refusals(t);
    expectOAuthError(await register(t, { ...PUBLIC_CLIENT, ...extra }), 400, 'invalid_client_metadata');
    expect(seen).toEqual([
      { via: 'registration_endpoint', clientId: null, field, reason: 'invalid_client_metadata' },
    ]);
  });

  it('not JSON: 415; broken JSON, an array: 400; too large: 413', async () => {
    const t = await host();
    const form = await t.client.send('/oauth/register', { form: { redirect_uris: REDIRECT_URI } });
    expect(form.status).toBe(415);
    const broken = await t.client.send('/oauth/register', {
      body: '{"redirect_uris": [',
      headers: { 'content-type': 'application/json' },
    });
    expectOAuthError(broken, 400, 'invalid_request');
    expectOAuthError(await register(t, [PUBLIC_CLIENT]), 400, 'invalid_request');
    const large = await register(t, { ...PUBLIC_CLIENT, padding: 'x'.repeat(200_000) });
    expect(large.status).toBe(413);
  });
});

describe('limits on what anonymous callers create', () => {
  it('registrations per address: past the limit 429 with Retry-After and limit.exceeded', async () => {
    const t = await host({
      dynamicRegistration: { enabled: true },
      limits: { registrationsPerAddress: { points: 3, durationSeconds: 3600 } },
    });
    const exceeded: ProviderEventMap['limit.exceeded'][] = [];
    t.provider.events.on('limit.exceeded', (event) => exceeded.push(event));
    for (let i = 0; i < 3; i += 1) expect((await register(t, PUBLIC_CLIENT)).status).toBe(201);
    const refused = await register(t, PUBLIC_CLIENT);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(exceeded).toEqual([
      expect.objectContaining({ limit: 'registration.address', keyKind: 'address' }),
    ]);
  });

  it('unused registrations are deleted after unusedSeconds; one with a live token stays', async () => {
    // `Date` and the purge's interval are fake; timeouts and I/O stay real.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'hrtime',
        'performance',
      ],
    });
    const t = await host({
      dynamicRegistration: { enabled: true, unusedSeconds: 600 },
      purgeIntervalSeconds: 60,
      accessTokenTtl: 3600,
      refreshTokenTtl: 7200,
    });
    const unused = await register(t, PUBLIC_CLIENT);
    const used = await register(t, PUBLIC_CLIENT);
    const client = { clientId: String(used.body.client_id), clientSecret: null };
    await t.issueTokens({ client, scope: 'repo', auth: 'none' });
    const created = Date.now();
    jest.setSystemTime(created + 700_000);
    jest.advanceTimersByTime(60_000);
    jest.useRealTimers();
    let gone = false;
    for (let i = 0; i < 200 && !gone; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gone = (await t.provider.applications.findByClientId(String(unused.body.client_id))) === null;
    }
    expect(gone).toBe(true);
    await expect(t.provider.applications.findByClientId(client.clientId)).resolves.not.toBeNull();
  });
});
