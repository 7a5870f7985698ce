/**
 * What MCP clients (the TypeScript SDK's `auth()`, issue 10 point 7) expect of an authorization
 * server, each checked on its own: `prompt=consent` shows the consent page even where a
 * remembered consent would be reused (OpenID Connect Core §3.1.2.1); HTTP Basic client
 * authentication, advertised first (RFC 6749 §2.3.1); JSON token answers to
 * `Accept: application/json` (RFC 6749 §5.1); `expires_in` on every token answer whose token
 * expires; refresh tokens for public clients without `offline_access`; and `offline_access`
 * accepted (dropped) when the host has not declared it.
 */
import { SCOPES } from '../support/fixtures';
import { openAuthorize } from '../support/flows';
import { authorizeQuery, pkcePair } from '../support/oauth';
import { createTestHost } from '../support/test-host';

describe('the habits of MCP clients', () => {
  it('prompt=consent shows the page although the consent is remembered', async () => {
    const t = await createTestHost();
    // A confidential host application: its remembered consent is reused silently…
    const client = await t.registerApp({ trust: 'host' });
    await t.issueTokens({ client, scope: 'repo' });
    const silent = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'repo' }));
    expect(silent.status).toBe(302);
    // …unless the client asks for the page.
    const asked = await openAuthorize(t.browser(), {
      ...authorizeQuery({ client, scope: 'repo' }),
      prompt: 'consent',
    });
    expect(asked.status).toBe(200);
    expect(asked.headers['content-type']).toMatch(/^text\/html/);
  });

  it('HTTP Basic is advertised first and accepted; the answer is JSON with expires_in', async () => {
    const t = await createTestHost();
    const metadata = await t.client.send('/.well-known/oauth-authorization-server');
    expect(metadata.body.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic']),
    );
    expect(
      Array.isArray(metadata.body.token_endpoint_auth_methods_supported) &&
        metadata.body.token_endpoint_auth_methods_supported[0],
    ).toBe('client_secret_basic');
    const client = await t.registerApp();
    const code = await t.authorize({ client, scope: 'repo' });
    const answer = await t.token(
      client,
      { grant_type: 'authorization_code', code, redirect_uri: 'https://client.example/callback' },
      'basic',
      { headers: { accept: 'application/json' } },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.body.expires_in).toEqual(expect.any(Number));
    expect(String(answer.body.token_type).toLowerCase()).toBe('bearer');
  });

  it('a public client gets a refresh token without offline_access, and its refresh answer has expires_in', async () => {
    const t = await createTestHost();
    const spa = await t.registerApp({ confidential: false });
    const tokens = await t.issueTokens({ client: spa, scope: 'repo', pkce: pkcePair(), auth: 'none' });
    expect(tokens.refreshToken).toEqual(expect.any(String));
    const refreshed = await t.refresh(spa, String(tokens.refreshToken), {}, 'none');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.expires_in).toEqual(expect.any(Number));
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
  });

  it('offline_access, undeclared, is accepted and left out of the token; declared, it is an ordinary scope', async () => {
    const t = await createTestHost();
    const spa = await t.registerApp({ confidential: false });
    const tokens = await t.issueTokens({ client: spa, scope: 'repo offline_access', auth: 'none' });
    expect(tokens.body.scope).toBe('repo');
    expect(tokens.refreshToken).toEqual(expect.any(String));

    const declared = await createTestHost({
      scopes: { ...SCOPES, offline_access: { description: 'Stay signed in' } },
    });
    const app = await declared.registerApp({ confidential: false });
    const kept = await declared.issueTokens({ client: app, scope: 'repo offline_access', auth: 'none' });
    expect(String(kept.body.scope).split(' ').sort()).toEqual(['offline_access', 'repo']);
  });
});
