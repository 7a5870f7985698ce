/**
 * The Content-Security-Policy of the pages the provider renders. Without additions it allows no
 * script, no framing, inline styles only, images from the page's own origin; a host that replaces
 * a view or the layout adds the sources its own stylesheet, script, fonts or images need, for
 * every page or for one view (the `views.csp` option).
 */

/** Sources a host adds to the policy (CSP source expressions: `'self'`, `https://cdn.example`, …). */
export interface CspSources {
  /** Stylesheets (`style-src`, after `'unsafe-inline'`). */
  readonly styleSrc?: readonly string[];
  /** Scripts (`script-src`; none are allowed without one). */
  readonly scriptSrc?: readonly string[];
  /** Images (`img-src`, after `'self'`). */
  readonly imgSrc?: readonly string[];
  /** Web fonts (`font-src`). */
  readonly fontSrc?: readonly string[];
  /** What scripts may fetch (`connect-src`). */
  readonly connectSrc?: readonly string[];
  /**
   * Who may frame the page (`frame-ancestors`, default `'none'`). Refused for the consent view:
   * a framed consent button is clickjacking (RFC 6749 §10.13).
   */
  readonly frameAncestors?: readonly string[];
}

/** The headers one view is answered with. */
export interface PagePolicy {
  /** The `Content-Security-Policy` header. */
  readonly csp: string;
  /** `false`: also `X-Frame-Options: DENY` (no `frameAncestors` were added). */
  readonly frameable: boolean;
}

const DIRECTIVES = [
  ['styleSrc', 'style-src'],
  ['scriptSrc', 'script-src'],
  ['imgSrc', 'img-src'],
  ['fontSrc', 'font-src'],
  ['connectSrc', 'connect-src'],
  ['frameAncestors', 'frame-ancestors'],
] as const;

/** What each directive allows before any addition; `null`: the directive is left to `default-src`. */
const BASE: Readonly<Record<(typeof DIRECTIVES)[number][1], readonly string[] | null>> = {
  'style-src': ["'unsafe-inline'"],
  'script-src': null,
  'img-src': ["'self'"],
  'font-src': null,
  'connect-src': null,
  'frame-ancestors': ["'none'"],
};

/** The policy with the given additions, each source once, in the order given. */
export function pagePolicy(additions: readonly (CspSources | undefined)[]): PagePolicy {
  const parts = ["default-src 'none'"];
  let frameable = false;
  for (const [option, directive] of DIRECTIVES) {
    const added = additions.flatMap((sources) => sources?.[option] ?? []);
    if (option === 'frameAncestors' && added.length > 0) frameable = true;
    const base = option === 'frameAncestors' && added.length > 0 ? [] : (BASE[directive] ?? []);
    const sources = [...new Set([...base, ...added])];
    if (sources.length > 0) parts.push(`${directive} ${sources.join(' ')}`);
  }
  parts.push("base-uri 'none'");
  return { csp: parts.join('; '), frameable };
}

/** The policy of a page whose view adds nothing: the built-in pages' default. */
export const DEFAULT_PAGE_POLICY: PagePolicy = pagePolicy([]);

/** The directive names a host may add sources to, for option checks. */
export const CSP_SOURCE_OPTIONS: readonly string[] = DIRECTIVES.map(([option]) => option);
