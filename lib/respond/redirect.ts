import type { Response } from 'express';
import { InvalidRequestError } from '../errors/oauth-error';
import { message } from '../messages/catalog';

/** Where an authorization request may send its answer, once its client and redirect URI are valid. */
export interface RedirectTarget {
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly issuer: string;
  /** `query` for the code flow, `fragment` for the implicit flow (RFC 6749 §4.2.2). */
  readonly responseMode: 'query' | 'fragment';
}

/**
 * The longest redirect we send. Browsers, proxies (nginx buffers 4–8 KiB of response headers) and
 * HTTP clients (Node's: 16 KiB for all headers) refuse longer `Location` headers.
 */
export const MAX_REDIRECT_LENGTH = 8192;

/**
 * The redirect URI with OAuth response parameters and `state` and `iss` (RFC 9207) added, in the
 * query (keeping the URI's own query, RFC 6749 §3.1.2) or in the fragment (implicit, §4.2.2).
 */
export function redirectLocation(target: RedirectTarget, params: Record<string, string | undefined>): string {
  const url = new URL(target.redirectUri);
  const extra = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, state: target.state, iss: target.issuer })) {
    if (value !== undefined) extra.set(key, value);
  }
  if (target.responseMode === 'fragment') return `${url.href.split('#')[0]}#${extra.toString()}`;
  for (const [key, value] of extra) url.searchParams.set(key, value);
  return url.href;
}

/**
 * The one redirect policy: a `Location` longer than {@link MAX_REDIRECT_LENGTH} is never sent.
 * Returns `false` instead, so the caller shows a page (the error it meant to redirect, or
 * {@link sendRedirect}'s "too long").
 */
export function redirectIfItFits(res: Response, location: string): boolean {
  if (location.length > MAX_REDIRECT_LENGTH) return false;
  res.redirect(302, location);
  return true;
}

/** Redirects, or throws a 400 `invalid_request` (shown as a page) when the address is too long. */
export function sendRedirect(res: Response, location: string): void {
  if (!redirectIfItFits(res, location)) {
    throw new InvalidRequestError(message('problem.redirectTooLong'));
  }
}
