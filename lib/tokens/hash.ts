import { hash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 hex of a secret. Every token, code and client secret we issue carries ≥ 128 bits of
 * randomness, so a fast unsalted hash is enough: there is nothing to brute-force, and the token
 * path stays cheap (no bcrypt on every request).
 */
export function sha256Hex(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two hex digests (or any two strings of equal length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** Whether `secret` hashes to `expectedHash`, compared in constant time. */
export function secretMatchesHash(secret: string, expectedHash: string): boolean {
  return constantTimeEqual(sha256Hex(secret), expectedHash);
}
