/**
 * Paired latency measurement for comparing bench servers that differ in one thing only (how many
 * tokens their database holds). On a shared 2-core machine the load changes from second to
 * second, so measuring one server and then the other compares two different machines. Here every
 * worker sends the same guarded request to each server in turn, so all servers see the same
 * moment, and the order rotates from one request group to the next (and is offset per worker), so
 * no server is always asked first, right after another server's answer, or by the same worker.
 */

/** What a worker needs of a bench server. */
export interface PairedTarget {
  label: string;
  port: number;
  /** Bearer tokens valid on that server; request group `k` uses `tokens[k % length]` on each. */
  tokens: string[];
}

/** Per-request latencies (ms) of one slice. */
export interface SliceLatencies {
  /** One list per target, in the targets' order. */
  byTarget: number[][];
  /** One list per position in the request group (first asked, second asked, …), all targets. */
  byPosition: number[][];
}

async function guarded(target: PairedTarget, index: number): Promise<number> {
  const token = target.tokens[index % target.tokens.length];
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${target.port}/api/repos`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${target.label}: guard answered ${response.status}`);
  return elapsed;
}

/**
 * Runs `workers` concurrent workers; worker `w` takes request groups `w, w + workers, …`. Its
 * `j`-th group sends one request to every target, starting with target `(j + w) % targets.length`:
 * each worker alternates the order, and neighbouring workers start on different targets.
 * Stops after `groups` groups in all, or when `seconds` have passed (whichever comes first).
 */
export async function pairedSlice(
  targets: PairedTarget[],
  options: { workers: number; seconds: number; groups?: number },
): Promise<SliceLatencies> {
  const latencies: SliceLatencies = { byTarget: targets.map(() => []), byPosition: targets.map(() => []) };
  const until = performance.now() + options.seconds * 1000;
  const limit = options.groups ?? Number.POSITIVE_INFINITY;
  const worker = async (w: number) => {
    for (let j = 0, group = w; group < limit && performance.now() < until; j += 1, group += options.workers) {
      for (let step = 0; step < targets.length; step += 1) {
        const index = (j + w + step) % targets.length;
        const target = targets[index];
        if (target === undefined) continue;
        const ms = await guarded(target, group);
        latencies.byTarget[index]?.push(ms);
        latencies.byPosition[step]?.push(ms);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  return latencies;
}

/** The `q` quantile (0–1) of `values`, interpolating linearly between the two nearest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}

export const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Median and interquartile range of a list of per-slice figures. */
export interface Summary {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    median: quantile(values, 0.5),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

export function formatSummary(summary: Summary, digits = 3): string {
  const f = (value: number) => value.toFixed(digits);
  return `median ${f(summary.median)}, IQR ${f(summary.q1)}–${f(summary.q3)}, range ${f(summary.min)}–${f(summary.max)} (n=${summary.n})`;
}
