import type { NextFunction, Request, Response } from 'express';
import { HttpError, UnsupportedMediaTypeError } from '../errors/http-error';
import { bodyKind, queryParameters } from '../http/parse-body';

/**
 * What keeps the settings — where a user mints personal tokens, resets secrets and revokes apps —
 * reachable only through the host's own session, from its own pages.
 */

/** 403 for a settings request that carries an access token, or comes from another site. */
export class SettingsRefusedError extends HttpError {
  constructor(description: string) {
    super('access_denied', 403, description);
  }
}

const BEARER = /^\s*bearer(\s|$)/i;

/**
 * Finding of the 2026-12 audit: a host that fills `req.user` from bearer tokens (passport's
 * strategy mounted app-wide) would let a third-party token act on the account — mint a personal
 * token with every scope. Account management is for the user in person: any request that carries
 * a bearer token (header, `access_token` in the query or a body) or was authenticated by a guard
 * (`req.oauth`) is refused, whatever `currentUser()` says.
 */
/** The refusal of a request that carried an access token. */
export function accessTokenRefused(): SettingsRefusedError {
  return new SettingsRefusedError(
    'Account settings take only your own sign-in on this site, never an access token',
  );
}

export function refuseAccessTokens(req: Request, _res: Response, next: NextFunction): void {
  const header = req.headers.authorization;
  const body: unknown = req.body;
  const inBody = typeof body === 'object' && body !== null && Reflect.get(body, 'access_token') !== undefined;
  let inQuery = false;
  try {
    inQuery = queryParameters(req).access_token !== undefined;
  } catch {
    inQuery = true; // a repeated parameter: `access_token` or not, a settings request has no query to repeat
  }
  if (req.oauth !== undefined || (header !== undefined && BEARER.test(header)) || inQuery || inBody) {
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
 * The JSON API's CSRF defence, for every write, body or not (`/secret` and `/revoke-tokens` have
 * none): a cross-site request (`Sec-Fetch-Site`, or `Origin`) is refused with 403, and the request
 * must be one a plain HTML form or a `no-cors` fetch cannot send — `Content-Type:
 * application/json`, or a custom `X-Requested-With` header (415 otherwise). Both make a browser
 * ask the server first (CORS preflight), which it never allows.
 */
export function jsonWritesOnly(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') {
    next();
    return;
  }
  if (isCrossSite(req)) {
    next(new SettingsRefusedError('Cross-site requests to the settings API are refused'));
    return;
  }
  const custom = req.headers['x-requested-with'];
  if (bodyKind(req) === 'json' || (typeof custom === 'string' && custom !== '')) next();
  else
    next(
      new UnsupportedMediaTypeError(
        'Writes need Content-Type: application/json (or an X-Requested-With header)',
      ),
    );
}
