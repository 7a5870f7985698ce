/**
 * The example's home page and playground over real HTTP (the playground's server side talks to
 * the provider at the issuer URL, so the app listens on a free port): the playground refuses
 * forms without the session's CSRF token, masks every secret unless the user asks to see it, and
 * never puts a secret in a URL it sends the browser to. Also the example's `ci:status` route.
 */
import { createExampleHost } from '../support/example-host';
import * as flows from '../support/flows';
import { decodeEntities as decode, hiddenFields } from '../support/html';
import { pkcePair } from '../support/oauth';
import { type Answer, field, UserAgent } from '../support/user-agent';

/** Every token the provider mints: `eo` + kind letter + `_` + 32 random and 6 checksum characters. */
const FULL_TOKEN = /\beo[acdprs]_[0-9A-Za-z]{38}\b/g;

/** The example provider's URL (its issuer); one server for the whole file. */
let baseUrl = '';

beforeAll(async () => {
  baseUrl = (await createExampleHost({ listen: true })).issuer;
});

/**
 * A browser on the playground: keeps cookies, follows the playground's 303s, and remembers every
 * URL the playground sent it to — each `Location` and each link or form target on its pages.
 */
class PlaygroundBrowser {
  readonly http: UserAgent;
  readonly urls: string[] = [];
  readonly pages: string[] = [];
  csrf = '';

  constructor(baseUrl: string) {
    this.http = new UserAgent(baseUrl);
  }

  #remember(answer: Answer): void {
    const location = answer.headers.location;
    if (location !== undefined) this.urls.push(location);
    for (const match of answer.text.matchAll(/\s(?:href|action|src)="([^"]*)"/g))
      this.urls.push(decode(match[1] ?? ''));
    const token = /name="csrf_token" value="([^"]+)"/.exec(answer.text)?.[1];
    if (token !== undefined) this.csrf = decode(token);
  }

  async get(path: string): Promise<Answer> {
    const answer = await this.http.send(path);
    this.#remember(answer);
    if (answer.status === 200) this.pages.push(answer.text);
    return answer;
  }

  /** Posts a playground form with the session's CSRF token; expects 303 and follows it. */
  async post(path: string, fields: Record<string, string> = {}): Promise<Answer> {
    const answer = await this.http.send(path, { form: { csrf_token: this.csrf, ...fields } });
    this.#remember(answer);
    if (answer.status !== 303)
      throw new Error(`POST ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    return this.get(new URL(answer.location ?? '/', this.http.baseUrl).pathname);
  }
}

async function signedIn(username = 'alice', password = `${username}-pass`): Promise<PlaygroundBrowser> {
  const browser = new PlaygroundBrowser(baseUrl);
  await flows.login(browser.http, username, password);
  await browser.get('/playground');
  return browser;
}

/** Steps 1-3 of the web flow: build the request, decide on the consent page, come back. */
async function authorize(
  browser: PlaygroundBrowser,
  decision: 'approve' | 'deny' = 'approve',
): Promise<{ code: string }> {
  const built = await browser.post('/playground/web/authorize', { scope: 'user' });
  const href = /id="open-consent" href="([^"]+)"/.exec(built.text)?.[1];
  if (href === undefined) throw new Error('no consent link on the page');
  const consent = await browser.http.send(decode(href));
  expect(consent.status).toBe(200);
  const approved = await browser.http.send('/oauth/authorize', {
    form: { ...hiddenFields(consent.text), decision },
  });
  expect(approved.status).toBe(302);
  const back = new URL(approved.location ?? '', baseUrl);
  expect(back.pathname).toBe('/playground/callback');
  const code = back.searchParams.get('code') ?? '';
  const landed = await browser.get(`${back.pathname}${back.search}`);
  expect(landed.status).toBe(303);
  expect(landed.headers.location).toBe('/playground/web#step-callback');
  await browser.get('/playground/web');
  return { code };
}

describe('the home page', () => {
  it('says what the app is, names both demo users with their passwords and links the playground', async () => {
    const home = await new UserAgent(baseUrl).send('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('became an OAuth 2.0 provider with <strong>express-oauth-provider</strong>');
    for (const credential of ['alice', 'alice-pass', 'bob', 'bob-pass'])
      expect(home.text).toContain(`<code>${credential}</code>`);
    for (const path of ['/playground', '/settings/applications', '/.well-known/oauth-authorization-server'])
      expect(home.text).toContain(`href="${path}"`);
    expect(home.headers['content-security-policy']).toContain("script-src 'self'");
  });
});

describe('the playground', () => {
  it('sends a signed-out visitor to the login page and back', async () => {
    const anonymous = new UserAgent(baseUrl);
    const page = await anonymous.send('/playground/device');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?return_to=%2Fplayground%2Fdevice');
    const post = await anonymous.send('/playground/web/authorize', { form: { scope: 'user' } });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/login?return_to=%2Fplayground');
  });

  it('warns on the overview when the issuer is plain http on another host, which its client refuses', async () => {
    const remote = (await createExampleHost({ issuer: 'http://oauth.example.test' })).browser();
    await flows.login(remote);
    const warned = await remote.send('/playground');
    expect(warned.status).toBe(200);
    expect(warned.text).toContain('id="issuer-refused"');
    // A loopback issuer is fine.
    const alice = await signedIn();
    expect(alice.pages[0]).toContain('<h1>OAuth playground</h1>');
    expect(alice.pages[0]).not.toContain('id="issuer-refused"');
  });

  it('serves its pages with a CSP that allows only its own script, and no framing', async () => {
    const alice = await signedIn();
    const page = await alice.get('/playground/web');
    const csp = page.headers['content-security-policy'] ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1];
    expect(scriptSrc).toBe("'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('<script src="/playground/assets/playground.js" defer></script>');
    expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const script = await alice.http.send('/playground/assets/playground.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('refuses a form without this session’s CSRF token, and runs nothing', async () => {
    const alice = await signedIn();
    const bob = await signedIn('bob');
    const attempts: Record<string, string>[] = [{}, { csrf_token: 'forged' }, { csrf_token: bob.csrf }];
    for (const fields of attempts) {
      const refused = await alice.http.send('/playground/web/authorize', {
        form: { ...fields, scope: 'user' },
      });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('Form refused');
    }
    // A new login is a new session, and the old session's token dies with it.
    const stale = alice.csrf;
    await flows.login(alice.http);
    const afterLogin = await alice.http.send('/playground/web/authorize', {
      form: { csrf_token: stale, scope: 'user' },
    });
    expect(afterLogin.status).toBe(403);
    const page = await alice.get('/playground/web');
    expect(page.text).not.toContain('id="open-consent"');
    // With the right token the same form runs.
    const built = await alice.post('/playground/web/authorize', { scope: 'user' });
    expect(built.text).toContain('id="open-consent"');
  });

  it('masks every secret by default, shows them only when asked, and puts none in a URL or a log', async () => {
    const logged: unknown[][] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args);
      }),
    );
    const alice = await signedIn();
    await alice.post('/playground/client', { kind: 'confidential' });
    const { code } = await authorize(alice);
    const exchanged = await alice.post('/playground/web/token');
    expect(exchanged.text).toContain('grant_type=authorization_code');
    expect(exchanged.text).toContain('Basic <span class="secret masked">••••••••</span>');
    expect(exchanged.text).not.toContain(code);
    expect(exchanged.text.match(FULL_TOKEN)).toBeNull();

    // Shown on request, the secrets are the real ones: the access token works on the API.
    const revealed = await alice.post('/playground/secrets', { reveal: 'on', return_to: '/playground/web' });
    const accessToken = revealed.text.match(/\beoa_[0-9A-Za-z]{38}\b/)?.[0] ?? '';
    expect((await flows.callApi(alice.http, '/api/user', accessToken)).status).toBe(200);
    expect(revealed.text).toContain(code);
    const masked = await alice.post('/playground/secrets', { reveal: 'off', return_to: '/playground/web' });
    expect(masked.text).not.toContain(accessToken);
    expect(masked.text).toContain(`<span class="secret masked">eoa_••••••••${accessToken.slice(-4)}</span>`);

    for (const step of ['api', 'introspect', 'refresh', 'revoke', 'replay'])
      await alice.post(`/playground/web/${step}`);
    const done = await alice.get('/playground/web');
    expect(done.text).toContain('X-OAuth-Scopes: user');
    expect(done.text).toContain('Rotation: the answer carries a new refresh token');
    expect(done.text).toContain('The replay revoked the whole grant');
    await alice.post('/playground/device/start', { scope: 'user' });
    await alice.post('/playground/client-credentials/token', { scope: 'ci:status' });

    // Every secret this session holds, read from the pages with secrets shown.
    const secrets = new Set<string>([code]);
    for (const path of [
      '/playground',
      '/playground/web',
      '/playground/device',
      '/playground/client-credentials',
    ]) {
      await alice.post('/playground/secrets', { reveal: 'on', return_to: path });
      const page = alice.pages[alice.pages.length - 1] ?? '';
      for (const token of page.match(FULL_TOKEN) ?? []) secrets.add(token);
      const verifier = /<th>code_verifier<\/th><td><code><span class="secret revealed">([^<]+)</.exec(
        page,
      )?.[1];
      if (verifier !== undefined) secrets.add(verifier);
      await alice.post('/playground/secrets', { reveal: 'off', return_to: path });
    }
    const kinds = new Set([...secrets].map((secret) => secret.slice(0, 4)));
    for (const kind of ['eoa_', 'eor_', 'eoc_', 'eod_', 'eos_']) expect(kinds).toContain(kind);
    expect(secrets.size).toBeGreaterThanOrEqual(9);

    const maskedPages = alice.pages.filter((page) =>
      page.includes('<button id="toggle-secrets">Show secrets</button>'),
    );
    expect(maskedPages.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      for (const page of maskedPages) expect(page).not.toContain(secret);
      for (const url of alice.urls) expect(url).not.toContain(secret);
      for (const line of logged) expect(line.map(String).join(' ')).not.toContain(secret);
    }
    for (const spy of spies) spy.mockRestore();
  });
});

/** One step's section of a playground page. */
function section(page: string, id: string): string {
  const match = new RegExp(`<section class="step [a-z]+" id="${id}">([\\s\\S]*?)</section>`).exec(page);
  if (match?.[1] === undefined) throw new Error(`no section ${id} on the page`);
  return match[1];
}

describe('the web flow with the public client', () => {
  it('sends client_id and PKCE without a secret, and explains that introspection needs a confidential client', async () => {
    const alice = await signedIn();
    const overview = await alice.post('/playground/client', { kind: 'public' });
    expect(overview.text).toContain('none (public)');
    await authorize(alice);
    const token = section((await alice.post('/playground/web/token')).text, 'step-token');
    expect(token).toContain('HTTP/1.1 200 OK');
    expect(token).toMatch(/&amp;client_id=[0-9a-f]{32}|client_id=[0-9a-f]{32}&amp;/);
    expect(token).toContain('code_verifier=');
    expect(token).not.toContain('authorization: Basic');
    const introspection = section((await alice.post('/playground/web/introspect')).text, 'step-introspect');
    expect(introspection).toContain('needs a confidential client');
    expect(introspection).not.toContain('/oauth/introspect');
  });
});

describe('the web flow when the user denies', () => {
  it('shows the access_denied answer as a failed check and offers no token request', async () => {
    // bob has authorized nothing in this file, so the provider shows him the consent page.
    const bob = await signedIn('bob');
    const { code } = await authorize(bob, 'deny');
    expect(code).toBe('');
    const page = (await bob.get('/playground/web')).text;
    const callback = section(page, 'step-callback');
    expect(callback).toContain('error=access_denied');
    expect(callback).toMatch(/<li class="fail">.*carries error=access_denied/);
    expect(section(page, 'step-token')).toMatch(/<button id="send-token-request" disabled>/);
    const refused = await bob.post('/playground/web/token');
    expect(refused.text).toContain('The token request needs the code from the callback');
  });
});

describe('POST /api/statuses (ci:status)', () => {
  it('stores a status reported with a client_credentials token, and refuses other tokens', async () => {
    const alice = new UserAgent(baseUrl);
    await flows.login(alice);
    const app = await flows.registerViaApi(alice, { name: 'CI server' });
    const issued = await flows.token(alice, app, { grant_type: 'client_credentials', scope: 'ci:status' });
    expect(issued.status).toBe(200);
    const machineToken = field(issued, 'access_token');
    const status = {
      sha: 'a1b2c3d4e5f6a7b8c9d0',
      state: 'success',
      context: 'ci/test',
      description: 'green',
    };
    const stored = await alice.send('/api/statuses', {
      json: status,
      headers: { authorization: `Bearer ${machineToken}` },
      cookies: false,
    });
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ ...status, client_id: app.clientId });
    const bad = await alice.send('/api/statuses', {
      json: { ...status, state: 'maybe' },
      headers: { authorization: `Bearer ${machineToken}` },
      cookies: false,
    });
    expect(bad.status).toBe(400);

    const { accessToken } = await flows.issueTokens(alice, alice, {
      client: app,
      scope: 'user',
      pkce: pkcePair(),
    });
    const userToken = await alice.send('/api/statuses', {
      json: status,
      headers: { authorization: `Bearer ${accessToken}` },
      cookies: false,
    });
    expect(userToken.status).toBe(403);
    expect(userToken.headers['www-authenticate']).toContain('insufficient_scope');
  });
});
