/**
 * A clock the tests move by hand: only `Date` is faked, so sockets, timers and promises (and a
 * database driver's heartbeats) run for real while the provider's idea of "now" stands still or
 * jumps. Restored after every test of a file that imports this module.
 */

/** Freezes `Date` at the current instant (or `at`). */
export function freezeClock(at: number = Date.now()): void {
  jest.useFakeTimers({
    now: at,
    doNotFake: [
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
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
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
