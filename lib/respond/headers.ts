import type { Response } from 'express';
import { DEFAULT_PAGE_POLICY, type PagePolicy } from '../views/csp';

/**
 * The two header policies every answer of ours follows, each written once. Endpoints apply them
 * as the steps `noStore` and `pageHeaders` (`lib/endpoints/steps/`); the responders in this
 * folder apply them to the answers they build.
 */

/** RFC 6749 §5.1, RFC 6750 §5.3: tokens, codes and CSRF-bearing pages must never be cached. */
export function preventCaching(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * Headers for every page we render: no framing (clickjacking of the consent button), no caching
 * (pages carry CSRF tokens), no script unless the view's policy adds some, no referrer leaking
 * codes or states. A view's own policy (`views.csp`) replaces the default when it is sent.
 */
export function setPageHeaders(res: Response, policy: PagePolicy = DEFAULT_PAGE_POLICY): void {
  res.set({
    'Content-Security-Policy': policy.csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  if (policy.frameable) res.removeHeader('X-Frame-Options');
  else res.set('X-Frame-Options', 'DENY');
  preventCaching(res);
}
