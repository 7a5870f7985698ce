/**
 * Translated pages (`lib/messages/`, the `messages` and `locale` options): the built-in pages
 * answer in German to `Accept-Language: de` (and `de-DE`) with `<html lang="de">`, error pages and
 * form problems included; a host's `locale(req)` wins; a host adds a language or overrides a
 * message; JSON answers keep English descriptions (RFC 6749 §5.2 wants ASCII).
 */
import { ConfigurationError } from '../../lib';
import { DEVICE_GRANT } from '../support/fixtures';
import { consentPage, openAuthorize } from '../support/flows';
import { fieldError } from '../support/html';
import { authorizeQuery } from '../support/oauth';
import { createTestHost, type HostOptions } from '../support/test-host';

const GERMAN = { headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } };

async function host(options: HostOptions = {}) {
  const t = await createTestHost({
    grantTypes: ['authorization_code', 'refresh_token', DEVICE_GRANT],
    ...options,
  });
  const client = await t.registerApp({ name: 'Sprach-App' });
  return { t, client, query: authorizeQuery({ client, scope: 'repo' }) };
}

describe('pages in the language of Accept-Language', () => {
  it('the consent page answers in German with <html lang="de"> to de-DE, in English without the header', async () => {
    const { t, query } = await host();
    const german = await openAuthorize(t.browser(), query, GERMAN);
    expect(german.text).toContain('<html lang="de">');
    expect(german.text).toContain('<title>Sprach-App autorisieren</title>');
    expect(german.text).toContain('>Ablehnen</button>');
    const english = await openAuthorize(t.browser(), query);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('>Deny</button>');
  });

  it("the error page says what went wrong in German; the redirect's and JSON's descriptions stay English", async () => {
    const { t, client } = await host();
    const page = await openAuthorize(
      t.browser(),
      { response_type: 'code', client_id: client.clientId, redirect_uri: 'https://evil.example/cb' },
      GERMAN,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Diese Autorisierungsanfrage kann nicht abgeschlossen werden');
    expect(page.text).toContain(
      'Die redirect_uri stimmt mit keiner für diese Anwendung registrierten Weiterleitungsadresse überein',
    );
    // A host application's error is redirected (RFC 9700 §4.11.2), with the English description.
    const hosted = await t.registerApp({ name: 'Betreiber-App', trust: 'host' });
    const redirected = await openAuthorize(
      t.browser(),
      { ...authorizeQuery({ client: hosted }), scope: 'nope' },
      GERMAN,
    );
    // English, and without the requested value: it is the sender's text (audit finding 7).
    expect(new URL(redirected.headers.location ?? '').searchParams.get('error_description')).toBe(
      'Unknown scope (the metadata document lists every scope in scopes_supported)',
    );
    // A user's application gets the page with the way back instead, in German too.
    const unverified = await openAuthorize(
      t.browser(),
      { ...authorizeQuery({ client }), scope: 'nope' },
      GERMAN,
    );
    expect(unverified.status).toBe(400);
    expect(unverified.text).toContain('<html lang="de">');
    expect(unverified.text).toContain(
      '<bdi>Sprach-App</bdi> hat eine Autorisierungsanfrage gesendet, die nicht abgeschlossen werden kann',
    );
    // In German, and again without the requested value (audit finding 7).
    expect(unverified.text).toContain(
      'Unbekannter Scope (das Metadatendokument nennt jeden Scope in scopes_supported)',
    );
    expect(unverified.text).not.toContain('nope');
    expect(unverified.text).toMatch(
      /<a class="return" href="https:\/\/client\.example\/callback\?[^"]+" rel="noopener noreferrer">Zurück zu client\.example<\/a>/,
    );
    const json = await t.client.send('/settings/api/tokens', { headers: GERMAN.headers, user: null });
    expect(JSON.parse(json.text)).toEqual({ error: 'login_required', error_description: 'Log in first' });
  });

  it('the settings pages, their navigation and their form problems are German', async () => {
    const { t } = await host();
    const browser = t.browser();
    const tokens = await browser.send('/settings/tokens', GERMAN);
    expect(tokens.text).toContain('<html lang="de">');
    expect(tokens.text).toContain('Persönliche Zugriffstokens');
    expect(tokens.text).toContain('Angemeldet als <strong>alice</strong>');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(tokens.text)?.[1] ?? '';
    const refused = await browser.send('/settings/tokens', {
      ...GERMAN,
      form: { csrf_token: csrf, name: '', expiry: '30' },
    });
    expect(refused.status).toBe(400);
    expect(fieldError(refused.text, 'name')).toBe('Name ist erforderlich');
    expect(fieldError(refused.text, 'scopes')).toBe('Wählen Sie mindestens einen Scope');
    const missing = await browser.send('/settings/applications/00000000-0000-0000-0000-000000000000', GERMAN);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<h1>Nicht gefunden</h1>');
    expect(missing.text).toContain('Diese Anwendung gibt es nicht, oder sie gehört Ihnen nicht.');
  });

  it('the device pages are German, a wrong code too', async () => {
    const { t } = await host();
    const browser = t.browser();
    const form = await browser.send('/oauth/device', GERMAN);
    expect(form.text).toContain('<h1>Gerät verbinden</h1>');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const wrong = await browser.send('/oauth/device', {
      ...GERMAN,
      form: { csrf_token: csrf, user_code: 'BCDF-GHJK' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Dieser Code ist ungültig oder abgelaufen; prüfen Sie Ihr Gerät');
  });
});

describe("the host's languages", () => {
  it('locale(req) chooses the language, whatever Accept-Language says', async () => {
    const { t, query } = await host({ locale: (req) => (req.headers['x-lang'] === 'de' ? 'de' : 'en') });
    const chosen = await openAuthorize(t.browser(), query, {
      headers: { 'x-lang': 'de', 'accept-language': 'en' },
    });
    expect(chosen.text).toContain('<html lang="de">');
    const other = await openAuthorize(t.browser(), query, GERMAN);
    expect(other.text).toContain('<html lang="en">');
  });

  it('a locale(req) that throws is reported, and the page answers in the Accept-Language language', async () => {
    const { t, query } = await host({
      locale: () => {
        throw new Error('no profile');
      },
    });
    const page = await openAuthorize(t.browser(), query, GERMAN);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="de">');
    expect(t.errors.map(String)).toEqual(['Error: no profile']);
  });

  it('adds a language (completed from English), overrides messages and translates scope descriptions', async () => {
    const { t, query } = await host({
      messages: {
        fr: { 'consent.deny': 'Refuser', 'consent.title': 'Autoriser {app}', scopes: { repo: 'Vos dépôts' } },
        en: { 'consent.deny': 'No thanks' },
      },
    });
    const { page } = await consentPage(t.browser(), query, {
      headers: { 'accept-language': 'fr-CA, en;q=0.1' },
    });
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('<title>Autoriser Sprach-App</title>');
    expect(page.text).toContain('>Refuser</button>');
    expect(page.text).toContain('<code>repo</code> — Vos dépôts');
    expect(page.text).toContain('It will be able to:');
    const english = await openAuthorize(t.browser(), query);
    expect(english.text).toContain('>No thanks</button>');
  });

  it('refuses an unknown message key (with a hint), a placeholder the message lacks, and a bad language tag', async () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [
        { de: { 'consent.dney': 'Nein' } },
        /messages\.de\.consent\.dney" is unknown; did you mean "consent\.deny"/,
      ],
      [
        { de: { 'consent.deny': 'Nein, {user}' } },
        /uses \{user\}, which this message does not have \(it has none\)/,
      ],
      [{ 'not a tag': {} }, /is not a language tag/],
      [{ de: { 'consent.deny': 42 } }, /messages\.de\.consent\.deny" must be a string/],
    ];
    for (const [messages, problem] of refused) {
      const attempt = createTestHost({ messages: messages as HostOptions['messages'] });
      await expect(attempt).rejects.toThrow(ConfigurationError);
      await expect(createTestHost({ messages: messages as HostOptions['messages'] })).rejects.toThrow(
        problem,
      );
    }
  });
});
