import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ResolvedOptions } from '../options/resolve-options';
import { constantTimeEqual } from '../tokens/hash';
import { readCookie } from './cookies';

const COOKIE = 'eo_csrf';

function tokenFor(key: Buffer, browserSecret: string, userId: string): string {
  return createHmac('sha256', key).update(`${browserSecret}\u0000${userId}`).digest('base64url');
}

function boundTokenFor(
  key: Buffer,
  browserSecret: string,
  userId: string,
  binding: string,
  nonce: string,
): string {
  const mac = createHmac('sha256', key)
    .update(`bound\u0000${browserSecret}\u0000${userId}\u0000${binding}\u0000${nonce}`)
    .digest('base64url');
  return `${nonce}.${mac}`;
}

/** This browser's CSRF secret, set as a cookie when it has none yet. */
function browserSecretOf(req: Request, res: Response, options: ResolvedOptions): string {
  let browserSecret = readCookie(req, COOKIE);
  if (browserSecret === null || !/^[A-Za-z0-9_-]{43}$/.test(browserSecret)) {
    browserSecret = randomBytes(32).toString('base64url');
    res.cookie(COOKIE, browserSecret, {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
      path: '/',
    });
  }
  return browserSecret;
}

/**
 * A CSRF token bound, besides this browser and user, to what the form was shown for (`binding`:
 * the consent page's client, redirect URI and scopes), and new on every page (a random nonce it
 * carries): a token taken from one consent page approves nothing else.
 */
export function issueBoundCsrfToken(
  req: Request,
  res: Response,
  userId: string,
  binding: string,
  options: ResolvedOptions,
): string {
  const nonce = randomBytes(16).toString('base64url');
  return boundTokenFor(options.csrfKey, browserSecretOf(req, res, options), userId, binding, nonce);
}

/** Whether a bound token matches this browser, this user and `binding`. */
export function verifyBoundCsrfToken(
  req: Request,
  userId: string,
  binding: string,
  token: string | undefined,
  options: ResolvedOptions,
): boolean {
  const browserSecret = readCookie(req, COOKIE);
  const nonce = token?.split('.')[0];
  if (
    browserSecret === null ||
    token === undefined ||
    nonce === undefined ||
    !/^[A-Za-z0-9_-]{22}$/.test(nonce)
  ) {
    return false;
  }
  return constantTimeEqual(boundTokenFor(options.csrfKey, browserSecret, userId, binding, nonce), token);
}

/**
 * CSRF protection for our forms (consent, settings) without depending on the host's session store: a random
 * per-browser secret in an HttpOnly SameSite cookie, and a form token that is an HMAC of that
 * secret and the logged-in user's id. A token is valid only for this browser and this user.
 */
export function issueCsrfToken(
  req: Request,
  res: Response,
  userId: string,
  options: ResolvedOptions,
): string {
  return tokenFor(options.csrfKey, browserSecretOf(req, res, options), userId);
}

/** Whether the posted token matches this browser's cookie and this user. */
export function verifyCsrfToken(
  req: Request,
  userId: string,
  token: string | undefined,
  options: ResolvedOptions,
): boolean {
  const browserSecret = readCookie(req, COOKIE);
  if (browserSecret === null || token === undefined) return false;
  return constantTimeEqual(tokenFor(options.csrfKey, browserSecret, userId), token);
}
