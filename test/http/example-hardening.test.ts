/**
 * Audit findings 2 and 8 (the example provider's own login) and 9's client part (the example
 * client and RFC 9207 `iss`), against the apps `npm start` and `examples/client` run.
 */
import { createExampleClient } from '../../examples/client/app';
import { createExampleHost } from '../support/example-host';
import { UserAgent } from '../support/user-agent';

const LOGIN = { username: 'alice', password: 'alice-pass', return_to: '/' };

describe('finding 2: login CSRF', () => {
  it('POST /login with Origin: null (a sandboxed iframe elsewhere) is refused and signs nobody in', async () => {
    const host = await createExampleHost();
    const browser = host.browser();
    const answer = await browser.send('/login', { form: LOGIN, headers: { origin: 'null' } });
    expect(answer.status).toBe(403);
    expect((await browser.send('/settings/api/applications')).status).toBe(401);
  });

  it('a malformed Origin answers 403, never a 500 with a stack trace', async () => {
    const host = await createExampleHost();
    const answer = await host.browser().send('/login', { form: LOGIN, headers: { origin: 'http://[' } });
    expect(answer.status).toBe(403);
    expect(answer.text).not.toMatch(/TypeError|at .*\.ts/);
  });

  it('a same-site post from another port (Sec-Fetch-Site: same-site) is refused; the own page is not', async () => {
    const host = await createExampleHost();
    expect(
      (await host.browser().send('/login', { form: LOGIN, headers: { 'sec-fetch-site': 'same-site' } }))
        .status,
    ).toBe(403);
    expect(
      (await host.browser().send('/login', { form: LOGIN, headers: { 'sec-fetch-site': 'same-origin' } }))
        .status,
    ).toBe(302);
  });
});

describe('finding 8: the example app', () => {
  it('its error answers carry no stack trace (its own error handler), and bad input keeps its 4xx', async () => {
    const host = await createExampleHost();
    // Both reach the host's error handler: the body parser refuses them before the login runs.
    const refused = [
      { body: 'username=alice', type: 'application/x-www-form-urlencoded; charset=x-unknown', status: 415 },
      { body: `username=${'a'.repeat(200_000)}`, type: 'application/x-www-form-urlencoded', status: 413 },
    ];
    for (const { body, type, status } of refused) {
      const answer = await host.browser().send('/login', { body, headers: { 'content-type': type } });
      expect({ type, status: answer.status }).toEqual({ type, status });
      expect(answer.text).not.toMatch(/ at [^\n]*\.(ts|js):\d+|Error:/);
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('the login answers cannot be framed, also a failed login', async () => {
    const host = await createExampleHost();
    const failed = await host.browser().send('/login', { form: { ...LOGIN, password: 'wrong' } });
    expect(failed.status).toBe(401);
    expect(failed.headers['x-frame-options']).toBe('DENY');
    expect(String(failed.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('POST /logout from another site is refused and the session lives on', async () => {
    const host = await createExampleHost();
    const browser = host.browser();
    expect((await browser.send('/login', { form: LOGIN })).status).toBe(302);
    const forged = await browser.send('/logout', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    expect((await browser.send('/settings/api/applications')).status).toBe(200);
    expect((await browser.send('/logout', { method: 'POST' })).status).toBe(302);
    expect((await browser.send('/settings/api/applications')).status).toBe(401);
  });

  it('wrong passwords in a row meet 429 with Retry-After, and then the right one waits too', async () => {
    const host = await createExampleHost();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      statuses.push(
        (await host.browser().send('/login', { form: { ...LOGIN, password: `wrong-${i}` } })).status,
      );
    }
    expect(statuses.slice(0, 11)).toEqual(Array(11).fill(401));
    expect(statuses.slice(11)).toEqual(Array(19).fill(429));
    const right = await host.browser().send('/login', { form: LOGIN });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // bob, who guessed nothing, is not locked out.
    expect(
      (await host.browser().send('/login', { form: { ...LOGIN, username: 'bob', password: 'bob-pass' } }))
        .status,
    ).toBe(302);
  });
});

describe('finding 9: examples/client and RFC 9207', () => {
  it('refuses a callback without iss once the provider metadata advertises authorization_response_iss_parameter_supported', async () => {
    const host = await createExampleHost({ listen: true });
    const providerUrl = host.url ?? '';
    const metadata = await new UserAgent(providerUrl).send('/.well-known/oauth-authorization-server');
    expect(metadata.body.authorization_response_iss_parameter_supported).toBe(true);
    const client = new UserAgent(
      createExampleClient({
        providerUrl,
        clientId: 'c',
        callbackUrl: 'http://127.0.0.1:4000/auth/provider/callback',
      }),
    );
    const missing = await client.send('/auth/provider/callback?code=x&state=y');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('without the issuer');
    const foreign = await client.send(
      '/auth/provider/callback?code=x&state=y&iss=https%3A%2F%2Fevil.example',
    );
    expect(foreign.status).toBe(400);
    // With the right iss it goes on to passport (which then refuses the unknown state).
    const named = await client.send(
      `/auth/provider/callback?code=x&state=y&iss=${encodeURIComponent(providerUrl)}`,
    );
    expect(named.status).not.toBe(400);
  });
});
