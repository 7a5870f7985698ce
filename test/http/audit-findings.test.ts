/**
 * The findings of the 2026-12 black-box audit (issue 11) that concern the library, each by its
 * number, through the public surface on the adapter under test. Findings 2 and 8 (the example
 * app) and 9's client part are in example-hardening.test.ts; finding 1 in limits.test.ts.
 */
import { sha256Hex } from '../../lib/tokens/hash';
import { decideDevice, pollDevice, requestDeviceCode } from '../support/device-flow';
import { createExampleHost } from '../support/example-host';
import { DEFAULT_GRANTS, REDIRECT_URI, USER_HEADER, WITH_DEVICE_GRANT } from '../support/fixtures';
import * as flows from '../support/flows';
import { hiddenFields } from '../support/html';
import { authorizeQuery, bearer } from '../support/oauth';
import { createTestHost } from '../support/test-host';

describe('finding 3: the settings API and pages refuse any request carrying an access token', () => {
  /** A host whose `currentUser` trusts `req.user`, filled from bearer tokens too (the README's trap). */
  async function bearerTrustingHost() {
    const t = await createTestHost({
      currentUser: (req) => {
        const id = req.headers[USER_HEADER];
        if (typeof id === 'string') return { id };
        return req.oauth?.user ?? null;
      },
      beforeProvider: () => {},
    });
    return t;
  }

  it('POST /settings/api/tokens with a third-party bearer token is 403, and no token is minted', async () => {
    const t = await bearerTrustingHost();
    const client = await t.registerApp();
    const { accessToken } = await t.issueTokens({ client, scope: 'user' });
    const sends: { path?: string; headers: Record<string, string> }[] = [
      { headers: { authorization: bearer(accessToken) } },
      { path: `?access_token=${accessToken}`, headers: {} },
    ];
    for (const send of sends) {
      const answer = await t.client.send(`/settings/api/tokens${send.path ?? ''}`, {
        json: { name: 'stolen', scopes: ['repo', 'gist'] },
        headers: send.headers,
        user: 'alice',
      });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toBe('access_denied');
    }
    const inBody = await t.client.send('/settings/api/tokens', {
      json: { name: 'stolen', scopes: ['repo'], access_token: accessToken },
      user: 'alice',
    });
    expect(inBody.status).toBe(403);
    expect(await t.provider.personalTokens.list('alice')).toEqual([]);
  });

  it('the settings pages refuse a bearer header and a form access_token too', async () => {
    const t = await bearerTrustingHost();
    const page = await t.client.send('/settings/tokens', {
      headers: { authorization: 'Bearer eoa_x' },
      user: 'alice',
    });
    expect(page.status).toBe(403);
    const alice = t.browser('alice');
    const shown = await alice.send('/settings/tokens');
    const posted = await alice.send('/settings/tokens', {
      form: { ...hiddenFields(shown.text), name: 'x', scopes: 'repo', expiry: '30', access_token: 'eoa_x' },
    });
    expect(posted.status).toBe(403);
  });
});

describe('findings 3 and 4 on the admin router: only the administrator in person, only from this site', () => {
  /** The example provider (alice is an administrator) with alice signed in, and one of bob's apps. */
  async function adminHost() {
    const host = await createExampleHost({ issuer: 'http://127.0.0.1:3999' });
    const alice = host.browser();
    await flows.login(alice, 'alice', 'alice-pass');
    const bob = host.browser();
    await flows.login(bob, 'bob', 'bob-pass');
    const app = await flows.registerViaApi(bob);
    const made = await alice.send('/settings/api/tokens', { json: { name: 'cli', scopes: ['user'] } });
    return { host, alice, app, aliceToken: String(made.body.token) };
  }

  it('refuses the admin API and pages with an access token, whoever is signed in (403)', async () => {
    const { host, alice, app, aliceToken } = await adminHost();
    const json = { 'content-type': 'application/json' };
    for (const [method, path, headers] of [
      ['GET', '/admin/api/applications', { authorization: bearer(aliceToken) }],
      ['GET', `/admin/api/applications?access_token=${aliceToken}`, {}],
      ['DELETE', `/admin/api/applications/${app.id}`, { ...json, authorization: bearer(aliceToken) }],
      ['GET', '/admin/applications', { authorization: bearer(aliceToken) }],
    ] as const) {
      const answer = await alice.send(path, { method, headers });
      expect([method, path, answer.status]).toEqual([method, path, 403]);
    }
    expect(await host.provider.applications.findById(app.id)).not.toBeNull();
    // A form access_token on an admin page's POST: refused before the action, the app stays.
    const page = await alice.send(`/admin/applications/${app.id}`);
    expect(page.status).toBe(200);
    const posted = await alice.send(`/admin/applications/${app.id}/delete`, {
      form: { ...hiddenFields(page.text), access_token: aliceToken },
    });
    expect(posted.status).toBe(403);
    expect(await host.provider.applications.findById(app.id)).not.toBeNull();
  });

  it('refuses a cross-site admin API write (Sec-Fetch-Site, Origin) with 403, even as JSON', async () => {
    const { host, alice, app } = await adminHost();
    const json = { 'content-type': 'application/json' };
    for (const headers of [
      { ...json, 'sec-fetch-site': 'cross-site' },
      { ...json, 'sec-fetch-site': 'same-site' },
      { ...json, origin: 'http://127.0.0.1:9999' },
      { ...json, origin: 'null' },
    ]) {
      const answer = await alice.send(`/admin/api/applications/${app.id}`, { method: 'DELETE', headers });
      expect([headers, answer.status, answer.body.error]).toEqual([headers, 403, 'access_denied']);
    }
    expect(await host.provider.applications.findById(app.id)).not.toBeNull();
    const own = await alice.send(`/admin/api/applications/${app.id}`, {
      method: 'DELETE',
      headers: { ...json, 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(204);
  });
});

describe('finding 4: settings API writes need JSON or a custom header, and same-origin', () => {
  it('a body-less POST without Content-Type (a no-cors fetch) is 415 and revokes nothing', async () => {
    const t = await createTestHost();
    const alice = t.browser('alice');
    const created = await alice.send('/settings/api/applications', {
      json: { name: 'A', homepage_url: 'https://a.example', redirect_uris: [REDIRECT_URI] },
    });
    const app = {
      clientId: String(created.body.client_id),
      clientSecret: String(created.body.client_secret),
    };
    const { accessToken } = await flows.issueTokens(alice, t.client, { client: app, scope: 'repo' });
    const plain = await alice.send(`/settings/api/applications/${created.body.id}/revoke-tokens`, {
      method: 'POST',
    });
    expect(plain.status).toBe(415);
    expect(await t.guardStatus(accessToken)).toBe(200);
    const crossSite = await alice.send(`/settings/api/applications/${created.body.id}/revoke-tokens`, {
      method: 'POST',
      headers: { 'x-requested-with': 'fetch', 'sec-fetch-site': 'same-site' },
    });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await alice.send(`/settings/api/applications/${created.body.id}/revoke-tokens`, {
      method: 'POST',
      headers: { 'x-requested-with': 'fetch', origin: 'http://127.0.0.1:9999' },
    });
    expect(foreignOrigin.status).toBe(403);
    expect(await t.guardStatus(accessToken)).toBe(200);
    const own = await alice.send(`/settings/api/applications/${created.body.id}/revoke-tokens`, {
      method: 'POST',
      headers: { 'x-requested-with': 'fetch', 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(204);
    expect(await t.guardStatus(accessToken)).toBe(401);
  });
});

describe('finding 5: a denied device flow stays denied after the purge', () => {
  it('RFC 8628 §3.5: access_denied, also once purgeExpired ran', async () => {
    const t = await createTestHost({ grantTypes: WITH_DEVICE_GRANT });
    const client = await t.registerApp();
    const device = await requestDeviceCode(t.client, client, 'repo');
    expect((await decideDevice(t.browser('alice'), device.user_code, 'deny')).status).toBe(200);
    expect((await pollDevice(t.client, client, device.device_code)).body.error).toBe('access_denied');
    await t.adapter.purgeExpired(new Date(Date.now() + 1000));
    expect((await pollDevice(t.client, client, device.device_code)).body.error).toBe('access_denied');
  });
});

describe('finding 6: query tokens only from the query string', () => {
  // A token after "&" in the path without "?" is refused by the extraction itself: test/unit/bearer-token.test.ts.
  it('RFC 6750 §2.3: an answer to a query-token request is Cache-Control: private', async () => {
    const t = await createTestHost();
    const client = await t.registerApp();
    const { accessToken } = await t.issueTokens({ client, scope: 'repo' });
    const viaQuery = await t.client.send(`/api/me?access_token=${accessToken}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers['cache-control']).toBe('private');
    const viaHeader = await t.client.send('/api/me', { headers: { authorization: bearer(accessToken) } });
    expect(viaHeader.headers['cache-control']).toBeUndefined();
  });

  it('a form-body access_token is removed from req.body before the route sees it', async () => {
    const t = await createTestHost();
    const client = await t.registerApp();
    const { accessToken } = await t.issueTokens({ client, scope: 'repo' });
    const answer = await t.client.send('/api/me', { form: { access_token: accessToken, note: 'hi' } });
    expect(answer.status).toBe(200);
    expect(answer.body.body).toEqual({ note: 'hi' });
  });
});

describe('finding 7: error pages show no sender text', () => {
  it('a repeated parameter with a crafted name is reported without its name', async () => {
    const t = await createTestHost();
    const client = await t.registerApp();
    const name = 'Your account is locked. Call +1-555-0100';
    const query = new URLSearchParams(authorizeQuery({ client, scope: 'repo' }));
    query.append(name, '1');
    query.append(name, '2');
    const page = await t.browser('alice').send(`/oauth/authorize?${query}`);
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('locked');
    expect(page.text).toContain('A parameter is repeated');
    const known = new URLSearchParams(authorizeQuery({ client, scope: 'repo' }));
    known.append('state', 'again');
    expect((await t.browser('alice').send(`/oauth/authorize?${known}`)).text).toContain(
      'Parameter &quot;state&quot; is repeated',
    );
  });
});

describe('finding 9: smaller ones', () => {
  it('the consent CSRF token is bound to the client, redirect URI and scopes, and new on every page', async () => {
    const t = await createTestHost();
    const client = await t.registerApp({ redirectUris: [REDIRECT_URI, `${REDIRECT_URI}2`] });
    const alice = t.browser('alice');
    const first = await flows.consentPage(alice, authorizeQuery({ client, scope: 'user' }));
    const again = await flows.consentPage(alice, authorizeQuery({ client, scope: 'user' }));
    expect(first.fields.csrf_token).not.toBe(again.fields.csrf_token);
    // The token of a `user` page does not approve `repo`, nor another redirect URI.
    const changes: Record<string, string>[] = [{ scope: 'repo' }, { redirect_uri: `${REDIRECT_URI}2` }];
    for (const change of changes) {
      const forged = await flows.postDecision(alice, { ...first.fields, ...change }, 'approve');
      expect(forged.status).toBe(403);
    }
    expect((await flows.postDecision(alice, first.fields, 'approve')).status).toBe(302);
  });

  it('the consent CSRF token of a code page does not approve a token in the fragment (the response type is bound)', async () => {
    const t = await createTestHost({ grantTypes: [...DEFAULT_GRANTS, 'implicit'] });
    const client = await t.registerApp();
    const alice = t.browser('alice');
    const page = await flows.consentPage(alice, authorizeQuery({ client, scope: 'user' }));
    const forged = await flows.postDecision(alice, { ...page.fields, response_type: 'token' }, 'approve');
    expect(forged.status).toBe(403);
    const approved = await flows.postDecision(alice, page.fields, 'approve');
    expect(approved.status).toBe(302);
    expect(new URL(String(approved.headers.location)).searchParams.get('code')).toEqual(expect.any(String));
  });

  it('WWW-Authenticate carries only RFC 6750 §3 characters (no "§")', async () => {
    const t = await createTestHost();
    const client = await t.registerApp();
    const { accessToken } = await t.issueTokens({ client, scope: 'repo' });
    // Sent twice: the error's description names "RFC 6750 §2".
    const twice = await t.client.send(`/api/me?access_token=${accessToken}`, {
      headers: { authorization: bearer(accessToken) },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error_description).toContain('§');
    const challenge = String(twice.headers['www-authenticate']);
    expect(challenge).toMatch(/^Bearer [\x20-\x7E]+$/);
    expect(challenge).not.toContain('§');
  });

  it('registered redirect URIs may not carry code, state, error, error_description, error_uri or iss', async () => {
    const t = await createTestHost();
    for (const name of ['code', 'state', 'error', 'error_description', 'error_uri', 'iss']) {
      await expect(
        t.provider.applications.create(
          {
            name: 'A',
            homepageUrl: 'https://a.example',
            redirectUris: [`https://a.example/cb?${name}=x`],
            confidential: true,
            scopes: [],
          },
          'alice',
        ),
      ).rejects.toMatchObject({ field: 'redirectUris[0]' });
    }
    const ok = await t.provider.applications.create(
      {
        name: 'A',
        homepageUrl: 'https://a.example',
        redirectUris: ['https://a.example/cb?tenant=x'],
        confidential: true,
        scopes: [],
      },
      'alice',
    );
    expect(ok.application.redirectUris).toEqual(['https://a.example/cb?tenant=x']);
  });

  it('a refresh replay within the grace interval gets an access token, never a second live refresh chain', async () => {
    const t = await createTestHost({ refreshTokenReuseGraceSeconds: 30 });
    const client = await t.registerApp();
    const issued = await t.issueTokens({ client, scope: 'repo' });
    const first = await t.refresh(client, issued.refreshToken);
    const replay = await t.refresh(client, issued.refreshToken);
    expect(replay.status).toBe(200);
    expect(replay.body.refresh_token).toBeUndefined();
    const live = await t.adapter.listTokens({ applicationId: client.id, kind: 'refresh' });
    expect(live.filter((record) => record.consumedAt === null)).toHaveLength(1);
    expect(live.find((record) => record.consumedAt === null)?.hash).toBe(
      sha256Hex(String(first.body.refresh_token)),
    );
  });

  it('personal tokens created through the API expire in 30 days unless expires_in: null asks otherwise', async () => {
    const t = await createTestHost();
    const alice = t.browser('alice');
    const created = await alice.send('/settings/api/tokens', { json: { name: 'script', scopes: ['repo'] } });
    const lifetime =
      Date.parse(String(created.body.expires_at)) - Date.parse(String(created.body.created_at));
    expect(lifetime).toBe(30 * 24 * 3600 * 1000);
  });
});
