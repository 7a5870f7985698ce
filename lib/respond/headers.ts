import type { Response } from 'express';

/**
 * The two header policies every answer of ours follows, each written once. Endpoints apply them
 * as the steps `noStore` and `pageHeaders` (`lib/endpoints/steps/`); the responders in this
 * folder apply them to the answers they build.
 */

/** RFC 6749 §5.1, RFC 6750 §5.3: tokens, codes and CSRF-bearing pages must never be cached. */
export function preventCaching(res: Response): void {
  res.set('Cache-Control', 'no-store');
}

/**
 * Headers for every page we render: no framing (clickjacking of the consent button), no caching
 * (pages carry CSRF tokens), no script at all, no referrer leaking codes or states.
 */
export function setPageHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  preventCaching(res);
}
