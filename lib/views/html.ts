import type { Response } from 'express';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** A tagged template whose interpolations are escaped unless wrapped in `raw()`. */
export interface RawHtml {
  readonly __html: string;
}

export function raw(html: string): RawHtml {
  return { __html: html };
}

export function html(
  strings: TemplateStringsArray,
  ...values: (string | number | RawHtml | RawHtml[])[]
): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (Array.isArray(value)) out += value.map((part) => part.__html).join('');
    else if (typeof value === 'object') out += value.__html;
    else out += escapeHtml(String(value));
    out += strings[i + 1] ?? '';
  });
  return raw(out);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}ul{padding-left:1.2rem}li{margin:.4rem 0}.muted{color:#59636e}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #d1d9e0;cursor:pointer}
button.primary{background:#1f883d;color:#fff;border-color:#1f883d}.error{color:#d1242f}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}`;

/** A complete page with our stylesheet. */
export function page(title: string, body: RawHtml): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body.__html}</body></html>`;
}

/**
 * Headers for every page we render: no framing (clickjacking of the consent button), no caching
 * (pages carry CSRF tokens), no inline script.
 */
export function setPageSecurityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
}
