/**
 * A clock the tests move by hand: only `Date` is faked, so sockets, timers and promises (and a
 * database driver's heartbeats) run for real while the provider's idea of "now" stands still or
 * jumps. Restored after every test of a file that imports this module.
 */

/** Everything jest can fake that the tests here never fake: real I/O keeps working. */
const ALWAYS_REAL = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setTimeout',
  'clearTimeout',
] as const;

/** Freezes `Date` at the current instant (or `at`). */
export function freezeClock(at: number = Date.now()): void {
  jest.useFakeTimers({ now: at, doNotFake: [...ALWAYS_REAL, 'setInterval', 'clearInterval'] });
}

/**
 * Fakes only the interval timers (`setInterval`, `clearInterval`): `Date` and storage drivers'
 * timeouts and sockets stay real, so a test can fire a provider's periodic work by hand.
 */
export function fakeIntervals(): void {
  jest.useFakeTimers({ doNotFake: [...ALWAYS_REAL, 'Date'] });
}

/** Moves the frozen clock forward. */
export function advanceClock(seconds: number): void {
  jest.setSystemTime(Date.now() + seconds * 1000);
}

if (typeof afterEach === 'function') {
  afterEach(() => {
    jest.useRealTimers();
  });
}
