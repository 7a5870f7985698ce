import { escapeHtml, html, type RawHtml } from './html';

/** The stylesheet of the pages a user passes through during a flow: consent, device, errors. */
export const FLOW_STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}ul{padding-left:1.2rem}li{margin:.4rem 0}.muted{color:#59636e}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #d1d9e0;cursor:pointer}
button.primary{background:#1f883d;color:#fff;border-color:#1f883d}.error{color:#d1242f}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
.badge{background:#fff8c5;border:1px solid #d4a72c;border-radius:2em;padding:0 .5rem;font-size:.8rem;color:#7d4e00}`;

/** What the document shell of a page is made of; what `views.layout` receives. */
export interface LayoutData {
  /** The page's title, as text (the layout escapes it). */
  readonly title: string;
  /** The page's language, a BCP 47 tag for `<html lang>`. */
  readonly lang: string;
  /** Which pages: `flow` (consent, device, errors), `settings` or `admin`. */
  readonly kind: 'flow' | 'settings' | 'admin';
  /** The built-in stylesheet of this kind of page (CSS text, put in a `<style>` element). */
  readonly style: string;
  /** Extra markup for `<head>`, e.g. `<link rel="stylesheet" href="/theme.css">`; empty by default. */
  readonly head: string;
  /** Markup before the body: the settings and admin navigation; empty on flow pages. */
  readonly header: string;
  /** The page's content, markup. */
  readonly body: string;
}

/**
 * The built-in document shell of every page the provider renders: consent, device, error,
 * settings and admin pages differ only in their stylesheet, header and body. No script anywhere
 * (the default policy forbids it). A host replaces it with `views.layout`, or wraps it to add a
 * stylesheet or a header of its own.
 *
 * @example
 * ```ts
 * createProvider({
 *   views: {
 *     layout: (page) => renderLayout({ ...page, head: '<link rel="stylesheet" href="/theme.css">' }),
 *     csp: { all: { styleSrc: ["'self'"] } },
 *   },
 *   // …
 * });
 * ```
 */
export function renderLayout(page: LayoutData): string {
  return `<!doctype html><html lang="${escapeHtml(page.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(page.title)}</title><style>${page.style}</style>${page.head}</head><body>${page.header}${page.body}</body></html>`;
}

/** A piece of markup as the layout takes it. */
export function markup(value: RawHtml): string {
  return value.__html;
}

/**
 * A URL fit for an `href`, or `null`. Host code may register applications without our input
 * validation, so a homepage could be `javascript:…`; only absolute http(s) URLs become links.
 * Does not rely on the CSP, which blocks `javascript:` today.
 */
export function safeHref(url: string): string | null {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** A link to a registered URL (an application's homepage), or the URL as text if it is not safe. */
export function externalLink(url: string, className?: string): RawHtml {
  const href = safeHref(url);
  const classes = className === undefined ? html`` : html` class="${className}"`;
  return href === null
    ? html`<span${classes}>${url}</span>`
    : html`<a${classes} href="${href}" rel="noopener noreferrer">${url}</a>`;
}
