/**
 * Limits wrong user-code entries per user (RFC 8628 §5.1: user codes are short, so guessing must
 * be rate limited). A fixed window per key, in process memory, bounded in size.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { failures: number; startedAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds until `key` may try again, or 0 if it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.windowMs) return 0;
    return window.failures >= this.maxFailures
      ? Math.ceil((window.startedAt + this.windowMs - now) / 1000)
      : 0;
  }

  recordFailure(key: string, now = Date.now()): void {
    const window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      if (this.windows.size >= this.maxKeys) this.dropExpired(now);
      this.windows.set(key, { failures: 1, startedAt: now });
    } else {
      window.failures += 1;
    }
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
    // Still full: forget the oldest entry rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
  }
}
