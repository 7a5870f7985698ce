import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * The example's own CSRF token for its playground forms: random, kept in the server-side session
 * (so it dies with the session, and a new login — which regenerates the session — gets a new
 * one), and compared in constant time.
 */
export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

export function csrfTokenMatches(req: Request, sent: unknown): boolean {
  const expected = req.session.csrfToken;
  if (typeof expected !== 'string' || typeof sent !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
