import type { Request } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Whether a form post comes from another site: `Sec-Fetch-Site` when the browser sends it,
 * else `Origin` against `Host`. `Origin: null` (sandboxed iframes, `data:` documents, some redirect
 * chains) and an unparsable `Origin` count as cross-site; no `Origin` at all (curl, old browsers)
 * does not, and then `SameSite=Lax` cookies are the defence.
 */
export function isCrossSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== '') return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/**
 * Wrong passwords, counted per user name and address: 10 in 5 minutes, then that pair waits 5
 * minutes (429 with `Retry-After`). Per pair rather than per name alone, so nobody can lock a
 * user out from elsewhere by guessing wrong on purpose.
 */
export class LoginAttempts {
  readonly #failures = new RateLimiterMemory({
    keyPrefix: 'login',
    points: 10,
    duration: 300,
    blockDuration: 300,
  });

  /** Seconds to wait before this pair may try again; 0 when it may now. */
  async retryAfter(username: string, address: string): Promise<number> {
    const res = await this.#failures.get(`${username}\u0000${address}`);
    return res !== null && res.consumedPoints > 10 ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  }

  async recordFailure(username: string, address: string): Promise<void> {
    try {
      await this.#failures.consume(`${username}\u0000${address}`);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
    }
  }
}
