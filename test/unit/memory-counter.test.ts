import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { MemoryCounter } from '../../lib/limits/memory-counter';
import type { RateLimitResult, RateLimitSpec } from '../../lib/storage/storage-adapter';

/**
 * The in-process counter replaced `rate-limiter-flexible`'s `RateLimiterMemory` (a promise and a
 * timer per key): it must answer exactly as that one did, as the store-backed counters of the SQL
 * and Mongo adapters (the same library's fixed windows) do.
 */
describe('MemoryCounter', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** The library's answer, as the counter's contract states it (lib/limits/flexible-counter.ts did this). */
  async function reference(limiter: RateLimiterMemory, key: string): Promise<RateLimitResult> {
    const of = (res: RateLimiterRes, allowed: boolean): RateLimitResult => {
      const wait = Math.max(0, res.msBeforeNext);
      return {
        allowed,
        remaining: Math.max(0, res.remainingPoints),
        retryAfterSeconds: allowed ? Math.ceil(wait / 1000) : Math.max(1, Math.ceil(wait / 1000)),
      };
    };
    try {
      return of(await limiter.consume(key), true);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return of(refusal, false);
      throw refusal;
    }
  }

  it.each<RateLimitSpec>([
    { name: 'plain', points: 3, durationSeconds: 10 },
    { name: 'blocking', points: 2, durationSeconds: 10, blockSeconds: 30 },
  ])(
    'answers every request of a burst, a pause and the next window as RateLimiterMemory did ($name)',
    async (spec) => {
      const ours = new MemoryCounter(spec);
      const theirs = new RateLimiterMemory({
        points: spec.points,
        duration: spec.durationSeconds,
        blockDuration: spec.blockSeconds ?? 0,
      });
      // Requests 0.5 s apart for 60 s: windows open, fill, refuse, block and end along the way.
      for (let step = 0; step < 120; step += 1) {
        const expected = await reference(theirs, 'k');
        expect({ step, result: ours.consumeNow('k') }).toEqual({ step, result: expected });
        jest.advanceTimersByTime(500);
      }
    },
  );

  it('a key over the limit is refused until its window ends, then has every point again', async () => {
    const counter = new MemoryCounter({ name: 't', points: 2, durationSeconds: 60 });
    expect(counter.consumeNow('a')).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 60 });
    expect(counter.consumeNow('a').allowed).toBe(true);
    expect(counter.consumeNow('a')).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 60 });
    expect(await counter.peek('a')).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 60 });
    expect(counter.consumeNow('b').allowed).toBe(true);
    jest.advanceTimersByTime(60_000);
    expect(counter.peekNow('a')).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
    expect((await counter.consume('a')).remaining).toBe(1);
  });

  it('blockSeconds starts at the request that first went over; later refusals do not prolong it', () => {
    const counter = new MemoryCounter({ name: 't', points: 1, durationSeconds: 60, blockSeconds: 120 });
    counter.consumeNow('a');
    expect(counter.consumeNow('a')).toMatchObject({ allowed: false, retryAfterSeconds: 120 });
    jest.advanceTimersByTime(100_000);
    expect(counter.consumeNow('a')).toMatchObject({ allowed: false, retryAfterSeconds: 20 });
    jest.advanceTimersByTime(20_000);
    expect(counter.consumeNow('a')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('forgets ended windows: a flood of one-off keys does not stay in memory', () => {
    const counter = new MemoryCounter({ name: 't', points: 5, durationSeconds: 1 });
    for (let i = 0; i < 5000; i += 1) {
      counter.consumeNow(`one-off-${i}`);
      jest.advanceTimersByTime(10);
    }
    // Windows of 1 s at 100 new keys a second: about 100 live at a time; sweeps keep the map small.
    expect(counter.trackedKeys()).toBeLessThanOrEqual(2048);
    expect(counter.consumeNow('one-off-4999').remaining).toBe(3);
  });
});
