import type { Request } from 'express';
import { placeholdersOf } from '../../lib/messages/catalog';
import { de } from '../../lib/messages/de';
import { en } from '../../lib/messages/en';
import { BUILT_IN_CATALOGS, Languages } from '../../lib/messages/languages';
import { html } from '../../lib/views/html';
import { onRequest, resultOf } from '../support/requests';

/**
 * The message catalogs (`lib/messages/`): every language ships every key of the English catalog
 * with the same placeholders, and the page language is chosen from the host's hook, then
 * `Accept-Language`, then English.
 */
const KEYS = Object.keys(en).sort();

describe('the built-in catalogs', () => {
  it.each(Object.keys(BUILT_IN_CATALOGS))('%s has exactly the keys of the English catalog', (locale) => {
    expect(Object.keys(BUILT_IN_CATALOGS[locale] ?? {}).sort()).toEqual(KEYS);
  });

  it.each(Object.keys(BUILT_IN_CATALOGS))(
    '%s uses the same placeholders as English in every message',
    (locale) => {
      const catalog: Readonly<Record<string, string>> = BUILT_IN_CATALOGS[locale] ?? {};
      const differing = KEYS.filter(
        (key) =>
          placeholdersOf(catalog[key] ?? '').join() !==
          placeholdersOf((en as Record<string, string>)[key] ?? '').join(),
      );
      expect(differing).toEqual([]);
    },
  );

  it('German is a translation, not a copy: no message is empty, and the sentences differ from English', () => {
    const german: Readonly<Record<string, string>> = de;
    const english: Readonly<Record<string, string>> = en;
    expect(KEYS.filter((key) => (german[key] ?? '').trim() === '')).toEqual([]);
    // Short technical words ("Name", "Code", "Scopes", "Host") may be the same in both languages.
    const copied = KEYS.filter(
      (key) => german[key] === english[key] && (english[key] ?? '').split(' ').length > 2,
    );
    expect(copied).toEqual([]);
  });
});

describe('Languages', () => {
  const languages = new Languages(
    { fr: { 'consent.deny': 'Refuser' }, en: { 'consent.deny': 'No thanks' } },
    undefined,
  );

  it('lists the built-in languages first, then the ones the host added', () => {
    expect(languages.locales).toEqual(['en', 'de', 'fr']);
  });

  it('finds a language by its tag in any case, or by its primary subtag', () => {
    expect(languages.match('DE')).toBe('de');
    expect(languages.match('de-AT')).toBe('de');
    expect(languages.match('fr-CA')).toBe('fr');
    expect(languages.match('es')).toBeNull();
    expect(languages.match('')).toBeNull();
  });

  it('completes an added language from English and applies overrides of a built-in one', () => {
    expect(languages.translator('fr').text('consent.deny')).toBe('Refuser');
    expect(languages.translator('fr').text('device.title')).toBe(en['device.title']);
    expect(languages.translator('en').text('consent.deny')).toBe('No thanks');
    expect(languages.translator('de').text('consent.deny')).toBe(de['consent.deny']);
  });

  it('fills placeholders, escaping text and keeping markup in html()', () => {
    const t = languages.translator('de');
    expect(t.text('consent.title', { app: '<App>' })).toBe('<App> autorisieren');
    expect(t.html('layout.signedInAs', { user: html`<strong>${'a&b'}</strong>` }).__html).toBe(
      'Angemeldet als <strong>a&amp;b</strong>',
    );
    expect(t.html('consent.title', { app: '<App>' }).__html).toBe('&lt;App&gt; autorisieren');
  });

  async function chosen(
    headers: Record<string, string>,
    hook?: (req: Request) => string | null,
  ): Promise<string> {
    const negotiating = new Languages({}, hook);
    const outcome = await onRequest(
      async (req) => (await negotiating.forRequest(req)).locale,
      (url) => fetch(url, { headers }),
    );
    return resultOf(outcome);
  }

  it('negotiates Accept-Language among the available languages (RFC 9110 §12.5.4)', async () => {
    await expect(chosen({ 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' })).resolves.toBe('de');
    await expect(chosen({ 'accept-language': 'fr-FR, de;q=0.5' })).resolves.toBe('de');
    await expect(chosen({ 'accept-language': 'fr-FR' })).resolves.toBe('en');
    await expect(chosen({})).resolves.toBe('en');
  });

  it("prefers the host's locale hook, and falls back when it names nothing available", async () => {
    await expect(chosen({ 'accept-language': 'en' }, () => 'de-CH')).resolves.toBe('de');
    await expect(chosen({ 'accept-language': 'de' }, () => null)).resolves.toBe('de');
    await expect(chosen({ 'accept-language': 'de' }, () => 'xx')).resolves.toBe('de');
  });
});
