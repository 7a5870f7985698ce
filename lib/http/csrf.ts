import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ResolvedOptions } from '../options/resolve-options';
import { constantTimeEqual } from '../tokens/hash';
import { readCookie } from './cookies';

const COOKIE = 'eo_csrf';

function tokenFor(key: Buffer, browserSecret: string, userId: string): string {
  return createHmac('sha256', key).update(`${browserSecret}\u0000${userId}`).digest('base64url');
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
  return tokenFor(options.csrfKey, browserSecret, userId);
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
