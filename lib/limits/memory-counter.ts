import type { RateLimitCounter, RateLimitResult, RateLimitSpec } from '../storage/storage-adapter';

/** One key's window: what it has consumed and when the window (or its block) ends. */
interface Window {
  consumed: number;
  endsAt: number;
}

/**
 * A rate-limit counter in this process's memory (the memory adapter's, and the provider's
 * fallback for adapters without `createRateLimiter`), with the semantics of the store-backed ones
 * (`rate-limiter-flexible`'s fixed windows, which the SQL and Mongo adapters use): a key's window
 * opens at its first request and lasts `durationSeconds`; past `points` the key is refused until
 * the window ends, or — with `blockSeconds` — for `blockSeconds` from the request that first went
 * over.
 *
 * Synchronous underneath (`consumeNow`, `peekNow`): the limiter calls those on the hot path, so a
 * counted request costs a map look-up, not a promise and a timer per key. Ended windows are swept
 * when the map has doubled since the last sweep, so idle keys never pile up.
 */
export class MemoryCounter implements RateLimitCounter {
  readonly #windows = new Map<string, Window>();
  readonly #points: number;
  readonly #durationMs: number;
  readonly #blockMs: number;
  #sweepAt = 1024;

  constructor(spec: RateLimitSpec) {
    this.#points = spec.points;
    this.#durationMs = spec.durationSeconds * 1000;
    this.#blockMs = (spec.blockSeconds ?? 0) * 1000;
  }

  #result(window: Window, now: number): RateLimitResult {
    const allowed = window.consumed <= this.#points;
    const seconds = Math.ceil(Math.max(0, window.endsAt - now) / 1000);
    return {
      allowed,
      remaining: Math.max(0, this.#points - window.consumed),
      retryAfterSeconds: allowed ? seconds : Math.max(1, seconds),
    };
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
    this.#sweepAt = Math.max(1024, this.#windows.size * 2);
  }

  /** `consume`, answered at once. */
  consumeNow(key: string, points = 1): RateLimitResult {
    const now = Date.now();
    let window = this.#windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      if (this.#windows.size >= this.#sweepAt) this.#sweep(now);
      window = { consumed: 0, endsAt: now + this.#durationMs };
      this.#windows.set(key, window);
    }
    window.consumed += points;
    // The request that first goes over starts the block; later ones do not prolong it.
    if (this.#blockMs > 0 && window.consumed > this.#points && window.consumed <= this.#points + points) {
      window.endsAt = now + this.#blockMs;
    }
    return this.#result(window, now);
  }

  /** `peek`, answered at once. */
  peekNow(key: string): RateLimitResult {
    const now = Date.now();
    const window = this.#windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      return { allowed: true, remaining: this.#points, retryAfterSeconds: 0 };
    }
    return this.#result(window, now);
  }

  /** How many keys it holds a window for (ended ones until the next sweep). */
  trackedKeys(): number {
    return this.#windows.size;
  }

  consume(key: string, points = 1): Promise<RateLimitResult> {
    return Promise.resolve(this.consumeNow(key, points));
  }

  peek(key: string): Promise<RateLimitResult> {
    return Promise.resolve(this.peekNow(key));
  }
}
