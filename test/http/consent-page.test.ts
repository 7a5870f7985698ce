/**
 * What the consent page says for the user to judge a request (RFC 6749 §10.2, DESIGN "Client
 * trust"): who registered the application (first-party, the host, or "registered by bob"), an
 * "unverified" label for applications users register, the host the browser will be sent to, the
 * scopes with their descriptions, the homepage as a link only when it is http(s), and names with
 * bidirectional-override characters removed. The device consent page shows the user code and
 * says a device asks (RFC 8628 §5.4). A host's `consent` view (or `renderConsent`) gets the same
 * data, and its `error` view the way back of an unverified application's error. Every sentence
 * comes from the message catalogs, German included.
 */
import type { ConsentPageData, ErrorViewData } from '../../lib';
import { enterUserCode, requestDeviceCode } from '../support/device-flow';
import { WITH_DEVICE_GRANT } from '../support/fixtures';
import { consentPage, openAuthorize } from '../support/flows';
import { hiddenFields } from '../support/html';
import { authorizeQuery } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';

const NAMES: Record<string, string> = { bob: 'Bob Builder', mallory: 'Mal\u202Eyrol' };
const findUser = (id: string) => ({ id, username: NAMES[id] ?? id });

let t: TestHost;

async function setUp(options: HostOptions = {}): Promise<void> {
  t = await createTestHost({ findUser, ...options });
}

beforeEach(() => setUp());

async function pageFor(client: { clientId: string; clientSecret: string | null }, scope = 'repo') {
  return (await consentPage(t.browser(), authorizeQuery({ client, scope }))).page.text;
}

describe('who registered the application', () => {
  it("a user's application: registered by that user, unverified", async () => {
    const text = await pageFor(await t.registerApp({ owner: 'bob' }));
    expect(text).toContain(
      'Registered by Bob Builder, a user of issuer.example. issuer.example has not verified it.',
    );
    expect(text).toContain('<span class="badge">Unverified</span>');
  });

  it('a host application: registered by the site, no label', async () => {
    const text = await pageFor(await t.registerApp({ owner: null, trust: 'host' }));
    expect(text).toContain('Registered by issuer.example.');
    expect(text).not.toContain('Unverified');
  });

  it("a first-party application (asked with prompt=consent): the site's own", async () => {
    const app = await t.registerApp({ owner: null, trust: 'first-party' });
    const { page } = await consentPage(
      t.browser(),
      authorizeQuery({ client: app, extra: { prompt: 'consent' } }),
    );
    expect(page.text).toContain('An application of issuer.example.');
    expect(page.text).not.toContain('Unverified');
  });
});

describe('where the browser goes, and for what', () => {
  it('names the host of the redirect URI and describes every scope', async () => {
    const text = await pageFor(await t.registerApp(), 'repo gist');
    expect(text).toContain('you will then be sent to <strong class="redirect-host">client.example</strong>');
    expect(text).toContain('<code>repo</code> — Full control of your repositories');
    expect(text).toContain('<code>gist</code> — Create gists');
  });

  it('a loopback redirect shows its port', async () => {
    const native = await t.registerApp({ confidential: false, redirectUris: ['http://127.0.0.1/cb'] });
    const { page } = await consentPage(
      t.browser(),
      authorizeQuery({ client: native, redirectUri: 'http://127.0.0.1:50001/cb' }),
    );
    expect(page.text).toContain('<strong class="redirect-host">127.0.0.1:50001</strong>');
  });
});

describe('text a registrant chose', () => {
  it('links the homepage only when it is http(s); a javascript: homepage is text', async () => {
    const app = await t.registerApp();
    expect(await pageFor(app)).toContain('<a href="https://client.example" rel="noopener noreferrer">');
    // The service validates what it writes; a record written by other tools may hold anything.
    await t.adapter.updateApplication(app.id, { homepageUrl: 'javascript:alert(1)' });
    const text = await pageFor(app);
    expect(text).toContain('<span>javascript:alert(1)</span>');
    expect(text).not.toContain('href="javascript:');
  });

  it('removes bidirectional overrides from the application name and the registrant name', async () => {
    // U+202E would show "Mal\u202Eyrol" as "Mallory" reversed, and "Good\u202Elppa" as "Good" + "appl".
    const app = await t.registerApp({ owner: 'mallory', name: 'Good\u202Elppa \u2066Bank\u2069' });
    const text = await pageFor(app);
    expect(text).toContain('Goodlppa Bank');
    expect(text).toContain('Registered by Malyrol');
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('a renderConsent of the host gets the same data, names already neutralised', async () => {
    const seen: ConsentPageData[] = [];
    await setUp({
      renderConsent: (data) => {
        seen.push(data);
        return '<p>custom</p>';
      },
    });
    const app = await t.registerApp({ owner: 'bob', name: 'Odd\u202Ename' });
    await pageFor(app);
    expect(seen[0]).toMatchObject({
      application: {
        name: 'Oddname',
        homepageHref: 'https://client.example',
        clientId: app.clientId,
        trust: 'user',
        verified: false,
        registeredBy: 'Bob Builder',
      },
      site: 'issuer.example',
      redirectHost: 'client.example',
      userCode: null,
      scopes: [{ name: 'repo', description: 'Full control of your repositories', remembered: false }],
    });
  });
});

describe('replaced views get what the user needs to judge', () => {
  it("a consent view gets the trust fields, in the reader's language", async () => {
    const seen: { data: ConsentPageData; locale: string }[] = [];
    await setUp({
      views: {
        consent: async (data, { locale }) => {
          seen.push({ data, locale });
          return '<p>custom</p>';
        },
      },
      messages: { de: { scopes: { repo: 'Voller Zugriff' } } },
    });
    const app = await t.registerApp({ owner: 'mallory' });
    await consentPage(t.browser(), authorizeQuery({ client: app, scope: 'repo' }), {
      headers: { 'accept-language': 'de' },
    });
    expect(seen[0]?.locale).toBe('de');
    expect(seen[0]?.data).toMatchObject({
      application: { trust: 'user', verified: false, registeredBy: 'Malyrol' },
      redirectHost: 'client.example',
      scopes: [{ name: 'repo', description: 'Voller Zugriff', remembered: false }],
    });
  });

  it("an error view gets returnTo for an unverified application's error, null otherwise", async () => {
    const seen: ErrorViewData[] = [];
    await setUp({
      views: {
        error: (data) => {
          seen.push(data);
          return '<p>error</p>';
        },
      },
    });
    const app = await t.registerApp({ owner: 'bob', name: 'Bob\u202Es app' });
    const answer = await openAuthorize(t.browser(), { ...authorizeQuery({ client: app }), scope: 'nope' });
    expect(answer.status).toBe(400);
    expect(seen[0]).toMatchObject({
      status: 400,
      code: 'invalid_scope',
      returnTo: { application: 'Bobs app', host: 'client.example' },
    });
    const url = new URL(seen[0]?.returnTo?.url ?? '');
    expect([url.origin + url.pathname, url.searchParams.get('error')]).toEqual([
      'https://client.example/callback',
      'invalid_scope',
    ]);
    await openAuthorize(t.browser(), {
      ...authorizeQuery({ client: app }),
      redirect_uri: 'https://evil.example/',
    });
    expect(seen[1]).toMatchObject({ status: 400, returnTo: null });
  });
});

describe('in German', () => {
  const GERMAN = { headers: { 'accept-language': 'de' } };

  it("a user's application: who registered it, unverified, where the browser goes", async () => {
    const app = await t.registerApp({ owner: 'bob' });
    const { page } = await consentPage(t.browser(), authorizeQuery({ client: app, scope: 'repo' }), GERMAN);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain(
      'Registriert von Bob Builder, einem Benutzer von issuer.example. issuer.example hat sie nicht geprüft.',
    );
    expect(page.text).toContain('<span class="badge">Nicht verifiziert</span>');
    expect(page.text).toContain('<bdi>Test App</bdi> möchte auf Ihr Konto zugreifen.');
    expect(page.text).toContain(
      'In beiden Fällen werden Sie danach zu <strong class="redirect-host">client.example</strong> weitergeleitet.',
    );
    expect(page.text).not.toMatch(/Registered by|Unverified|will then be sent/);
  });

  it('the device consent page says a device asks and shows the code', async () => {
    await setUp({ grantTypes: WITH_DEVICE_GRANT });
    const app = await t.registerApp({ owner: null, trust: 'host' });
    const device = await requestDeviceCode(t.client, app, 'repo');
    const browser = t.browser();
    const form = await browser.send('/oauth/device', GERMAN);
    const page = await browser.send('/oauth/device', {
      ...GERMAN,
      form: { csrf_token: hiddenFields(form.text).csrf_token ?? '', user_code: device.user_code },
    });
    expect(page.text).toContain('Ein Gerät bittet um Zugriff auf Ihr Konto.');
    expect(page.text).toContain(
      `Fahren Sie nur fort, wenn Ihr Gerät diesen Code anzeigt: <code class="user-code">${device.user_code}</code>`,
    );
    expect(page.text).toContain('Registriert von issuer.example.');
  });
});

describe('RFC 8628 §5.4: the device consent page', () => {
  it('shows the user code, says a device asks, and names no redirect host', async () => {
    await setUp({ grantTypes: WITH_DEVICE_GRANT });
    const app = await t.registerApp({ owner: 'bob' });
    const device = await requestDeviceCode(t.client, app, 'repo');
    const page = await enterUserCode(t.browser(), device.user_code);
    expect(page.status).toBe(200);
    expect(page.text).toContain('A device is asking for access to your account.');
    expect(page.text).toContain(`<code class="user-code">${device.user_code}</code>`);
    expect(page.text).toContain('Unverified');
    expect(page.text).not.toContain('redirect-host');
  });
});
