/**
 * Resource selections: which resources of its type each resource-scoped scope of a grant or token
 * covers (`{ repo: ['alice/notes'] }`). `null`, or a scope the selection does not name, is "all
 * current and future resources" — what every record stored before selections existed means.
 *
 * These helpers are pure and shared by the core and the adapters (`restrictTokens` intersects
 * with them), so "narrower" means the same thing everywhere.
 */
import type { ResourceSelection } from './storage-adapter';

/** A copy with sorted, deduplicated id lists (`null` stays `null`). */
export function copySelection(selection: ResourceSelection | null): ResourceSelection | null {
  if (selection === null) return null;
  const copy: ResourceSelection = {};
  for (const [scope, ids] of Object.entries(selection)) copy[scope] = [...new Set(ids)].sort();
  return copy;
}

/**
 * What is left of `current` after narrowing it with `narrowing`: per scope named by `narrowing`,
 * the ids in both (a scope `current` leaves unrestricted becomes `narrowing`'s list). Scopes
 * `narrowing` does not name stay as they are. Never wider than either.
 */
export function intersectSelections(
  current: ResourceSelection | null,
  narrowing: ResourceSelection,
): ResourceSelection {
  const result: ResourceSelection = { ...(copySelection(current) ?? {}) };
  for (const [scope, ids] of Object.entries(narrowing)) {
    const existing = result[scope];
    const allowed = new Set(ids);
    result[scope] = [
      ...new Set(existing === undefined ? ids : existing.filter((id) => allowed.has(id))),
    ].sort();
  }
  return result;
}

/** The union (what two approvals together allow): a scope unrestricted in either stays unrestricted. */
export function unionSelections(
  a: ResourceSelection | null,
  b: ResourceSelection | null,
  scopesOfA: readonly string[],
  scopesOfB: readonly string[],
): ResourceSelection | null {
  if (a === null && b === null) return null;
  const result: ResourceSelection = {};
  for (const scope of new Set([...scopesOfA, ...scopesOfB])) {
    const inA = scopesOfA.includes(scope);
    const inB = scopesOfB.includes(scope);
    const fromA = inA ? a?.[scope] : [];
    const fromB = inB ? b?.[scope] : [];
    // Absent from a selection that holds the scope: that side allows every resource.
    if (fromA === undefined || fromB === undefined) continue;
    result[scope] = [...new Set([...fromA, ...fromB])].sort();
  }
  return Object.keys(result).length === 0 ? null : result;
}

/** The ids `selection` allows for `scope`: `null` for all of them. */
export function selectedIds(selection: ResourceSelection | null, scope: string): readonly string[] | null {
  return selection?.[scope] ?? null;
}

/** Whether `granted` allows at least every resource `requested` does, for `scope`. */
export function coversSelection(
  granted: ResourceSelection | null,
  requested: ResourceSelection | null,
  scope: string,
): boolean {
  const allowed = selectedIds(granted, scope);
  if (allowed === null) return true;
  const wanted = selectedIds(requested, scope);
  if (wanted === null) return false;
  return wanted.every((id) => allowed.includes(id));
}

/** Equal as sets per scope (`null` equals only `null` or an empty selection). */
export function sameSelection(a: ResourceSelection | null, b: ResourceSelection | null): boolean {
  const left = copySelection(a) ?? {};
  const right = copySelection(b) ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    const x = left[key];
    const y = right[key];
    if (x === undefined || y === undefined) {
      if (x !== y) return false;
      continue;
    }
    if (x.length !== y.length || x.some((id, index) => id !== y[index])) return false;
  }
  return true;
}

/** Drops scopes without a list and returns `null` for an empty selection. */
export function compactSelection(selection: ResourceSelection | null): ResourceSelection | null {
  if (selection === null) return null;
  const copy = copySelection(selection) ?? {};
  return Object.keys(copy).length === 0 ? null : copy;
}

/**
 * Narrows untrusted stored data (a JSON column, a document field) to a selection: an object of
 * string arrays, or `null`. `undefined` (a record from before selections) reads as `null`.
 */
export function parseSelection(value: unknown): ResourceSelection | null | undefined {
  if (value === null || value === undefined) return null;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (parsed === null) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const selection: ResourceSelection = {};
  for (const [scope, ids] of Object.entries(parsed)) {
    if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) return undefined;
    selection[scope] = [...ids];
  }
  return selection;
}
