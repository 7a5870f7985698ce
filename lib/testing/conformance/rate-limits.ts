/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { RateLimitCounter, RateLimitSpec } from '../../storage/storage-adapter';
import type { GetAdapter } from './context';

/**
 * `createRateLimiter`, optional: when an adapter has it, its counters count
 * atomically, refuse past `points` with a `retryAfterSeconds`, and two counters of one limit on
 * one store (what two processes get) share one budget.
 */
export function describeRateLimits(adapter: GetAdapter): void {
  describe('createRateLimiter (optional)', () => {
    /** The adapter's counter for `spec`, or `null` when it has no `createRateLimiter`. */
    function counter(spec: RateLimitSpec): RateLimitCounter | null {
      const created = adapter().createRateLimiter?.(spec);
      return created ?? null;
    }
    const spec = (points: number, extra: Partial<RateLimitSpec> = {}): RateLimitSpec => ({
      name: `conformance_${randomUUID().slice(0, 8)}`,
      points,
      durationSeconds: 60,
      ...extra,
    });

    it('is a function or absent', () => {
      expect(['function', 'undefined']).toContain(typeof adapter().createRateLimiter);
    });

    it('allows `points` per key, then refuses with a wait; other keys keep their own budget', async () => {
      const limit = counter(spec(3));
      if (limit === null) return;
      const key = `client-${randomUUID()}`;
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await limit.consume(key));
      expect(results.map((result) => [result.allowed, result.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      const refused = results[3];
      expect(refused?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused?.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect((await limit.peek(key)).allowed).toBe(false);
      expect(await limit.peek(`unknown-${randomUUID()}`)).toEqual({
        allowed: true,
        remaining: 3,
        retryAfterSeconds: 0,
      });
      expect((await limit.consume(`other-${randomUUID()}`)).allowed).toBe(true);
    });

    it('peek counts nothing', async () => {
      const limit = counter(spec(1));
      if (limit === null) return;
      const key = randomUUID();
      for (let i = 0; i < 3; i += 1) expect((await limit.peek(key)).allowed).toBe(true);
      expect((await limit.consume(key)).allowed).toBe(true);
      expect((await limit.consume(key)).allowed).toBe(false);
    });

    it('two counters of one limit on one store (two processes) share one budget', async () => {
      const shared = spec(3);
      const first = counter(shared);
      const second = counter(shared);
      if (first === null || second === null) return;
      const key = randomUUID();
      expect((await first.consume(key)).allowed).toBe(true);
      expect((await second.consume(key)).allowed).toBe(true);
      expect((await first.consume(key)).allowed).toBe(true);
      expect((await second.consume(key)).allowed).toBe(false);
      expect((await first.peek(key)).allowed).toBe(false);
    });

    it('a key over the limit stays refused for blockSeconds', async () => {
      const limit = counter(spec(1, { durationSeconds: 60, blockSeconds: 120 }));
      if (limit === null) return;
      const key = randomUUID();
      await limit.consume(key);
      const refused = await limit.consume(key);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(100);
      expect((await limit.peek(key)).retryAfterSeconds).toBeGreaterThan(100);
    });

    it('loses no concurrent consume: of 20 at once against 10 points, at most 10 are allowed, and the key is then over', async () => {
      // Atomic stores allow exactly 10; a store that can only count safely may refuse early, but
      // a lost count (a read-then-write update) would let more through.
      const limit = counter(spec(10));
      if (limit === null) return;
      const key = randomUUID();
      const results = await Promise.all(Array.from({ length: 20 }, () => limit.consume(key)));
      expect(results.filter((result) => result.allowed).length).toBeLessThanOrEqual(10);
      expect((await limit.peek(key)).allowed).toBe(false);
      expect((await limit.consume(key)).allowed).toBe(false);
    });

    it('counts each of 10 concurrent consumes: of 12 points, exactly 2 are left', async () => {
      const limit = counter(spec(12));
      if (limit === null) return;
      const key = randomUUID();
      await Promise.all(Array.from({ length: 10 }, () => limit.consume(key)));
      // 10 counted: two more are allowed, the third is not.
      expect((await limit.consume(key)).allowed).toBe(true);
      expect((await limit.consume(key)).allowed).toBe(true);
      expect((await limit.consume(key)).allowed).toBe(false);
    });
  });
}
