import { TooManyRequestsError } from '../../lib/errors/http-error';
import { TemporarilyUnavailableError } from '../../lib/errors/oauth-error';
import { ProviderEvents } from '../../lib/events/provider-events';
import { DEFAULT_LIMITS } from '../../lib/limits/limit-options';
import { Limiter } from '../../lib/limits/limiter';
import type { RateLimitCounter, RateLimitResult, RateLimitSpec } from '../../lib/storage/storage-adapter';

/**
 * The limiter asks counters in process memory synchronously and store-backed ones through their
 * promise; either way a refusal is a 429 and a store's failure a 503 (fail closed), and a key is
 * never handed to a counter raw.
 */
describe('Limiter', () => {
  const key = { kind: 'address', value: '203.0.113.7' } as const;
  const limits = { ...DEFAULT_LIMITS, perAddress: { points: 2, durationSeconds: 60 } };

  function limiterWith(create?: (spec: RateLimitSpec) => RateLimitCounter) {
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    return { limiter: new Limiter(limits, create, new ProviderEvents(onError), onError, 600), errors };
  }

  it('in process memory: counts at once, without a promise, and refuses past the limit with a 429', () => {
    const { limiter } = limiterWith();
    expect(limiter.consume('token.address', key)).toBeUndefined();
    expect(limiter.consume('token.address', key)).toBeUndefined();
    expect(() => limiter.consume('token.address', key)).toThrow(TooManyRequestsError);
    expect(() => limiter.refuseIfBlocked('token.address', key)).toThrow(TooManyRequestsError);
  });

  it('a store-backed counter: its answer, plain or a promise, decides; the key it sees is a hash, the same each time', async () => {
    const seen: string[] = [];
    const counts = new Map<string, number>();
    const answer = (name: string): RateLimitResult => {
      const count = counts.get(name) ?? 0;
      return { allowed: count <= 2, remaining: Math.max(0, 2 - count), retryAfterSeconds: 30 };
    };
    const counter: RateLimitCounter = {
      // A counter written in plain JavaScript may answer without a promise.
      consume: (name) => {
        seen.push(name);
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return answer(name) as unknown as Promise<RateLimitResult>;
      },
      peek: async (name) => answer(name),
    };
    const { limiter } = limiterWith(() => counter);
    await limiter.consume('token.address', key);
    await limiter.consume('token.address', key);
    await expect(limiter.consume('token.address', key)).rejects.toThrow(TooManyRequestsError);
    await expect(limiter.refuseIfBlocked('token.address', key)).rejects.toThrow(TooManyRequestsError);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(seen[0]).not.toContain('203.0.113.7');
  });

  it('a counter whose store fails, by rejecting or by throwing, answers 503 and reports the failure', async () => {
    const failure = new Error('store down');
    const rejecting: RateLimitCounter = {
      consume: () => Promise.reject(failure),
      peek: () => Promise.reject(failure),
    };
    const throwing: RateLimitCounter = {
      consume: () => {
        throw failure;
      },
      peek: () => {
        throw failure;
      },
    };
    for (const counter of [rejecting, throwing]) {
      const { limiter, errors } = limiterWith(() => counter);
      await expect(Promise.resolve().then(() => limiter.consume('token.address', key))).rejects.toThrow(
        TemporarilyUnavailableError,
      );
      await expect(
        Promise.resolve().then(() => limiter.refuseIfBlocked('token.address', key)),
      ).rejects.toThrow(TemporarilyUnavailableError);
      expect(errors).toEqual([failure, failure]);
    }
  });
});
