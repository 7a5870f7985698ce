import type { Logger } from '../logging/logger';
import type { StorageAdapter } from '../storage/storage-adapter';

/** A running purge timer. */
export interface PurgeSchedule {
  /** Stops the timer and waits for a purge in progress to finish. */
  stop(): Promise<void>;
}

/**
 * The core owns the purge (every adapter is purged, not only those with TTL indexes): every
 * `intervalSeconds` it calls `storage.purgeExpired(now)`, one call at a time (a slow purge is
 * never overlapped by the next one). The timer is `unref()`ed, so it never keeps a process alive.
 * Several processes purging one store is harmless: `purgeExpired` deletes what is expired, and a
 * record deleted by another process is simply not counted twice. A failure reaches `onError`
 * (through the guarded adapter, which also answers 503 to requests meanwhile) and the next tick
 * tries again.
 */
export function schedulePurge(
  storage: StorageAdapter,
  intervalSeconds: number,
  logger: Logger,
  /** Housekeeping of the core's own after each purge (unused `dynamic` applications); returns a count. */
  alsoPurge: (now: Date) => Promise<number> = async () => 0,
): PurgeSchedule {
  if (intervalSeconds === 0) return { stop: async () => {} };
  let running: Promise<void> | null = null;
  const purge = (): void => {
    if (running !== null) return;
    const started = Date.now();
    const now = new Date();
    running = storage
      .purgeExpired(now)
      .then(async (deleted) => ({ deleted, applications: await alsoPurge(now) }))
      .then(
        ({ deleted, applications }) =>
          logger.debug?.({ deleted, applications, ms: Date.now() - started }, 'expired token records purged'),
        // The guarded adapter has reported the cause to onError already.
        () => {},
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(purge, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
