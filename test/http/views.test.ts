/**
 * The view layer (`lib/views/`, the `views` option): a host replaces any page — with an async
 * renderer that gets the request and its language — or only the layout, adds CSP sources per
 * view, and a renderer that fails answers a 500 page and reaches `onError`, never an empty 200.
 */
import {
  ConfigurationError,
  DECISIONS,
  FORM_FIELDS,
  html,
  renderConsentPage,
  renderLayout,
  type ViewOptions,
  ViewRenderError,
} from '../../lib';
import * as deviceFlow from '../support/device-flow';
import { DEVICE_GRANT } from '../support/fixtures';
import { consentPage, openAuthorize, postDecision } from '../support/flows';
import { authorizeQuery, locationParams } from '../support/oauth';
import { createTestHost, type HostOptions, type TestHost } from '../support/test-host';

async function hostWith(
  views: ViewOptions,
  options: HostOptions = {},
): Promise<{ t: TestHost; query: Record<string, string> }> {
  const t = await createTestHost({ views, ...options });
  const client = await t.registerApp({ name: 'Views App' });
  return { t, query: authorizeQuery({ client, scope: 'repo' }) };
}

describe('replacing a view', () => {
  it('an async consent view gets the data, the request and its language, and its form works (the exported form contract)', async () => {
    const seen: { locale: string; path: string; fields: string[] }[] = [];
    const { t, query } = await hostWith({
      consent: async (data, context) => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push({ locale: context.locale, path: context.req.path, fields: Object.keys(data.fields) });
        const hidden = Object.entries(data.fields).map(
          ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
        );
        return `<!doctype html><html lang="${context.locale}"><body><h1>Custom: ${data.application.name}</h1>
<form method="post" action="${data.action}">${hidden.map((part) => part.__html).join('')}
<button name="${FORM_FIELDS.decision}" value="${DECISIONS.approve}">OK</button></form></body></html>`;
      },
    });
    const browser = t.browser();
    const { page, fields } = await consentPage(browser, query, { headers: { 'accept-language': 'de' } });
    expect(page.text).toContain('<h1>Custom: Views App</h1>');
    expect(seen).toEqual([
      {
        locale: 'de',
        path: '/oauth/authorize',
        fields: expect.arrayContaining([FORM_FIELDS.csrfToken, 'client_id', 'state']),
      },
    ]);
    const approved = await postDecision(browser, fields, DECISIONS.approve);
    expect(approved.status).toBe(302);
    expect(locationParams(approved).get('code')).toMatch(/^eoc_/);
  });

  it.each([
    ['throws', () => Promise.reject(new Error('template missing'))],
    ['returns nothing', () => undefined as unknown as string],
    ['returns an empty string', () => '  '],
    ['returns an object', () => ({}) as unknown as string],
  ])(
    'a consent view that %s answers a 500 page (never a silent 200) and reaches onError',
    async (_label, consent) => {
      const { t, query } = await hostWith({ consent });
      const answer = await openAuthorize(t.browser(), query);
      expect(answer.status).toBe(500);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.text).toContain('server_error');
      expect(answer.text).not.toContain('template missing');
      expect(t.errors).toHaveLength(1);
      expect(t.errors[0]).toBeInstanceOf(ViewRenderError);
      expect(String(t.errors[0])).toMatch(/views\.consent (threw|returned)/);
    },
  );

  it('a failing error view is reported and the built-in error page answers instead', async () => {
    const { t } = await hostWith({
      error: () => {
        throw new Error('broken error page');
      },
    });
    const answer = await openAuthorize(t.browser(), { response_type: 'code', client_id: 'nobody' });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('invalid_client');
    expect(t.errors.map(String)).toEqual([expect.stringMatching(/views\.error threw/)]);
  });

  it('the built-in renderers are exported: a host view may wrap one', async () => {
    const { t, query } = await hostWith({
      consent: async (data, context) =>
        (await renderConsentPage(data, context)).replace(
          '</h1>',
          '</h1><p id="host-note">Checked by Acme</p>',
        ),
    });
    const { page } = await consentPage(t.browser(), query);
    expect(page.text).toContain('<p id="host-note">Checked by Acme</p>');
    expect(page.text).toContain('name="decision" value="approve"');
  });

  it('the deprecated renderConsent still replaces the consent page; together with views.consent it is refused', async () => {
    const t = await createTestHost({ renderConsent: (data) => `<p>legacy ${data.application.name}</p>` });
    const client = await t.registerApp({ name: 'Old' });
    const { page } = await consentPage(t.browser(), authorizeQuery({ client }));
    expect(page.text).toBe('<p>legacy Old</p>');
    await expect(createTestHost({ renderConsent: () => 'x', views: { consent: () => 'y' } })).rejects.toThrow(
      /"renderConsent" and views\.consent are both given/,
    );
  });
});

describe('replacing the layout', () => {
  it('wraps every page kind — consent, device, error and settings — and keeps the built-in views', async () => {
    const kinds: string[] = [];
    const { t, query } = await hostWith(
      {
        layout: (page, context) => {
          kinds.push(`${context.view}:${page.kind}`);
          return renderLayout({
            ...page,
            head: '<link rel="stylesheet" href="/acme.css">',
            header: `<div id="acme">Acme</div>${page.header}`,
          });
        },
      },
      { grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT] },
    );
    const browser = t.browser();
    const consent = await openAuthorize(browser, query);
    const error = await openAuthorize(browser, { response_type: 'code', client_id: 'nobody' });
    const device = await browser.send('/oauth/device');
    const settings = await browser.send('/settings/tokens');
    for (const answer of [consent, error, device, settings]) {
      expect(answer.text).toContain('<link rel="stylesheet" href="/acme.css">');
      expect(answer.text).toContain('<div id="acme">Acme</div>');
    }
    expect(settings.text).toContain('<nav>');
    expect(kinds).toEqual(['consent:flow', 'error:flow', 'deviceCode:flow', 'tokens:settings']);
  });

  it('a layout that fails answers 500 and reaches onError', async () => {
    const { t } = await hostWith({ layout: () => '' });
    const answer = await t.browser().send('/settings/tokens');
    expect(answer.status).toBe(500);
    // The page's own failure, then its error page's (which the built-in page then replaced).
    expect(t.errors.map(String)).toEqual([
      expect.stringMatching(/views\.layout returned an empty string/),
      expect.stringMatching(/views\.layout returned an empty string/),
    ]);
  });
});

describe('security headers per view', () => {
  it("keeps the default policy, adds a view's sources to that view only, and all's to every view", async () => {
    const { t, query } = await hostWith({
      csp: {
        all: { imgSrc: ['https://img.example'] },
        consent: { styleSrc: ["'self'"], scriptSrc: ["'self'"] },
        tokens: { frameAncestors: ['https://portal.example'] },
      },
    });
    const browser = t.browser();
    const consent = await openAuthorize(browser, query);
    expect(consent.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline' 'self'; script-src 'self'; img-src 'self' https://img.example; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(consent.headers['x-frame-options']).toBe('DENY');
    const tokens = await browser.send('/settings/tokens');
    expect(tokens.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https://img.example; frame-ancestors https://portal.example; base-uri 'none'",
    );
    expect(tokens.headers['x-frame-options']).toBeUndefined();
    const apps = await browser.send('/settings/applications');
    expect(apps.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(apps.headers['cache-control']).toBe('no-store');
  });

  it('refuses frame-ancestors on the consent page, separators in a source and unknown names, at start-up', async () => {
    const refused: [ViewOptions, RegExp][] = [
      [{ csp: { consent: { frameAncestors: ['*'] } } }, /views\.csp\.consent\.frameAncestors" cannot be set/],
      [
        { csp: { all: { styleSrc: ["'self'; script-src *"] } } },
        /views\.csp\.all\.styleSrc" must be an array of CSP sources/,
      ],
      [
        { csp: { all: { styleScr: ["'self'"] } } as unknown as ViewOptions['csp'] },
        /did you mean "styleSrc"/,
      ],
      [
        { consnet: () => 'x' } as unknown as ViewOptions,
        /views\.consnet" is unknown; did you mean "consent"/,
      ],
      [{ tokens: 'x' } as unknown as ViewOptions, /views\.tokens" must be a function/],
    ];
    for (const [views, message] of refused) {
      await expect(createTestHost({ views })).rejects.toThrow(ConfigurationError);
      await expect(createTestHost({ views })).rejects.toThrow(message);
    }
  });
});

describe('the settings pages as views', () => {
  it("a replaced settings view gets the user's records, the frame (CSRF token, base URL) and a notice in the page's language", async () => {
    const seen: { names: string[]; frame: unknown; notice: string | null }[] = [];
    const t = await createTestHost({
      views: {
        applicationList: (data, context) => {
          seen.push({
            names: data.applications.map((app) => app.name),
            frame: data.frame,
            notice: data.notice,
          });
          return `<p lang="${context.locale}">${data.applications.length} apps</p>`;
        },
      },
    });
    await t.registerApp({ name: 'Mine', owner: 'alice' });
    await t.registerApp({ name: 'Not mine', owner: 'bob' });
    const page = await t
      .browser()
      .send('/settings/applications?notice=deleted', { headers: { 'accept-language': 'de' } });
    expect(page.text).toBe('<p lang="de">1 apps</p>');
    expect(seen).toEqual([
      {
        names: ['Mine'],
        frame: {
          baseUrl: '/settings',
          csrfToken: expect.any(String),
          username: 'alice',
          active: 'applications',
        },
        notice: 'Anwendung gelöscht. Ihre Tokens funktionieren nicht mehr.',
      },
    ]);
  });
});

describe('the device pages and the error page as views', () => {
  it('deviceCode, consent (for the device) and deviceDone are replaceable and keep their form contract', async () => {
    const views: ViewOptions = {
      deviceCode: (data) =>
        `<form method="post" action="${data.action}"><input type="hidden" name="${FORM_FIELDS.csrfToken}" value="${data.fields.csrf_token ?? ''}">${data.error ?? ''}</form>`,
      deviceDone: (data) => `<p id="done">${data.approved ? 'yes' : 'no'}</p>`,
    };
    const t = await createTestHost({ views, grantTypes: ['authorization_code', DEVICE_GRANT] });
    const client = await t.registerApp();
    const form = await t.browser().send('/oauth/device');
    expect(form.text).toMatch(
      /^<form method="post" action="\/oauth\/device"><input type="hidden" name="csrf_token" value="[^"]+"><\/form>$/,
    );
    const device = await deviceFlow.requestDeviceCode(t.client, client, 'repo');
    const done = await deviceFlow.decideDevice(t.browser(), device.user_code, 'approve');
    expect(done.text).toBe('<p id="done">yes</p>');
  });
});
