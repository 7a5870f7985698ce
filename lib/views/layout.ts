import { escapeHtml, html, type RawHtml } from './html';

/** The stylesheet of the pages a user passes through during a flow: consent, device, errors. */
export const FLOW_STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}ul{padding-left:1.2rem}li{margin:.4rem 0}.muted{color:#59636e}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #d1d9e0;cursor:pointer}
button.primary{background:#1f883d;color:#fff;border-color:#1f883d}.error{color:#d1242f}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
.badge{background:#fff8c5;border:1px solid #d4a72c;border-radius:2em;padding:0 .5rem;font-size:.8rem;color:#7d4e00}`;

/**
 * The one document shell of every page the provider renders: consent, device, error and settings
 * pages differ only in their stylesheet and body. No script anywhere (the CSP forbids it).
 */
export function documentPage(title: string, body: RawHtml, style: string = FLOW_STYLE): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${style}</style></head><body>${body.__html}</body></html>`;
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
