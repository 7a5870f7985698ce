/**
 * `provider.events` (lib/events/provider-events.ts): each event is emitted with its documented
 * payload during realistic flows (settings API, consent, RFC 6749 §4.1 code flow, §6 refresh
 * rotation, §4.1.2 code reuse, RFC 7009 revocation, RFC 8628 device flow, the opt-in grants), no
 * payload ever carries a secret or the hash of one, and a listener that throws never breaks the
 * request: its error goes to `onError`.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import type { ProviderEventMap, ProviderEventName } from '../../lib/events/provider-events';
import * as deviceFlow from '../support/device-flow';
import { DEVICE_GRANT, REDIRECT_URI, TOKEN_LIFECYCLE_EVENTS, USER_HEADER } from '../support/fixtures';
import * as flows from '../support/flows';
import { authorizeQuery, fragmentParams } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

const EVENT_NAMES: ProviderEventName[] = [
  'authorization.granted',
  'authorization.denied',
  ...TOKEN_LIFECYCLE_EVENTS,
  'client.secret_reset',
  'application.created',
  'application.deleted',
];

interface Recorded {
  name: ProviderEventName;
  event: ProviderEventMap[ProviderEventName];
}

const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestHost;
let recorded: Recorded[];
/** Every secret the flows below saw: tokens, codes, client secrets, user codes, CSRF tokens. */
let secrets: string[];

function keep(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error(`expected a secret, got ${String(value)}`);
  secrets.push(value);
  return value;
}

function eventsNamed<K extends ProviderEventName>(name: K): ProviderEventMap[K][] {
  return recorded.filter((entry) => entry.name === name).map((entry) => entry.event as ProviderEventMap[K]);
}

/** The events recorded while `action` ran. */
async function during(action: () => Promise<unknown>): Promise<Recorded[]> {
  const start = recorded.length;
  await action();
  return recorded.slice(start);
}

beforeEach(async () => {
  t = await createTestHost({
    grantTypes: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'password',
      'implicit',
      DEVICE_GRANT,
    ],
    verifyPassword: (username, password) =>
      username === 'bob' && password === 'bob-pass' ? { id: 'bob' } : null,
  });
  recorded = [];
  secrets = [];
  for (const name of EVENT_NAMES) {
    t.provider.events.on(name, (event) => recorded.push({ name, event }));
  }
});

/** Registers an application through the settings JSON API, as its owner would. */
async function createApplication(owner: string, confidential = true): Promise<RegisteredApp> {
  const response = await request(t.app)
    .post('/settings/api/applications')
    .set(USER_HEADER, owner)
    .send({
      name: 'Audited App',
      homepage_url: 'https://client.example',
      redirect_uris: [REDIRECT_URI],
      confidential,
    });
  expect(response.status).toBe(201);
  const application = await t.provider.applications.findByClientId(response.body.client_id);
  if (application === null) throw new Error('application not stored');
  return {
    id: response.body.id,
    application,
    clientId: response.body.client_id,
    clientSecret: confidential ? keep(response.body.client_secret) : null,
  };
}

/** Shows the consent page (whose CSRF token is a secret too) and answers it with `decision`. */
async function decideConsent(query: Record<string, string>, decision: 'approve' | 'deny', user = 'alice') {
  const browser = t.browser(user);
  const { fields } = await flows.consentPage(browser, query);
  keep(fields.csrf_token);
  return flows.postDecision(browser, fields, decision);
}

async function accessTokenId(token: string): Promise<string | undefined> {
  return (await t.adapter.findTokenByHash(sha256Hex(token)))?.id;
}

describe('provider.events in realistic flows', () => {
  it('settings API: application.created, client.secret_reset, application.deleted (+ token.revoked)', async () => {
    const app = await createApplication('owner-1');
    expect(eventsNamed('application.created')).toEqual([
      { clientId: app.clientId, applicationId: app.id, ownerId: 'owner-1' },
    ]);

    const reset = await request(t.app)
      .post(`/settings/api/applications/${app.id}/secret`)
      .set(USER_HEADER, 'owner-1')
      .set('X-Requested-With', 'fetch');
    expect(reset.status).toBe(200);
    keep(reset.body.client_secret);
    expect(eventsNamed('client.secret_reset')).toEqual([{ clientId: app.clientId, applicationId: app.id }]);

    const tokens = await t.issueTokens({
      client: { ...app, clientSecret: String(reset.body.client_secret) },
      scope: 'repo',
    });
    keep(tokens.accessToken);
    keep(tokens.refreshToken);
    const deleted = await during(() =>
      request(t.app)
        .delete(`/settings/api/applications/${app.id}`)
        .set(USER_HEADER, 'owner-1')
        .set('X-Requested-With', 'fetch')
        .expect(204),
    );
    expect(eventsNamed('token.revoked')[0]?.count).toBeGreaterThanOrEqual(2); // access and refresh
    expect(deleted).toEqual([
      // The count is of token records, so the consumed authorization code counts as well.
      {
        name: 'token.revoked',
        event: { reason: 'application', clientId: app.clientId, userId: null, count: expect.any(Number) },
      },
      { name: 'application.deleted', event: { clientId: app.clientId, applicationId: app.id } },
    ]);
  });

  it('code flow: authorization.granted, token.issued, token.refreshed, refresh_token.reused, code.reused', async () => {
    const client = await createApplication('owner-1');
    const query = authorizeQuery({ client, scope: 'repo,gist' });
    const approved = await during(() => decideConsent(query, 'approve'));
    expect(approved).toEqual([
      {
        name: 'authorization.granted',
        event: { userId: 'alice', clientId: client.clientId, scopes: ['repo', 'gist'] },
      },
    ]);

    const code = keep(await t.authorize({ client, scope: 'repo gist' }));
    const exchanged = await t.exchange({ client, code });
    const access = keep(exchanged.body.access_token);
    const refresh = keep(exchanged.body.refresh_token);
    expect(eventsNamed('token.issued')).toEqual([
      {
        grantType: 'authorization_code',
        clientId: client.clientId,
        userId: 'alice',
        scopes: ['repo', 'gist'],
        accessTokenId: await accessTokenId(access),
      },
    ]);
    expect(eventsNamed('token.issued')[0]?.accessTokenId).toMatch(UUID);

    const rotated = await t.refresh(client, refresh);
    const newAccess = keep(rotated.body.access_token);
    keep(rotated.body.refresh_token);
    expect(eventsNamed('token.refreshed')).toEqual([
      {
        clientId: client.clientId,
        userId: 'alice',
        scopes: ['repo', 'gist'],
        accessTokenId: await accessTokenId(newAccess),
      },
    ]);

    const replayed = await during(() => t.refresh(client, refresh));
    expect(replayed).toEqual([
      { name: 'refresh_token.reused', event: { clientId: client.clientId, userId: 'alice' } },
    ]);

    const reused = await during(() => t.exchange({ client, code }));
    expect(reused).toEqual([{ name: 'code.reused', event: { clientId: client.clientId, userId: 'alice' } }]);
  });

  it('consent denied: authorization.denied, and nothing is granted', async () => {
    const client = await createApplication('owner-1');
    const denied = await during(() => decideConsent(authorizeQuery({ client, scope: 'user' }), 'deny'));
    expect(denied).toEqual([
      { name: 'authorization.denied', event: { userId: 'alice', clientId: client.clientId } },
    ]);
  });

  it('RFC 7009 revocation and revoking an authorization: token.revoked, grant.revoked', async () => {
    const client = await createApplication('owner-1');
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    keep(tokens.accessToken);
    keep(tokens.refreshToken);
    const revoked = await during(() =>
      t.postAsClient('/oauth/revoke', client, { token: tokens.accessToken }),
    );
    expect(revoked).toEqual([
      {
        name: 'token.revoked',
        event: { reason: 'revocation_endpoint', clientId: client.clientId, userId: 'alice', count: 1 },
      },
    ]);
    // Revoking an unknown token reveals nothing and emits nothing.
    expect(await during(() => t.postAsClient('/oauth/revoke', client, { token: 'unknown' }))).toEqual([]);

    const removed = await during(() =>
      request(t.app)
        .delete(`/settings/api/authorizations/${client.clientId}`)
        .set(USER_HEADER, 'alice')
        .set('X-Requested-With', 'fetch')
        .expect(204),
    );
    expect(eventsNamed('token.revoked')[1]?.count).toBeGreaterThanOrEqual(1); // the refresh token
    expect(removed).toEqual([
      {
        name: 'token.revoked',
        event: { reason: 'grant', clientId: client.clientId, userId: 'alice', count: expect.any(Number) },
      },
      { name: 'grant.revoked', event: { userId: 'alice', clientId: client.clientId, reason: 'user' } },
    ]);
  });

  it('device flow: authorization.granted at the device page, token.issued at the poll; deny → authorization.denied', async () => {
    const tv = await createApplication('owner-1', false);
    const device = await deviceFlow.requestDeviceCode(t.client, tv, 'user');
    keep(device.device_code);
    keep(device.user_code);
    const approved = await during(() => deviceFlow.decideDevice(t.browser(), device.user_code, 'approve'));
    expect(approved).toEqual([
      { name: 'authorization.granted', event: { userId: 'alice', clientId: tv.clientId, scopes: ['user'] } },
    ]);
    const tokens = await deviceFlow.pollDevice(t.client, tv, device.device_code);
    keep(tokens.body.access_token);
    keep(tokens.body.refresh_token);
    expect(eventsNamed('token.issued')).toEqual([
      {
        grantType: DEVICE_GRANT,
        clientId: tv.clientId,
        userId: 'alice',
        scopes: ['user'],
        accessTokenId: await accessTokenId(String(tokens.body.access_token)),
      },
    ]);

    const second = await deviceFlow.requestDeviceCode(t.client, tv);
    keep(second.device_code);
    keep(second.user_code);
    const denied = await during(() => deviceFlow.decideDevice(t.browser('bob'), second.user_code, 'deny'));
    expect(denied).toEqual([
      { name: 'authorization.denied', event: { userId: 'bob', clientId: tv.clientId } },
    ]);
  });

  it('opt-in grants: password, client_credentials and implicit each emit token.issued with their grant type', async () => {
    const client = await createApplication('owner-1');
    const password = await t.token(client, {
      grant_type: 'password',
      username: 'bob',
      password: keep('bob-pass'),
      scope: 'gist',
    });
    keep(password.body.access_token);
    keep(password.body.refresh_token);
    const machine = await t.token(client, {
      grant_type: 'client_credentials',
      scope: 'ci:status',
    });
    keep(machine.body.access_token);
    const implicit = await decideConsent(
      { ...authorizeQuery({ client, pkce: null, scope: 'user' }), response_type: 'token' },
      'approve',
    );
    const implicitToken = keep(fragmentParams(implicit).get('access_token'));

    expect(eventsNamed('token.issued')).toEqual([
      {
        grantType: 'password',
        clientId: client.clientId,
        userId: 'bob',
        scopes: ['gist'],
        accessTokenId: await accessTokenId(String(password.body.access_token)),
      },
      {
        grantType: 'client_credentials',
        clientId: client.clientId,
        userId: null,
        scopes: ['ci:status'],
        accessTokenId: await accessTokenId(String(machine.body.access_token)),
      },
      {
        grantType: 'implicit',
        clientId: client.clientId,
        userId: 'alice',
        scopes: ['user'],
        accessTokenId: await accessTokenId(implicitToken),
      },
    ]);
    expect(eventsNamed('authorization.granted')).toEqual([
      { userId: 'bob', clientId: client.clientId, scopes: ['gist'] },
      { userId: 'alice', clientId: client.clientId, scopes: ['user'] },
    ]);
  });

  afterEach(() => {
    // No payload carries a secret, nor the SHA-256 hash stored for one.
    const serialized = JSON.stringify(recorded);
    expect(recorded.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect({ secret, found: serialized.includes(secret) }).toEqual({ secret, found: false });
      expect({ secret, hashFound: serialized.includes(sha256Hex(secret)) }).toEqual({
        secret,
        hashFound: false,
      });
    }
    expect(t.errors).toEqual([]);
  });
});

describe('a listener that throws', () => {
  it('does not break the request; its error reaches onError', async () => {
    const client = await t.registerApp();
    const failure = new Error('audit log is down');
    t.provider.events.on('token.issued', () => {
      throw failure;
    });
    const seen: string[] = [];
    t.provider.events.on('token.issued', (event) => seen.push(event.grantType));

    const response = await t.token(client, { grant_type: 'client_credentials' });
    expect(response.status).toBe(200);
    expect(response.body.access_token).toMatch(/^eoa_/);
    expect(t.errors).toEqual([failure]);
    // The other listeners still run.
    expect(seen).toEqual(['client_credentials']);
  });

  it('mid-flow (authorization.granted during consent): the redirect with the code still happens', async () => {
    const client = await t.registerApp();
    t.provider.events.on('authorization.granted', () => {
      throw new TypeError('listener bug');
    });
    const code = await t.authorize({ client, scope: 'repo' });
    expect(code).toMatch(/^eoc_/);
    expect((await t.exchange({ client, code })).status).toBe(200);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toBeInstanceOf(TypeError);
  });
});
