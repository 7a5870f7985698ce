/**
 * What a grant or token with a resource selection allows, written once for the guard, consent
 * and the token endpoint. A selection names, per resource-scoped scope, the ids chosen; a scope
 * it does not name covers every resource of the user (which is how every record stored before
 * selections existed reads, and what "all current and future" at consent stores).
 */
import type { ResourceSelection } from '../storage/storage-adapter';
import type { ScopeRegistry } from './scope-registry';

/** The ids `scopes` + `selection` give `scope`: `null` for all, `undefined` if not granted at all. */
export function effectiveIds(
  registry: ScopeRegistry,
  scopes: readonly string[],
  selection: ResourceSelection | null,
  scope: string,
): readonly string[] | null | undefined {
  let ids: Set<string> | undefined;
  for (const granted of scopes) {
    if (!registry.includes(granted, scope)) continue;
    const chosen = registry.resourceTypeOf(granted) === null ? undefined : selection?.[granted];
    if (chosen === undefined) return null;
    ids ??= new Set();
    for (const id of chosen) ids.add(id);
  }
  return ids === undefined ? undefined : [...ids].sort();
}

/**
 * `req.oauth.allows(scope, resourceId)`: the scopes (with their inclusions) hold `scope`, and
 * where `scope` applies to resources, one of the scopes holding it covers `resourceId`. A scope
 * that is not resource-scoped ignores `resourceId`: restricting `repo` never restricts
 * `public_repo`.
 */
export function allowsResource(
  registry: ScopeRegistry,
  scopes: readonly string[],
  selection: ResourceSelection | null,
  scope: string,
  resourceId: string,
): boolean {
  const ids = effectiveIds(registry, scopes, selection, scope);
  if (ids === undefined) return false;
  if (ids === null || registry.resourceTypeOf(scope) === null) return true;
  return ids.includes(resourceId);
}

/**
 * The selection of every resource-scoped scope the scopes hold (their inclusions too), as the
 * effective ids: what `restrictTokens` narrows live tokens with, and what a token issued for
 * `requested` inherits from its grant. Unrestricted scopes are left out.
 */
export function expandSelection(
  registry: ScopeRegistry,
  scopes: readonly string[],
  selection: ResourceSelection | null,
  over: readonly string[] = [...registry.expand(scopes)],
): ResourceSelection | null {
  const result: ResourceSelection = {};
  for (const scope of over) {
    if (registry.resourceTypeOf(scope) === null) continue;
    const ids = effectiveIds(registry, scopes, selection, scope);
    if (ids !== null && ids !== undefined) result[scope] = [...ids];
  }
  return Object.keys(result).length === 0 ? null : result;
}

/**
 * Whether a grant covers a request: every requested scope is held, and where the request names
 * resources for a scope, the grant allows each of them. A request naming no resources asks for
 * what the user granted, so it is covered by the scopes alone (its tokens inherit the grant's
 * selection).
 */
export function grantCovers(
  registry: ScopeRegistry,
  granted: { scopes: readonly string[]; resourceSelection: ResourceSelection | null },
  requestedScopes: readonly string[],
  requestedSelection: ResourceSelection | null,
): boolean {
  if (!registry.covers(granted.scopes, requestedScopes)) return false;
  for (const [scope, ids] of Object.entries(requestedSelection ?? {})) {
    const allowed = effectiveIds(registry, granted.scopes, granted.resourceSelection, scope);
    if (allowed === undefined) return false;
    if (allowed !== null && !ids.every((id) => allowed.includes(id))) return false;
  }
  return true;
}

/**
 * The union of two approvals (a grant grows to what was ever approved): per scope, every id
 * either side allowed, unrestricted if either was; then scopes implied by others are dropped
 * where the includer covers at least as much.
 */
export function mergeApprovals(
  registry: ScopeRegistry,
  a: { scopes: readonly string[]; resourceSelection: ResourceSelection | null },
  b: { scopes: readonly string[]; resourceSelection: ResourceSelection | null },
): { scopes: string[]; resourceSelection: ResourceSelection | null } {
  const scopes = [...new Set([...a.scopes, ...b.scopes])];
  const selection: ResourceSelection = {};
  for (const scope of scopes) {
    if (registry.resourceTypeOf(scope) === null) continue;
    const fromA = effectiveIds(registry, a.scopes, a.resourceSelection, scope);
    const fromB = effectiveIds(registry, b.scopes, b.resourceSelection, scope);
    if (fromA === null || fromB === null) continue;
    selection[scope] = [...new Set([...(fromA ?? []), ...(fromB ?? [])])].sort();
  }
  return normalizeSelected(registry, scopes, Object.keys(selection).length === 0 ? null : selection);
}

/**
 * `normalize()` aware of selections: `repo public_repo` → `repo`, but `repo` on one repository
 * next to `repo:read` on all keeps both (dropping `repo:read` would lose access the user gave).
 */
export function normalizeSelected(
  registry: ScopeRegistry,
  scopes: readonly string[],
  selection: ResourceSelection | null,
): { scopes: string[]; resourceSelection: ResourceSelection | null } {
  const unique = [...new Set(scopes)];
  const idsOf = (scope: string): readonly string[] | null =>
    registry.resourceTypeOf(scope) === null ? null : (selection?.[scope] ?? null);
  const kept = unique.filter(
    (scope) =>
      !unique.some((other) => {
        if (other === scope || !registry.includes(other, scope)) return false;
        // Two scopes that include each other: keep the first.
        if (registry.includes(scope, other) && unique.indexOf(other) > unique.indexOf(scope)) return false;
        const wider = idsOf(other);
        if (wider === null) return true;
        const narrower = idsOf(scope);
        return narrower?.every((id) => wider.includes(id)) === true;
      }),
  );
  const result: ResourceSelection = {};
  for (const scope of kept) {
    const ids = idsOf(scope);
    if (ids !== null) result[scope] = [...new Set(ids)].sort();
  }
  return { scopes: kept, resourceSelection: Object.keys(result).length === 0 ? null : result };
}
