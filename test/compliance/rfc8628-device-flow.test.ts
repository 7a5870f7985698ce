/**
 * RFC 8628 (device authorization grant): §3.1–3.2 the device authorization request and response,
 * §3.3 user interaction at the verification URI, §3.4–3.5 polling the token endpoint
 * (`authorization_pending`, `slow_down`, `access_denied`, `expired_token`), §5.1 rate limiting of
 * user code guesses, §6.1 the user code alphabet; RFC 8414 / DESIGN: off unless `grantTypes`
 * lists the device grant.
 */
import request from 'supertest';
import { interceptAdapter } from '../support/adapters';
import { expectActsFor, expectTokenResponse } from '../support/assertions';
import { advanceClock, freezeClock } from '../support/clock';
import * as deviceFlow from '../support/device-flow';
import { DEVICE_GRANT, ISSUER, WITH_DEVICE_GRANT } from '../support/fixtures';
import { hiddenFields } from '../support/html';
import type { ClientCredentials } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost({ grantTypes: WITH_DEVICE_GRANT });
  client = await t.registerApp({ name: 'Smart TV', confidential: false });
});

/** §3.1 as the device (`client` by default). */
const requestDeviceCode = (scope?: string, as: ClientCredentials = client) =>
  deviceFlow.requestDeviceCode(t.client, as, scope);
/** §3.4: one poll. */
const pollDevice = (deviceCode: string, as: ClientCredentials = client) =>
  deviceFlow.pollDevice(t.client, as, deviceCode);
/** §3.3 in `user`'s browser: the code as typed, then the decision. */
const decideDevice = (typed: string, decision: 'approve' | 'deny', user = 'alice') =>
  deviceFlow.decideDevice(t.browser(user), typed, decision);
/** Posts a typed code from the code form; the consent page when it is right. */
const enterCode = (typed: string, user = 'alice') => deviceFlow.enterUserCode(t.browser(user), typed);

/** A page under the device verification URI, as the test host's logged-in user. */
function devicePage(path = '/oauth/device', user = 'alice') {
  return t.browser(user).send(path);
}

describe('RFC 8628 §3.1–3.2: device authorization request and response', () => {
  it('answers device_code, user_code, verification_uri(_complete), expires_in 900, interval 5', async () => {
    const response = await t.postAsClient('/oauth/device/code', client, { scope: 'repo' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      device_code: expect.stringMatching(/^eod_/),
      user_code: expect.stringMatching(USER_CODE),
      verification_uri: `${ISSUER}/oauth/device`,
      verification_uri_complete: expect.any(String),
      expires_in: 900,
      interval: 5,
    });
    const complete = new URL(String(response.body.verification_uri_complete));
    expect(`${complete.origin}${complete.pathname}`).toBe(`${ISSUER}/oauth/device`);
    expect(complete.searchParams.get('user_code')).toBe(response.body.user_code);
  });

  it('every request gets a fresh device code and user code', async () => {
    const first = await requestDeviceCode();
    const second = await requestDeviceCode();
    expect(second.device_code).not.toBe(first.device_code);
    expect(second.user_code).not.toBe(first.user_code);
  });

  it('§3.1: the client authenticates like at the token endpoint (unknown client, wrong secret → 401)', async () => {
    const unknown = await t.client.send('/oauth/device/code', { form: { client_id: 'nobody' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_client');
    const confidential = await t.registerApp({ name: 'CLI', confidential: true });
    const wrong = await t.postAsClient(
      '/oauth/device/code',
      { ...confidential, clientSecret: 'wrong' },
      {},
      'body',
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect((await t.postAsClient('/oauth/device/code', confidential, {})).status).toBe(200);
  });

  it('§3.2: an unknown scope or one the client may not request → 400 invalid_scope', async () => {
    const unknown = await t.postAsClient('/oauth/device/code', client, { scope: 'admin' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_scope');
    const limited = await t.registerApp({ name: 'Limited', confidential: false, scopes: ['user'] });
    const beyond = await t.postAsClient('/oauth/device/code', limited, { scope: 'repo' });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toBe('invalid_scope');
  });
});

describe('RFC 8628 §3.4–3.5: polling', () => {
  it('before the user decides → 400 authorization_pending', async () => {
    const device = await requestDeviceCode();
    const poll = await pollDevice(device.device_code);
    expect(poll.status).toBe(400);
    expect(poll.body.error).toBe('authorization_pending');
    expect(poll.headers['cache-control']).toBe('no-store');
  });

  it('polling again faster than the interval → slow_down; at the interval → pending again', async () => {
    freezeClock();
    const device = await requestDeviceCode();
    expect((await pollDevice(device.device_code)).body.error).toBe('authorization_pending');
    advanceClock(2);
    const fast = await pollDevice(device.device_code);
    expect(fast.status).toBe(400);
    expect(fast.body.error).toBe('slow_down');
    // The server compares against the base interval from the last poll; the client adds 5 s.
    advanceClock(device.interval + 5);
    expect((await pollDevice(device.device_code)).body.error).toBe('authorization_pending');
    advanceClock(device.interval);
    expect((await pollDevice(device.device_code)).body.error).toBe('authorization_pending');
  });

  it('devicePollInterval sets the advertised interval', async () => {
    t = await createTestHost({ grantTypes: WITH_DEVICE_GRANT, devicePollInterval: 2 });
    client = await t.registerApp({ confidential: false });
    expect((await requestDeviceCode()).interval).toBe(2);
  });

  it('approved → the next poll returns tokens once; the poll after that → invalid_grant', async () => {
    const device = await requestDeviceCode('repo gist');
    await pollDevice(device.device_code);
    const done = await decideDevice(device.user_code, 'approve');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Device connected');

    const tokens = await pollDevice(device.device_code);
    expectTokenResponse(tokens, 'repo gist');
    expectActsFor(await t.me(tokens.body.access_token), {
      user: 'alice',
      clientId: client.clientId,
      scopes: ['repo', 'gist'],
    });

    const again = await pollDevice(device.device_code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    // The first tokens stay valid: a redeemed code polled again is not a theft signal.
    expect((await t.me(tokens.body.access_token)).status).toBe(200);
  });

  it('20 concurrent polls after approval → exactly one gets tokens, and they keep working', async () => {
    // Storage that answers the atomic consume a little late, so every poll passes the
    // "already used?" check before the first one consumes the code: a real race.
    t = await createTestHost({
      grantTypes: WITH_DEVICE_GRANT,
      wrapAdapter: (adapter) =>
        interceptAdapter(adapter, async (method, proceed) => {
          if (method === 'consumeToken') await new Promise((resolve) => setTimeout(resolve, 30));
          return proceed();
        }),
    });
    client = await t.registerApp({ name: 'Smart TV', confidential: false });
    const device = await requestDeviceCode('repo');
    await decideDevice(device.user_code, 'approve');
    const polls = await Promise.all(Array.from({ length: 20 }, () => pollDevice(device.device_code)));
    const winners = polls.filter((poll) => poll.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of polls.filter((poll) => poll.status !== 200))
      expect(loser.body.error).toBe('invalid_grant');
    const token = winners[0]?.body.access_token;
    expect((await t.me(token)).status).toBe(200);
    // The losers' tokens did not survive: one live access token for this client.
    const live = await t.adapter.listTokens({ applicationId: client.application.id, kind: 'access' });
    expect(live).toHaveLength(1);
  });

  it('the refresh token of a device grant rotates like any other', async () => {
    const device = await requestDeviceCode('user');
    await decideDevice(device.user_code, 'approve');
    const tokens = await pollDevice(device.device_code);
    const refreshed = await t.refresh(client, String(tokens.body.refresh_token));
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe('user');
  });

  it('denied → access_denied (and it stays denied)', async () => {
    const device = await requestDeviceCode();
    const done = await decideDevice(device.user_code, 'deny');
    expect(done.status).toBe(200);
    expect(done.text).toContain('Access denied');
    const poll = await pollDevice(device.device_code);
    expect(poll.status).toBe(400);
    expect(poll.body.error).toBe('access_denied');
    expect((await pollDevice(device.device_code)).body.error).toBe('access_denied');
  });

  it('an expired device code → expired_token', async () => {
    freezeClock();
    const device = await requestDeviceCode();
    advanceClock(device.expires_in + 1);
    const poll = await pollDevice(device.device_code);
    expect(poll.status).toBe(400);
    expect(poll.body.error).toBe('expired_token');
  });

  it("another client's device code, an unknown or a garbage one → invalid_grant", async () => {
    const device = await requestDeviceCode();
    const other = await t.registerApp({ name: 'Other', confidential: false });
    expect((await pollDevice(device.device_code, other)).body.error).toBe('invalid_grant');
    const unknown = t.provider.options.tokens.generate('device');
    expect((await pollDevice(unknown)).body.error).toBe('invalid_grant');
    expect((await pollDevice(device.user_code)).body.error).toBe('invalid_grant');
    const missing = await t.postAsClient('/oauth/token', client, { grant_type: DEVICE_GRANT });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
  });
});

describe('RFC 8628 §3.3: the user enters the code at the verification URI', () => {
  it('the code form carries a CSRF token; a right code shows the consent page for the device', async () => {
    const device = await requestDeviceCode('repo');
    const form = await devicePage();
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="user_code"');
    expect(hiddenFields(form.text).csrf_token).toBeTruthy();
    const consent = await enterCode(device.user_code);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Smart TV');
    expect(consent.text).toContain('Full control of your repositories');
    expect(hiddenFields(consent.text)).toMatchObject({ user_code: device.user_code });
  });

  it.each([
    ['lowercase', (code: string) => code.toLowerCase()],
    ['without the hyphen', (code: string) => code.replace('-', '')],
    ['lowercase with spaces', (code: string) => ` ${code.toLowerCase().replace('-', ' ')} `],
  ])('accepts the code typed %s', async (_label, typed) => {
    const device = await requestDeviceCode();
    const done = await decideDevice(typed(device.user_code), 'approve');
    expect(done.status).toBe(200);
    expect((await pollDevice(device.device_code)).status).toBe(200);
  });

  it('verification_uri_complete opens the consent page directly', async () => {
    const device = await requestDeviceCode();
    const complete = new URL(device.verification_uri_complete);
    const alice = t.browser();
    const consent = await alice.send(`${complete.pathname}${complete.search}`);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Smart TV');
    const approved = await alice.send('/oauth/device', {
      form: { ...hiddenFields(consent.text), decision: 'approve' },
    });
    expect(approved.status).toBe(200);
    expect((await pollDevice(device.device_code)).status).toBe(200);
  });

  it('a decision without the CSRF token of this browser → 403, and the device stays pending', async () => {
    const device = await requestDeviceCode();
    const forged = await t.browser().send('/oauth/device', {
      form: { user_code: device.user_code, decision: 'approve', csrf_token: 'forged' },
    });
    expect(forged.status).toBe(403);
    expect((await pollDevice(device.device_code)).body.error).toBe('authorization_pending');
  });

  it('a code is decided once: entering it again after approval is refused', async () => {
    const device = await requestDeviceCode();
    await decideDevice(device.user_code, 'approve');
    const again = await enterCode(device.user_code, 'bob');
    expect(again.status).toBe(400);
    expect(again.text).toContain('not valid or has expired');
  });

  it('an expired user code is refused on the page', async () => {
    freezeClock();
    const device = await requestDeviceCode();
    advanceClock(device.expires_in + 1);
    const answer = await enterCode(device.user_code);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('not valid or has expired');
  });

  it('not logged in → redirect to the login page with return_to (GET keeps the user_code)', async () => {
    const bare = await request(t.app).get('/oauth/device');
    expect(bare.status).toBe(302);
    expect(bare.headers.location).toBe(`/login?return_to=${encodeURIComponent('/oauth/device')}`);
    const device = await requestDeviceCode();
    const complete = new URL(device.verification_uri_complete);
    const withCode = await request(t.app).get(`${complete.pathname}${complete.search}`);
    expect(withCode.status).toBe(302);
    const returnTo = new URL(String(withCode.headers.location), ISSUER).searchParams.get('return_to');
    expect(returnTo).toBe(`/oauth/device?user_code=${encodeURIComponent(device.user_code)}`);
    const posted = await request(t.app)
      .post('/oauth/device')
      .type('form')
      .send({ user_code: device.user_code });
    expect(posted.status).toBe(302);
    expect(posted.headers.location).toBe(`/login?return_to=${encodeURIComponent('/oauth/device')}`);
  });
});

describe('RFC 8628 §5.1: wrong user codes are rate limited', () => {
  it('the 6th wrong code within a minute → 429 with Retry-After, even a right one; other users unaffected', async () => {
    freezeClock();
    const device = await requestDeviceCode();
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await enterCode('BBBB-BBBB');
      expect({ attempt, status: wrong.status }).toEqual({ attempt, status: 400 });
    }
    const sixth = await enterCode('CCCC-CCCC');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await enterCode(device.user_code)).status).toBe(429);
    // The limit is per user: bob can still enter a code.
    expect((await enterCode(device.user_code, 'bob')).status).toBe(200);
    // After the minute, alice may try again.
    advanceClock(61);
    expect((await enterCode(device.user_code)).status).toBe(200);
  });

  it('malformed codes (wrong letters, length) count as wrong codes', async () => {
    for (const typed of ['AAAA-AAAA', '1234', '', 'BCDF-GHJK-LMNP']) {
      expect((await enterCode(typed)).status).toBe(400);
    }
    expect((await enterCode('BBBB-BBBB')).status).toBe(400);
    expect((await enterCode('BBBB-BBBB')).status).toBe(429);
  });
});

describe('RFC 8414 / DESIGN: the device grant is off by default', () => {
  it('/oauth/device/code and /oauth/device → 404, the grant → unsupported_grant_type', async () => {
    t = await createTestHost();
    client = await t.registerApp({ confidential: false });
    expect((await t.postAsClient('/oauth/device/code', client, {})).status).toBe(404);
    expect((await devicePage()).status).toBe(404);
    const grant = await pollDevice(t.provider.options.tokens.generate('device'));
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
  });
});
