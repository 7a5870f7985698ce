/**
 * Seeded pseudo-random numbers for the reliability suites, so a run can be repeated exactly.
 *
 * The seed is `TEST_SEED` when set (a number, or `random` for a new one), else a fixed default:
 * every run sends the same requests unless asked otherwise. Each suite prints its seed, so a
 * failure is reproduced with `TEST_SEED=<seed> npx jest <file>`.
 */
const DEFAULT_SEED = 20261201;

function chooseSeed(): number {
  const value = process.env.TEST_SEED;
  if (value === undefined || value === '') return DEFAULT_SEED;
  if (value === 'random') return Math.floor(Date.now() % 2 ** 31);
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`TEST_SEED must be an integer or "random", not ${value}`);
  return seed;
}

/** This run's seed (the same in every file of one run only when `TEST_SEED` is a number). */
export const TEST_SEED = chooseSeed();

/** A deterministic source of numbers in [0, 1), with helpers to pick from lists. */
export interface Random {
  readonly seed: number;
  next(): number;
  /** An integer in [0, n). */
  below(n: number): number;
  pick<T>(list: readonly T[]): T;
  /** A short lowercase token, for names. */
  word(length?: number): string;
}

/** mulberry32: small, fast and good enough to pick test actions. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    below,
    pick<T>(list: readonly T[]): T {
      const item = list[below(list.length)];
      if (item === undefined) throw new Error('pick() from an empty list');
      return item;
    },
    word(length = 6): string {
      let text = '';
      for (let n = 0; n < length; n += 1) text += 'abcdefghijklmnopqrstuvwxyz'.charAt(below(26));
      return text;
    },
  };
}

/** A generator derived from the run's seed and a label (one per virtual user, say), printed once. */
export function randomFor(label: string, index = 0): Random {
  let hash = TEST_SEED ^ index;
  for (const char of label) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return seededRandom(hash);
}

/** Prints the seed of a suite, and how to run it again with the same one. */
export function announceSeed(suite: string): void {
  process.stdout.write(`\n[${suite}] TEST_SEED=${TEST_SEED} (repeat a run with TEST_SEED=${TEST_SEED})\n`);
}
