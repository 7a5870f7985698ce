/** Medians and spreads of per-round figures, for the bench scripts. */

/** The `q`-quantile (0…1) of `values`, interpolated between neighbours; `NaN` for none. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? Number.NaN;
  return lowValue + (highValue - lowValue) * (at - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Median and interquartile range of one figure over the rounds. */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
  /** `(q3 − q1) / median`: how far apart the middle half of the rounds lies. */
  relative: number;
}

export function spread(values: readonly number[]): Spread {
  const mid = median(values);
  const q1 = quantile(values, 0.25);
  const q3 = quantile(values, 0.75);
  return { median: mid, q1, q3, relative: mid === 0 ? Number.POSITIVE_INFINITY : (q3 - q1) / mid };
}

export const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** What the bench server prints on its first line once it listens: where, and what it seeded. */
export interface BenchSetup {
  port: number;
  clientId: string;
  clientSecret: string;
  tokens: string[];
  codes: string[];
  handwrittenToken: string;
}
