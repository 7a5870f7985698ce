/**
 * Time limits that scale with the machine. A limit in a test exists to turn a hang into a clear
 * failure, never to assert that a busy machine is fast: every limit goes through {@link scaled}.
 *
 * The factor is `TEST_TIME_SCALE` (set it by hand, e.g. `TEST_TIME_SCALE=4` on a slow runner);
 * when it is unset, jest.config.js measures the machine once per run (a short CPU calibration)
 * and passes its result to the workers in the same variable.
 */
function readScale(): number {
  const value = Number(process.env.TEST_TIME_SCALE);
  return Number.isFinite(value) && value >= 1 ? value : 1;
}

/** The factor every time limit of the suites is multiplied by (at least 1). */
export const TIME_SCALE = readScale();

/** `ms` scaled to this machine. */
export function scaled(ms: number): number {
  return Math.round(ms * TIME_SCALE);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it holds, at most `attempts` times with `intervalMs` between tries, for
 * effects that land after the answer (a last-used timestamp written after the response).
 * Throws with `what` if it never holds.
 */
export async function eventually(
  what: string,
  probe: () => Promise<boolean>,
  { attempts = 100, intervalMs = 20 }: { attempts?: number; intervalMs?: number } = {},
): Promise<void> {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (await probe()) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not after ${attempts} attempts`);
}

/**
 * Waits until `probe` holds, polling every `intervalMs`; fails after `limitMs` (scaled) with
 * `what`. Returns how long it took. For conditions that are reached by counts (so many answers
 * seen), where the limit only catches a hang.
 */
export async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  limitMs: number,
  intervalMs = 50,
): Promise<number> {
  const started = performance.now();
  const limit = scaled(limitMs);
  for (;;) {
    if (await Promise.resolve(probe()).catch(() => false)) return performance.now() - started;
    if (performance.now() - started > limit) throw new Error(`${what}: not within ${limit} ms`);
    await sleep(intervalMs);
  }
}
