import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitCounter, RateLimitResult, RateLimitSpec } from '../storage/storage-adapter';
import { MemoryCounter } from './memory-counter';

/**
 * `rate-limiter-flexible` behind our own small `RateLimitCounter`, so the storage contract never
 * names the library's types. The store-backed adapters build their counters with this: the Mongo
 * adapter on `RateLimiterMongo`, the SQL adapter on `RateLimiterPostgres` / `RateLimiterSQLite`.
 * In process memory (the memory adapter, the provider's fallback) it is our own
 * {@link MemoryCounter}, the same fixed windows without a promise or a timer per request.
 */

/** The library's options for a spec: one key prefix per limit, so limits can share a table. */
export function limiterOptions(spec: RateLimitSpec) {
  return {
    keyPrefix: spec.name,
    points: spec.points,
    duration: spec.durationSeconds,
    blockDuration: spec.blockSeconds ?? 0,
  };
}

function resultOf(res: RateLimiterRes, allowed: boolean): RateLimitResult {
  const wait = Math.max(0, res.msBeforeNext);
  return {
    allowed,
    remaining: Math.max(0, res.remainingPoints),
    retryAfterSeconds: allowed ? Math.ceil(wait / 1000) : Math.max(1, Math.ceil(wait / 1000)),
  };
}

/**
 * Wraps a limiter: a refusal (the library rejects with a `RateLimiterRes`) is an answer, not an
 * error; anything else it rejects with is a storage failure and stays a rejection.
 */
export function flexibleCounter(limiter: RateLimiterAbstract, points: number): RateLimitCounter {
  return {
    async consume(key, consumed = 1) {
      try {
        return resultOf(await limiter.consume(key, consumed), true);
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return resultOf(refusal, false);
        throw refusal;
      }
    },
    async peek(key) {
      const res = await limiter.get(key);
      if (res === null) return { allowed: true, remaining: points, retryAfterSeconds: 0 };
      return resultOf(res, res.consumedPoints <= points);
    },
  };
}

/** A counter in this process's memory (the memory adapter's, and the fallback of adapters without one). */
export function memoryCounter(spec: RateLimitSpec): MemoryCounter {
  return new MemoryCounter(spec);
}
