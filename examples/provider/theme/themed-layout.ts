import type { Request } from 'express';
import { escapeHtml, type LayoutContext, type LayoutData, renderLayout } from '../../../lib';

/** The languages the example offers, with their names in themselves. */
export const LANGUAGES = [
  ['en', 'English'],
  ['de', 'Deutsch'],
] as const;

/** The cookie the language switch sets. */
export const LANGUAGE_COOKIE = 'lang';

/** The language the visitor chose with the switch, or `null` (then `Accept-Language` decides). */
export function chosenLanguage(req: Request): string | null {
  const cookie = req.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([a-z]{2})(?:;|$)`).exec(cookie);
  const value = match?.[1];
  return LANGUAGES.some(([code]) => code === value) ? (value ?? null) : null;
}

/**
 * The example's theme around the library's pages: the built-in layout, plus the example's own
 * stylesheet and a header with its brand, its sections and the language switch. Everything
 * else (the views, the built-in styles, `<html lang>`) stays the library's.
 */
export function themedLayout(isAdmin: (req: Request) => boolean) {
  return (page: LayoutData, context: LayoutContext): string => {
    const { req, locale } = context;
    const here = encodeURIComponent(req.originalUrl);
    const languages = LANGUAGES.map(([code, name]) => {
      const current = code === locale ? ' aria-current="true"' : '';
      return `<a href="/language?lang=${code}&amp;return_to=${here}" hreflang="${code}" lang="${code}"${current}>${name}</a>`;
    }).join('');
    const links: [string, string][] = [
      ['/', 'Home'],
      ['/playground', 'Playground'],
      ['/settings/applications', context.t.text('settings.brand')],
    ];
    if (isAdmin(req)) links.push(['/admin/applications', context.t.text('admin.brand')]);
    const nav = links.map(([href, label]) => `<a href="${href}">${escapeHtml(label)}</a>`).join('');
    const header = `<header class="site-header"><div class="bar"><a class="brand" href="/">Example OAuth provider</a><nav>${nav}</nav><span class="languages">${languages}</span></div></header>`;
    const html = renderLayout({
      ...page,
      head: `${page.head}<link rel="stylesheet" href="/theme/theme.css">`,
      header: `${header}${page.header}`,
    });
    return html.replace('<body>', '<body class="themed">');
  };
}
