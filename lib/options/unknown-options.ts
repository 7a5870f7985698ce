import { ConfigurationError } from '../errors/configuration-error';

/** Edit distance (insertions, deletions, substitutions), case-insensitive: `accesTokenTtl` → 1. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The known name closest to `name`, if it is close enough to be a typo of it. */
export function closestName(name: string, known: readonly string[]): string | null {
  const tolerance = Math.max(2, Math.floor(name.length / 4));
  let best: { name: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance <= tolerance && (best === null || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name ?? null;
}

/**
 * Refuses keys that are not options. A misspelt option would otherwise be ignored and its default
 * used, silently (`accesTokenTtl: 60` would leave tokens living two hours).
 */
export function rejectUnknownOptions(input: object, known: readonly string[]): void {
  const names = new Set(known);
  for (const key of Object.keys(input)) {
    if (names.has(key)) continue;
    const suggestion = closestName(key, known);
    throw new ConfigurationError(
      key,
      suggestion === null
        ? 'is not an option of createProvider()'
        : `is not an option of createProvider(); did you mean "${suggestion}"?`,
    );
  }
}
