/**
 * RFC 8707 (resource indicators) with the guards of RFC 6750 / RFC 9728 §5.1:
 * §2 `resource` on the authorization request — absolute URI, no fragment, repeatable, unknown →
 * `invalid_target`, compared after lowercasing scheme and host and tolerating one trailing slash;
 * §2.2 on the token request (authorization_code, refresh_token, client_credentials) it narrows the
 * audience of the code or refresh token, never widens it; the audience is returned by
 * introspection (`aud`, RFC 7662 §2.2) and token info; guards of a declared resource refuse a
 * token minted for another resource, or one without audience where it is required (401
 * `invalid_token`), and their challenges carry `resource_metadata`.
 */

import { ISSUER, REDIRECT_URI } from '../support/fixtures';
import { hiddenFields } from '../support/html';
import { locationParams, pkcePair, withQuery } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';
import type { Answer } from '../support/user-agent';

const API = `${ISSUER}/api`;
const MCP = `${ISSUER}/mcp`;
const MCP_METADATA = `${ISSUER}/.well-known/oauth-protected-resource/mcp`;

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost({
    resources: {
      [API]: { name: 'Demo API', scopes: ['user', 'repo', 'public_repo'] },
      [MCP]: { name: 'MCP server', scopes: ['public_repo'], audienceRequired: true },
    },
  });
  // A host's application: errors before the decision go back to it (RFC 9700 §4.11.2 by trust).
  client = await t.registerApp({ trust: 'host' });
  const api = t.provider.protectedResource(API);
  const mcp = t.provider.protectedResource(MCP);
  t.app.get('/resource/api', api.authenticate(), (req, res) => res.json({ aud: req.oauth?.token.audience }));
  t.app.get('/resource/mcp', mcp.authenticate(), (req, res) => res.json({ aud: req.oauth?.token.audience }));
  t.app.get('/resource/mcp/repos', mcp.requireScope('repo', 'gist'), (_req, res) => res.json({ ok: true }));
});

/** The code exchanged with one `resource` (RFC 8707 §2.2). */
function exchangeFor(code: string, resource: string) {
  return t.token(client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, resource });
}

/** The introspected `aud` of a token (absent when it has none). */
async function audienceOf(token: string): Promise<unknown> {
  const answer = await t.postAsClient('/oauth/introspect', client, { token });
  expect(answer.body.active).toBe(true);
  return answer.body.aud;
}

/** Authorizes with `resource` sent once per value (RFC 8707 §2: repeated for several). */
async function authorizeFor(
  resources: readonly string[],
  scope = 'repo',
): Promise<{ code: string; answer: Answer }> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    state: 's',
  });
  for (const resource of resources) query.append('resource', resource);
  const browser = t.browser();
  let answer = await browser.send(`/oauth/authorize?${query.toString()}`);
  if (answer.status === 200)
    answer = await browser.send('/oauth/authorize', {
      form: { ...hiddenFields(answer.text), decision: 'approve' },
    });
  expect(answer.status).toBe(302);
  return { code: locationParams(answer).get('code') ?? '', answer };
}

async function tokensFor(resources: readonly string[], tokenResources: readonly string[] = []) {
  const { code } = await authorizeFor(resources);
  const fields = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
  for (const resource of tokenResources) fields.append('resource', resource);
  return t.client.send('/oauth/token', {
    form: fields,
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
  });
}

describe('RFC 8707 §2: resource on the authorization request', () => {
  it('a declared resource binds the code, and the token, to it', async () => {
    const answer = await tokensFor([MCP]);
    expect(answer.status).toBe(200);
    expect(await audienceOf(String(answer.body.access_token))).toEqual([MCP]);
    expect(await audienceOf(String(answer.body.refresh_token))).toEqual([MCP]);
  });

  it('repeated: the token is for every resource named (and the consent form carries them all)', async () => {
    const answer = await tokensFor([API, MCP]);
    expect(answer.status).toBe(200);
    expect(await audienceOf(String(answer.body.access_token))).toEqual([API, MCP]);
  });

  it('compared after lowercasing scheme and host, with one trailing slash tolerated; stored as declared', async () => {
    const answer = await tokensFor(['HTTPS://ISSUER.EXAMPLE/mcp/']);
    expect(answer.status).toBe(200);
    expect(await audienceOf(String(answer.body.access_token))).toEqual([MCP]);
  });

  it.each([
    ['an undeclared resource', `${ISSUER}/elsewhere`],
    ['a path that differs in case', `${ISSUER}/MCP`],
    ['a fragment', `${MCP}#part`],
    ['a relative reference', '/mcp'],
    ['not a URI', 'mcp server'],
    ['empty', ''],
  ])('%s → invalid_target, redirected to the client', async (_label, resource) => {
    const answer = await t.browser().send(
      withQuery('/oauth/authorize', {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'repo',
        state: 's',
        resource,
      }),
    );
    expect(answer.status).toBe(302);
    const params = locationParams(answer);
    expect(params.get('error')).toBe('invalid_target');
    expect(params.get('state')).toBe('s');
    expect(params.get('code')).toBeNull();
  });

  it('without resource: the token has no audience (aud absent), as before audiences', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    expect(await audienceOf(tokens.accessToken)).toBeUndefined();
    const info = await t.client.send('/oauth/token/info', {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(info.body.aud).toEqual([]);
  });

  it('token info lists the audience', async () => {
    const answer = await tokensFor([MCP]);
    const info = await t.client.send('/oauth/token/info', {
      headers: { authorization: `Bearer ${String(answer.body.access_token)}` },
    });
    expect(info.status).toBe(200);
    expect(info.body.aud).toEqual([MCP]);
  });

  it('consent covers the resources approved: a new resource asks again, an approved one does not', async () => {
    await authorizeFor([API]);
    const browser = t.browser();
    const again = (resource: string) =>
      browser.send(
        withQuery('/oauth/authorize', {
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'repo',
          resource,
        }),
      );
    expect((await again(MCP)).status).toBe(200);
    expect((await again(API)).status).toBe(302);
  });
});

describe('RFC 8707 §2.2: resource on the token request narrows, never widens', () => {
  it('the code exchange may name some of the code resources: the access token is for those only', async () => {
    const answer = await tokensFor([API, MCP], [MCP]);
    expect(answer.status).toBe(200);
    expect(await audienceOf(String(answer.body.access_token))).toEqual([MCP]);
    // The refresh token keeps the whole authorization, so a refresh may ask for the other one.
    expect(await audienceOf(String(answer.body.refresh_token))).toEqual([API, MCP]);
    const refreshed = await t.refresh(client, String(answer.body.refresh_token), { resource: API });
    expect(refreshed.status).toBe(200);
    expect(await audienceOf(String(refreshed.body.access_token))).toEqual([API]);
  });

  it('a resource the code was not issued for → 400 invalid_target (and the code stays usable)', async () => {
    const { code } = await authorizeFor([API]);
    const refused = await exchangeFor(code, MCP);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_target');
    const exchanged = await t.exchange({ client, code });
    expect(exchanged.status).toBe(200);
  });

  it('an undeclared resource at the token endpoint → 400 invalid_target', async () => {
    const { code } = await authorizeFor([API]);
    const refused = await exchangeFor(code, 'https://evil.example/');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_target');
  });

  it('a code issued without resource narrows to a resource that does not demand an audience, not to one that does', async () => {
    const code = await t.authorize({ client, scope: 'repo' });
    const toApi = await exchangeFor(code, API);
    expect(toApi.status).toBe(200);
    expect(await audienceOf(String(toApi.body.access_token))).toEqual([API]);

    const second = await t.authorize({ client, scope: 'repo' });
    const toMcp = await exchangeFor(second, MCP);
    expect(toMcp.status).toBe(400);
    expect(toMcp.body.error).toBe('invalid_target');
  });

  it('a refresh without resource keeps the audience; one for another resource → invalid_target', async () => {
    const answer = await tokensFor([MCP]);
    const refreshToken = String(answer.body.refresh_token);
    const widened = await t.refresh(client, refreshToken, { resource: API });
    expect(widened.status).toBe(400);
    expect(widened.body.error).toBe('invalid_target');
    const kept = await t.refresh(client, refreshToken);
    expect(kept.status).toBe(200);
    expect(await audienceOf(String(kept.body.access_token))).toEqual([MCP]);
    expect(await audienceOf(String(kept.body.refresh_token))).toEqual([MCP]);
  });

  it('client_credentials: resource names the token audience; an unknown one → invalid_target', async () => {
    const issued = await t.token(client, {
      grant_type: 'client_credentials',
      scope: 'ci:status',
      resource: API,
    });
    expect(issued.status).toBe(200);
    expect(await audienceOf(String(issued.body.access_token))).toEqual([API]);
    const refused = await t.token(client, {
      grant_type: 'client_credentials',
      scope: 'ci:status',
      resource: `${ISSUER}/nope`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_target');
  });

  it('a public client with PKCE gets the same audience handling', async () => {
    const spa = await t.registerApp({ confidential: false });
    const pkce = pkcePair();
    const code = await t.authorize({ client: spa, scope: 'repo', pkce, extra: { resource: MCP } });
    const answer = await t.token(
      spa,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce.verifier },
      'none',
    );
    expect(answer.status).toBe(200);
    // Introspection shows a token to its own client only, and a public one cannot introspect.
    const info = await t.client.send('/oauth/token/info', {
      headers: { authorization: `Bearer ${String(answer.body.access_token)}` },
    });
    expect(info.body.aud).toEqual([MCP]);
  });
});

describe('Guards of a declared resource (RFC 8707 audience, RFC 9728 §5.1 challenges)', () => {
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('a token for the resource passes', async () => {
    const answer = await tokensFor([MCP]);
    const called = await t.client.send('/resource/mcp', bearer(String(answer.body.access_token)));
    expect(called.status).toBe(200);
    expect(called.body.aud).toEqual([MCP]);
  });

  it('a token minted for another resource → 401 invalid_token with resource_metadata', async () => {
    const answer = await tokensFor([API]);
    const token = String(answer.body.access_token);
    expect((await t.client.send('/resource/api', bearer(token))).status).toBe(200);
    const refused = await t.client.send('/resource/mcp', bearer(token));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_token');
    const challenge = String(refused.headers['www-authenticate']);
    expect(challenge).toMatch(/^Bearer realm="issuer\.example", error="invalid_token"/);
    expect(challenge).toContain(`resource_metadata="${MCP_METADATA}"`);
    expect(challenge).toContain('scope="public_repo"');
  });

  it('a token without audience: accepted where none is required, 401 where audienceRequired', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    expect((await t.client.send('/resource/api', bearer(tokens.accessToken))).status).toBe(200);
    const refused = await t.client.send('/resource/mcp', bearer(tokens.accessToken));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_token');
  });

  it('no token → 401 with a bare challenge: realm, the resource scopes and resource_metadata, no error', async () => {
    const refused = await t.client.send('/resource/mcp');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe(
      `Bearer realm="issuer.example", scope="public_repo", resource_metadata="${MCP_METADATA}"`,
    );
  });

  it('403 insufficient_scope names every scope the route accepts, with resource_metadata', async () => {
    const answer = await tokensFor([MCP]);
    const { code } = await authorizeFor([MCP], 'user');
    const exchanged = await t.exchange({ client, code });
    const weak = String(exchanged.body.access_token);
    const refused = await t.client.send('/resource/mcp/repos', bearer(weak));
    expect(refused.status).toBe(403);
    const challenge = String(refused.headers['www-authenticate']);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="repo gist"');
    expect(challenge).toContain(`resource_metadata="${MCP_METADATA}"`);
    const strong = await t.client.send('/resource/mcp/repos', bearer(String(answer.body.access_token)));
    expect(strong.status).toBe(200);
  });

  it('protectedResource() of an undeclared resource is a TypeError at start-up', () => {
    expect(() => t.provider.protectedResource(`${ISSUER}/undeclared`)).toThrow(TypeError);
  });
});
