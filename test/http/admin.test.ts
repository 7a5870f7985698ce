/**
 * The operator view (`provider.adminRouter`, DESIGN.md "Admin"): on the example provider alice is
 * an administrator and bob is not; pages under `/admin`, JSON under `/admin/api`;
 * `GET /admin/api/applications` lists every application, host-created ones included; bob gets
 * 403; every JSON write needs `application/json`; bad input gets a 4xx. The router checks
 * `isAdmin` itself, even where the host mounts it without a check.
 */
import express from 'express';
import { MemoryAdapter } from '../../adapters/memory';
import { ConfigurationError, createProvider } from '../../lib';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import { HOST_APPLICATION, ISSUER, SCOPES } from '../support/fixtures';
import { callApi, login, registerViaApi } from '../support/flows';
import { csrfToken } from '../support/html';
import { UserAgent } from '../support/user-agent';

let host: ExampleHost;
let alice: UserAgent;
let bob: UserAgent;

async function signedIn(username: string): Promise<UserAgent> {
  const browser = host.browser();
  await login(browser, username, `${username}-pass`);
  return browser;
}

/** A personal token of bob's, made through the settings API: its id and secret. */
async function bobsToken(): Promise<{ id: string; token: string }> {
  const answer = await bob.send('/settings/api/tokens', { json: { name: 'laptop', scopes: ['gist'] } });
  expect(answer.status).toBe(201);
  return { id: String(answer.body.id), token: String(answer.body.token) };
}

beforeEach(async () => {
  host = await createExampleHost({ issuer: 'http://127.0.0.1:3999' });
  alice = await signedIn('alice');
  bob = await signedIn('bob');
});

describe('the admin JSON API', () => {
  it('lists every application: registered by users and created by host code', async () => {
    const own = await registerViaApi(bob, { name: "Bob's app" });
    const hosted = await host.provider.applications.create(HOST_APPLICATION, null);
    const answer = await alice.send('/admin/api/applications');
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const listed: { client_id: string; owner_id: string | null; name: string }[] = JSON.parse(answer.text);
    expect(listed.map((app) => [app.name, app.owner_id])).toEqual(
      expect.arrayContaining([
        ["Bob's app", '2'],
        ['Host CI', null],
      ]),
    );
    expect(JSON.stringify(listed)).not.toMatch(/secret|hash/i);
    expect(listed.map((app) => app.client_id)).toEqual(
      expect.arrayContaining([own.clientId, hosted.application.clientId]),
    );
  });

  it('pages with limit and a Link header (rel="next"), visiting each application once', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) created.push((await registerViaApi(bob, { name: `App ${i}` })).id);
    const seen: string[] = [];
    let next: string | null = '/admin/api/applications?limit=2';
    for (let page = 0; next !== null && page < 10; page += 1) {
      const answer = await alice.send(next);
      expect(answer.status).toBe(200);
      const batch: { id: string }[] = JSON.parse(answer.text);
      expect(batch.length).toBeLessThanOrEqual(2);
      seen.push(...batch.map((app) => app.id));
      next = /<([^>]+)>; rel="next"/.exec(answer.headers.link ?? '')?.[1] ?? null;
    }
    // Bob's five, and the example's configured first-party app: each once.
    expect(seen.filter((id) => created.includes(id))).toHaveLength(5);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it("shows each application's trust, which it cannot change (only host code can)", async () => {
    const own = await registerViaApi(bob, { name: "Bob's app" });
    const listed: { client_id: string; trust: string; skip_consent: boolean }[] = JSON.parse(
      (await alice.send('/admin/api/applications')).text,
    );
    const byClientId = new Map(listed.map((app) => [app.client_id, [app.trust, app.skip_consent]]));
    expect(byClientId.get('example-first-party')).toEqual(['first-party', true]);
    expect(byClientId.get(own.clientId)).toEqual(['user', false]);
    const page = await alice.send(`/admin/applications/${own.id}`);
    expect(page.text).toContain('<dd class="trust">Registered by a user (unverified)</dd>');
    // No admin route changes trust: a PATCH is not a route, and a POST with trust is not either.
    const patch = await alice.send(`/admin/api/applications/${own.id}`, {
      method: 'PATCH',
      json: { trust: 'first-party' },
    });
    expect(patch.status).toBe(404);
    expect((await host.adapter.findApplicationById(own.id))?.trust).toBe('user');
  });

  it('answers bad paging input with 400 invalid_request', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=ten',
      'after=nonsense',
      `after=${Buffer.from('[1,""]').toString('base64url')}`,
    ]) {
      const answer = await alice.send(`/admin/api/applications?${query}`);
      expect([query, answer.status, answer.body.error]).toEqual([query, 400, 'invalid_request']);
    }
  });

  it("refuses bob with 403 on every route (a visitor meets the host's own check: the login)", async () => {
    const app = await registerViaApi(bob);
    const anonymous = host.browser();
    for (const [method, path] of [
      ['GET', '/admin/api/applications'],
      ['GET', `/admin/api/applications/${app.id}`],
      ['DELETE', `/admin/api/applications/${app.id}`],
      ['POST', `/admin/api/applications/${app.id}/revoke-tokens`],
      ['GET', '/admin/api/users/2/authorizations'],
      ['GET', '/admin/api/users/2/tokens'],
    ] as const) {
      const headers = { 'content-type': 'application/json' };
      expect([path, (await bob.send(path, { method, headers })).status]).toEqual([path, 403]);
      expect([path, (await anonymous.send(path, { method, headers })).status]).toEqual([path, 302]);
    }
    expect((await bob.send('/admin/api/applications')).body).toEqual({
      error: 'forbidden',
      error_description: 'This page is for administrators only',
    });
  });

  it('refuses writes that are not application/json with 415, with a body or without', async () => {
    const app = await registerViaApi(bob);
    const formPost = await alice.send(`/admin/api/applications/${app.id}/revoke-tokens`, {
      form: { x: '1' },
    });
    expect([formPost.status, formPost.body.error]).toEqual([415, 'invalid_request']);
    const bareDelete = await alice.send(`/admin/api/applications/${app.id}`, { method: 'DELETE' });
    expect(bareDelete.status).toBe(415);
    const plain = await alice.send(`/admin/api/applications/${app.id}`, {
      method: 'DELETE',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(plain.status).toBe(415);
    expect((await alice.send(`/admin/api/applications/${app.id}`)).status).toBe(200);
  });

  it("revokes an application's tokens, deletes it, and answers 404 for one that does not exist", async () => {
    const app = await registerViaApi(bob);
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret ?? ''}`).toString('base64')}`;
    const issued = await host.browser().send('/oauth/token', {
      headers: { authorization: basic },
      form: { grant_type: 'client_credentials', scope: 'ci:status' },
    });
    const accessToken = String(issued.body.access_token);
    expect((await callApi(host.browser(), '/api/user', accessToken)).status).toBe(403);
    const json = { headers: { 'content-type': 'application/json' } };
    expect(
      (await alice.send(`/admin/api/applications/${app.id}/revoke-tokens`, { method: 'POST', ...json }))
        .status,
    ).toBe(204);
    expect((await callApi(host.browser(), '/api/user', accessToken)).status).toBe(401);
    expect(
      (await alice.send(`/admin/api/applications/${app.id}`, { method: 'DELETE', ...json })).status,
    ).toBe(204);
    expect((await alice.send(`/admin/api/applications/${app.id}`)).status).toBe(404);
    expect(
      (await alice.send(`/admin/api/applications/${app.id}`, { method: 'DELETE', ...json })).status,
    ).toBe(404);
    expect((await alice.send('/admin/api/applications/%ZZ')).status).toBe(400);
  });

  it("lists a user's live tokens and revokes one; the token stops working", async () => {
    const { id, token } = await bobsToken();
    const tokens = await alice.send('/admin/api/users/2/tokens');
    expect(tokens.status).toBe(200);
    expect(JSON.parse(tokens.text)).toEqual([
      expect.objectContaining({ id, kind: 'personal', client_id: null, name: 'laptop', scopes: ['gist'] }),
    ]);
    expect(tokens.text).not.toContain(token);
    expect((await callApi(host.browser(), '/api/user', token)).status).toBe(200);
    const json = { method: 'DELETE', headers: { 'content-type': 'application/json' } };
    expect((await alice.send(`/admin/api/users/2/tokens/${id}`, json)).status).toBe(204);
    expect((await callApi(host.browser(), '/api/user', token)).status).toBe(401);
    expect((await alice.send(`/admin/api/users/2/tokens/${id}`, json)).status).toBe(404);
    expect((await alice.send(`/admin/api/users/1/tokens/${id}`, json)).status).toBe(404);
  });
});

describe('the admin pages', () => {
  it('show alice every application, host-created ones included, and answer bob with a 403 page', async () => {
    await host.provider.applications.create(HOST_APPLICATION, null);
    const page = await alice.send('/admin/applications');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Host CI');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const refused = await bob.send('/admin/applications');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('This page is for administrators only');
    expect(refused.text).not.toContain('Host CI');
    const visitor = await host.browser().send('/admin/applications');
    expect([visitor.status, visitor.headers.location]).toEqual([
      302,
      '/login?return_to=%2Fadmin%2Fapplications',
    ]);
  });

  it("revoke a user's authorization with a CSRF-protected form, and refuse the form without its token", async () => {
    const { id } = await bobsToken();
    const page = await alice.send('/admin/users/2');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/admin/users/2/tokens/${id}/revoke`);
    expect(page.text).toContain('bob (2)');
    const forged = await alice.send(`/admin/users/2/tokens/${id}/revoke`, { form: { csrf_token: 'forged' } });
    expect(forged.status).toBe(403);
    const revoked = await alice.send(`/admin/users/2/tokens/${id}/revoke`, {
      form: { csrf_token: csrfToken(page.text) },
    });
    expect([revoked.status, revoked.headers.location]).toEqual([303, '/admin/users/2?notice=token-revoked']);
    const after = await alice.send(revoked.headers.location ?? '');
    expect(after.text).toContain('Token revoked.');
    expect(after.text).not.toContain(`/tokens/${id}/revoke`);
  });

  it('answer in German to Accept-Language: de', async () => {
    const page = await alice.send('/admin/applications', { headers: { 'accept-language': 'de' } });
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Alle Anwendungen');
  });
});

describe('provider.adminRouter', () => {
  const base = {
    adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
    issuer: ISSUER,
    scopes: SCOPES,
    currentUser: () => ({ id: 'u1' }),
    loginUrl: '/login',
    purgeIntervalSeconds: 0,
  };

  it('cannot be used without isAdmin: reading it throws a ConfigurationError', () => {
    const provider = createProvider(base);
    expect(() => provider.adminRouter).toThrow(ConfigurationError);
    expect(() => provider.adminRouter).toThrow(/"isAdmin" is required to use provider.adminRouter/);
  });

  it('refuses (403) whoever isAdmin does not say true to, even mounted without a check of the host', async () => {
    for (const verdict of [false, 'yes', 1, undefined]) {
      const provider = createProvider({ ...base, isAdmin: () => verdict as boolean });
      const app = express().use('/admin', provider.adminRouter);
      const agent = new UserAgent(app, null);
      expect([verdict, (await agent.send('/admin/api/applications')).status]).toEqual([verdict, 403]);
      expect([verdict, (await agent.send('/admin/applications')).status]).toEqual([verdict, 403]);
    }
    const admitted = createProvider({ ...base, isAdmin: async () => true });
    const agent = new UserAgent(express().use('/admin', admitted.adminRouter), null);
    expect((await agent.send('/admin/api/applications')).status).toBe(200);
  });
});
