/**
 * RFC 9396 (OAuth 2.0 Rich Authorization Requests), section by section, on a host that declares
 * one authorization details type, `project`, whose resources are listed per user (some with
 * markup in their names, to check the consent page escapes them). Runs on every adapter.
 */
import type { ResourceOwner } from '../../lib';
import { REDIRECT_URI, SCOPES } from '../support/fixtures';
import { consentPage, exchange, introspect, postDecision, refresh } from '../support/flows';
import { decodeEntities } from '../support/html';
import { locationParams } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

const PROJECTS: Record<string, { id: string; name: string }[]> = {
  alice: [
    { id: 'p1', name: 'Apollo' },
    { id: 'p2', name: '<script>alert(1)</script>' },
    { id: 'p3', name: 'Zeus & "Hera"' },
  ],
};

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost({
    scopes: {
      ...SCOPES,
      'project:write': {
        description: 'Change projects',
        includes: ['project:read'],
        resourceType: 'project',
      },
      'project:read': { description: 'Read projects', resourceType: 'project' },
    },
    resourceTypes: {
      project: {
        name: 'projects',
        list: (user: ResourceOwner, { cursor, limit }) => {
          const all = PROJECTS[user.id] ?? [];
          const start = cursor === null ? 0 : Number(cursor);
          return {
            items: all.slice(start, start + limit),
            next: start + limit < all.length ? String(start + limit) : null,
          };
        },
        authorizationDetails: { actions: { read: 'project:read', write: 'project:write' } },
      },
    },
  });
  client = await t.registerApp();
});

const query = (extra: Record<string, string>) => ({
  response_type: 'code',
  client_id: client.clientId,
  redirect_uri: REDIRECT_URI,
  state: 'st',
  ...extra,
});

/** Approves with the page's own checked inputs (what an unchanged form posts), minus `unticked`. */
async function approve(details: unknown[], unticked: readonly string[] = []) {
  const browser = t.browser('alice');
  const { page, fields } = await consentPage(
    browser,
    query({ authorization_details: JSON.stringify(details) }),
  );
  const checked: Record<string, string> = {};
  for (const [tag] of page.text.matchAll(/<input type="(?:radio|checkbox)"[^>]*checked[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined && value !== undefined) checked[decodeEntities(name)] = decodeEntities(value);
  }
  for (const name of unticked) delete checked[name];
  const approved = await postDecision(browser, { ...fields, ...checked }, 'approve');
  expect(approved.status).toBe(302);
  const tokens = await exchange(t.client, client, { code: locationParams(approved).get('code') ?? '' });
  expect(tokens.status).toBe(200);
  return { page, tokens };
}

describe('RFC 9396 §2: authorization_details on the authorization request', () => {
  it('§2, §3: a valid array of a declared type is accepted, maps its actions to scopes and pre-selects the identifiers', async () => {
    const { page, tokens } = await approve([{ type: 'project', identifier: 'p1', actions: ['read'] }]);
    expect(page.text).toMatch(/<input type="checkbox"[^>]*value="p1" checked>/);
    expect(page.text).toMatch(/<input type="radio" name="resources:project:read" value="selected" checked>/);
    expect(tokens.body.scope).toBe('project:read');
  });

  it('§2: several objects and `identifiers` combine; actions of one type map to their scopes', async () => {
    const { tokens } = await approve([
      { type: 'project', identifiers: ['p1', 'p3'], actions: ['read'] },
      { type: 'project', identifier: 'p2', actions: ['write'] },
    ]);
    expect(tokens.body.authorization_details).toEqual([
      { type: 'project', identifier: 'p1', actions: ['read'] },
      { type: 'project', identifier: 'p2', actions: ['read', 'write'] },
      { type: 'project', identifier: 'p3', actions: ['read'] },
    ]);
  });

  it('§5: an unknown type, an unknown action, an undefined field or malformed JSON → invalid_authorization_details at the redirect URI, with state (a host application; an unverified one gets a page, RFC 9700 §4.11.2)', async () => {
    const hostApp = await t.registerApp({ trust: 'host' });
    const unverified = await t.registerApp({ owner: 'bob' });
    for (const bad of [
      [{ type: 'payment_initiation', actions: ['initiate'] }],
      [{ type: 'project', actions: ['delete'] }],
      [{ type: 'project', actions: ['read'], datatypes: ['x'] }],
      [{ type: 'project' }],
      [{ type: 'project', actions: ['read'], identifier: 7 }],
      { type: 'project', actions: ['read'] },
    ]) {
      const answer = await t
        .browser('alice')
        .send(
          `/oauth/authorize?${new URLSearchParams({ ...query({ authorization_details: JSON.stringify(bad) }), client_id: hostApp.clientId })}`,
        );
      expect(answer.status).toBe(302);
      const params = locationParams(answer);
      expect(params.get('error')).toBe('invalid_authorization_details');
      expect(params.get('state')).toBe('st');
      const page = await t
        .browser('alice')
        .send(
          `/oauth/authorize?${new URLSearchParams({ ...query({ authorization_details: JSON.stringify(bad) }), client_id: unverified.clientId })}`,
        );
      expect(page.status).toBe(400);
      expect(page.headers.location).toBeUndefined();
      expect(page.text).toContain('invalid_authorization_details');
    }
  });

  it('the consent page escapes resource names (markup in a name is text) and stays unframeable', async () => {
    const { page } = await consentPage(t.browser('alice'), query({ scope: 'project:write' }));
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('Zeus &amp; &quot;Hera&quot;');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('the authorizations and tokens pages escape resource names too, and stay unframeable', async () => {
    await approve([{ type: 'project', identifier: 'p2', actions: ['read'] }]);
    for (const path of ['/settings/authorizations', '/settings/tokens']) {
      const page = await t.browser('alice').send(path);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('<script>alert(1)</script>');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('the consent form keeps its CSRF check: an approval without the token is refused', async () => {
    const browser = t.browser('alice');
    const { fields } = await consentPage(browser, query({ scope: 'project:read' }));
    const { csrf_token: _dropped, ...withoutCsrf } = fields;
    const answer = await postDecision(
      browser,
      { ...withoutCsrf, 'resources:project:read': 'all' },
      'approve',
    );
    expect(answer.status).toBe(403);
  });
});

describe('RFC 9396 §6, §7, §9.2, §10: what comes back', () => {
  it('§7: the token response carries the granted authorization_details', async () => {
    const { tokens } = await approve([{ type: 'project', identifier: 'p3', actions: ['write'] }]);
    expect(tokens.body.authorization_details).toEqual([
      { type: 'project', identifier: 'p3', actions: ['read', 'write'] },
    ]);
  });

  it('§7: what the user chose at consent wins over what was asked (the user unticks one)', async () => {
    const { tokens } = await approve(
      [{ type: 'project', identifiers: ['p1', 'p3'], actions: ['read'] }],
      ['resource:project:read:2'],
    );
    expect(tokens.body.authorization_details).toEqual([
      { type: 'project', identifier: 'p1', actions: ['read'] },
    ]);
  });

  it('§6: a refresh may narrow authorization_details and never widen them', async () => {
    const { tokens } = await approve([{ type: 'project', identifiers: ['p1', 'p2'], actions: ['read'] }]);
    const refreshToken = String(tokens.body.refresh_token);
    const wider = await refresh(t.client, client, refreshToken, {
      authorization_details: JSON.stringify([{ type: 'project', identifier: 'p3', actions: ['read'] }]),
    });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_authorization_details');
    const narrower = await refresh(t.client, client, refreshToken, {
      authorization_details: JSON.stringify([{ type: 'project', identifier: 'p2', actions: ['read'] }]),
    });
    expect(narrower.status).toBe(200);
    expect(narrower.body.authorization_details).toEqual([
      { type: 'project', identifier: 'p2', actions: ['read'] },
    ]);
    const malformed = await refresh(t.client, client, String(narrower.body.refresh_token), {
      authorization_details: '[{',
    });
    expect(malformed.body.error).toBe('invalid_authorization_details');
  });

  it('§9.2: introspection of an active token carries its authorization_details', async () => {
    const { tokens } = await approve([{ type: 'project', identifier: 'p1', actions: ['read'] }]);
    const answer = await introspect(t.client, client, String(tokens.body.access_token));
    expect(answer.body).toMatchObject({
      active: true,
      authorization_details: [{ type: 'project', identifier: 'p1', actions: ['read'] }],
    });
  });

  it('§10: the metadata lists authorization_details_types_supported; a host without types leaves it out', async () => {
    const metadata = await t.client.send('/.well-known/oauth-authorization-server');
    expect(metadata.body.authorization_details_types_supported).toEqual(['project']);
    const plain = await createTestHost();
    const none = await plain.client.send('/.well-known/oauth-authorization-server');
    expect(none.body).not.toHaveProperty('authorization_details_types_supported');
    await plain.close();
  });
});
