import { createOAuth2ServerModel } from '../../lib/oauth2-server';
import { REDIRECT_URI } from '../support/fixtures';
import { pkcePair } from '../support/oauth';
import { createLegacyHost } from '../support/oauth2-server-host';
import { createTestHost } from '../support/test-host';

/**
 * `createOAuth2ServerModel(provider)` called as host code calls a model: every method issue 16
 * lists is there, the values it stores are only ever its own, and the revocation methods revoke
 * when the library's exchange is not the caller. On the adapter under test.
 */

const METHODS = [
  'getClient',
  'saveToken',
  'getAccessToken',
  'getAuthorizationCode',
  'saveAuthorizationCode',
  'revokeAuthorizationCode',
  'getRefreshToken',
  'revokeToken',
  'verifyScope',
  'validateScope',
  'validateRedirectUri',
  'generateAccessToken',
  'generateRefreshToken',
  'generateAuthorizationCode',
  'getUserFromClient',
  'getUser',
];

describe('createOAuth2ServerModel(provider)', () => {
  it('is a complete model: every method of the four grants and of authenticate()', async () => {
    const host = await createTestHost();
    const model = createOAuth2ServerModel(host.provider);
    expect(Object.keys(model).sort()).toEqual([...METHODS].sort());
    for (const name of METHODS) expect(typeof Reflect.get(model, name)).toBe('function');
  });

  it('generates values of the provider token format only', async () => {
    const host = await createTestHost();
    const model = createOAuth2ServerModel(host.provider);
    const format = host.provider.options.tokens;
    expect(format.parse(await model.generateAuthorizationCode({ id: 'x', grants: [] }, {}, []))).toBe('code');
    expect(format.parse(await model.generateAccessToken({ id: 'x', grants: [] }, {}, []))).toBe('access');
    expect(format.parse(await model.generateRefreshToken({ id: 'x', grants: [] }, {}, []))).toBe('refresh');
  });

  it('identifies a confidential client for an authorization request (null) but never authenticates it without its secret', async () => {
    const host = await createTestHost();
    const model = createOAuth2ServerModel(host.provider);
    const app = await host.registerApp();
    expect(await model.getClient(app.clientId, null as unknown as string)).toMatchObject({
      id: app.clientId,
    });
    expect(await model.getClient(app.clientId, undefined as unknown as string)).toBe(false);
    expect(await model.getClient(app.clientId, '')).toBe(false);
    expect(await model.getClient(app.clientId, app.clientSecret ?? '')).toMatchObject({
      id: app.clientId,
      applicationId: app.id,
      confidential: true,
      redirectUris: [REDIRECT_URI],
      trust: 'user',
    });
    expect(await model.getClient('unknown-client', 'x')).toBe(false);
  });

  it('refuses to store a code or a token it did not generate, and stores nothing', async () => {
    const host = await createTestHost();
    const model = createOAuth2ServerModel(host.provider);
    const app = await host.registerApp();
    const client = await model.getClient(app.clientId, app.clientSecret ?? '');
    if (!client) throw new Error('the client was refused');
    const code = {
      authorizationCode: 'a-code-of-the-old-model',
      expiresAt: new Date(Date.now() + 60_000),
      redirectUri: REDIRECT_URI,
      scope: ['user'],
    };
    await expect(model.saveAuthorizationCode(code, client, { id: 'alice' })).rejects.toThrow(TypeError);
    expect(await host.adapter.listTokens({ applicationId: app.id })).toEqual([]);
    // A user object the model never handed out: no grant to save for (an extension grant).
    const token = {
      accessToken: await model.generateAccessToken(client, {}, []),
      client,
      user: { id: 'alice' },
    };
    await expect(model.saveToken(token, client, { id: 'alice' })).rejects.toThrow(/registerGrantType/);
    expect(await host.adapter.listTokens({ applicationId: app.id })).toEqual([]);
  });

  it('revokes a refresh token with its grant when host code calls revokeToken()', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp();
    const revoked: unknown[] = [];
    host.provider.events.on('token.revoked', (event) => revoked.push(event));
    const { accessToken, refreshToken } = await host.legacyIssueTokens({ client: app });
    const client = await host.model.getClient(app.clientId, app.clientSecret ?? '');
    if (!client) throw new Error('the client was refused');
    expect(await host.model.revokeToken({ refreshToken, client, user: { id: 'alice' } })).toBe(true);
    expect(await host.guardStatus(accessToken)).toBe(401);
    expect(await host.model.revokeToken({ refreshToken, client, user: { id: 'alice' } })).toBe(false);
    // The grant's records: the access and refresh tokens, and the code they came from.
    expect(revoked).toEqual([
      { reason: 'oauth2_server_model', clientId: app.clientId, userId: 'alice', count: 3 },
    ]);
  });

  it('revokes an unused code when host code calls revokeAuthorizationCode()', async () => {
    const host = await createLegacyHost();
    const app = await host.registerApp({ confidential: false });
    const pkce = pkcePair();
    const { code } = await host.legacyCode({ client: app, pkce });
    const found = await host.model.getAuthorizationCode(code);
    if (!found) throw new Error('the code was not found');
    // A copy, as host code holding its own object would pass it.
    expect(await host.model.revokeAuthorizationCode({ ...found })).toBe(true);
    const exchange = await host.legacyExchange({ client: app, code, verifier: pkce.verifier });
    expect([exchange.status, exchange.body.error]).toEqual([400, 'invalid_grant']);
  });
});
