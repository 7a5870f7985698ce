import type { NextFunction, Request, Response } from 'express';
import { HttpError, UnsupportedMediaTypeError } from '../errors/http-error';
import { message, type Translatable } from '../messages/catalog';
import { bodyKind } from './parse-body';

/**
 * What keeps the account pages and APIs — the settings (where a user mints personal tokens,
 * resets secrets, revokes apps) and the admin router — reachable only through the host's own
 * session, from its own pages.
 */

/** 403 for an account request that carries an access token, or comes from another site. */
export class SessionOnlyError extends HttpError {
  constructor(description: Translatable) {
    super('access_denied', 403, description);
  }
}

/** The refusal of a request that carried an access token. */
export function accessTokenRefused(): SessionOnlyError {
  return new SessionOnlyError(message('problem.accessTokenRefused'));
}

const BEARER = /^\s*bearer(\s|$)/i;

/** Whether the raw query string names `access_token` (however often, parsed or not by the host). */
function queryCarriesAccessToken(req: Request): boolean {
  const url = req.originalUrl ?? req.url;
  const question = url.indexOf('?');
  return question >= 0 && new URLSearchParams(url.slice(question + 1)).has('access_token');
}

/**
 * Finding 3 of the 2026-12 audit: a host that fills `req.user` from bearer tokens (passport's
 * strategy mounted app-wide) would let a third-party token act on the account — mint a personal
 * token with every scope, or act as an administrator. Account management is for the user in
 * person: any request that carries a bearer token (header, `access_token` in the query or a
 * parsed body) or was authenticated by a guard (`req.oauth`) is refused with 403, whatever
 * `currentUser()` says. A body we read ourselves is checked where it is read.
 */
export function refuseAccessTokens(req: Request, _res: Response, next: NextFunction): void {
  const header = req.headers.authorization;
  const body: unknown = req.body;
  const inBody = typeof body === 'object' && body !== null && Reflect.get(body, 'access_token') !== undefined;
  if (
    req.oauth !== undefined ||
    (header !== undefined && BEARER.test(header)) ||
    queryCarriesAccessToken(req) ||
    inBody
  ) {
    next(accessTokenRefused());
    return;
  }
  next();
}

/** Whether a request comes from another site, by `Sec-Fetch-Site`, else by `Origin` against `Host`. */
export function isCrossSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  // `same-site` is another origin of the same site (another port or subdomain): not ours.
  if (typeof site === 'string' && site !== '') return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false; // not a browser, or a same-origin GET
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // `null` (sandboxed frames, data: documents) and anything unparsable
  }
}

/**
 * Finding 4: the JSON APIs' CSRF defence, for every write, body or not (`/secret`,
 * `/revoke-tokens` and `DELETE`s have none). A cross-site request (`Sec-Fetch-Site`, or `Origin`)
 * is refused with 403, and the request must be one a plain HTML form or a `no-cors` fetch cannot
 * send: `Content-Type: application/json`, or — where `customHeader` allows it — a custom
 * `X-Requested-With` header (415 otherwise). Both make a browser ask the server first (CORS
 * preflight), which it never allows here.
 */
export function sameSiteJsonWrites(options: { customHeader: boolean }) {
  const refusal = options.customHeader ? message('problem.jsonOrRequestedWith') : message('problem.jsonOnly');
  return function sameSiteJsonWrites(req: Request, _res: Response, next: NextFunction): void {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    if (isCrossSite(req)) {
      next(new SessionOnlyError(message('problem.crossSite')));
      return;
    }
    const custom = req.headers['x-requested-with'];
    const marked = options.customHeader && typeof custom === 'string' && custom !== '';
    if (bodyKind(req) === 'json' || marked) next();
    else next(new UnsupportedMediaTypeError(refusal));
  };
}
