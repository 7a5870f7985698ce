/**
 * RFC 9396 (Rich Authorization Requests) for resource-scoped scopes: `authorization_details`
 * objects of a declared type (`resourceTypes[type].authorizationDetails`) are read into scopes and
 * a resource selection, and a token's scopes and selection are written back out as such objects.
 */
import { InvalidAuthorizationDetailsError, type OAuthErrorOptions } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { ResourceSelection } from '../storage/storage-adapter';
import { effectiveIds } from './resource-access';
import type { ScopeRegistry } from './scope-registry';

/** One authorization details object as this provider reads and writes it (RFC 9396 §2). */
export interface AuthorizationDetail {
  type: string;
  actions: string[];
  /** §2.2: the one resource this object is about; absent: every resource of the type. */
  identifier?: string;
  /** Several resources in one object (an extension of this provider, read only). */
  identifiers?: string[];
}

/** What a request's `authorization_details` asks for, as scopes and a selection. */
export interface RequestedDetails {
  scopes: string[];
  /** Per scope, the ids asked for; a scope asked for without identifiers is not in it. */
  resourceSelection: ResourceSelection | null;
}

const MAX_DETAILS = 50;
const MAX_IDENTIFIERS = 200;
const FIELDS: ReadonlySet<string> = new Set(['type', 'actions', 'identifier', 'identifiers']);

function isIdentifier(value: unknown): value is string {
  // Printable characters only (no control characters in an id that pages show).
  return typeof value === 'string' && /^[^\p{Cc}]{1,200}$/u.test(value);
}

/** The `authorization_details_types_supported` of the metadata (RFC 9396 §10). */
export function supportedDetailTypes(registry: ScopeRegistry): string[] {
  return Object.entries(registry.resourceTypes)
    .filter(([, type]) => type.authorizationDetails !== undefined)
    .map(([name]) => name);
}

/**
 * Parses and validates the `authorization_details` parameter (RFC 9396 §2, §5): a JSON array of
 * objects of a declared type with known `actions` and, optionally, `identifier` / `identifiers`.
 * Anything else — bad JSON, an unknown type or action, a field this type does not define — is
 * `invalid_authorization_details`.
 */
export function parseAuthorizationDetails(
  registry: ScopeRegistry,
  raw: string,
  errorOptions: OAuthErrorOptions = {},
): RequestedDetails {
  // The reasons never repeat a value: it is the sender's text, and the answer may be a page.
  const refuse = (reason: string): never => {
    throw new InvalidAuthorizationDetailsError(
      message('problem.authorizationDetails', { reason }),
      errorOptions,
    );
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return refuse('not JSON');
  }
  if (!Array.isArray(parsed)) return refuse('not a JSON array');
  if (parsed.length > MAX_DETAILS) return refuse(`more than ${MAX_DETAILS} objects`);
  const scopes: string[] = [];
  const unrestricted = new Set<string>();
  const ids = new Map<string, Set<string>>();
  for (const detail of parsed) {
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return refuse('not an object');
    const fields = detail as Record<string, unknown>;
    const typeName = fields.type;
    if (typeof typeName !== 'string') return refuse('type missing');
    const actionsOfType = Object.hasOwn(registry.resourceTypes, typeName)
      ? registry.resourceTypes[typeName]?.authorizationDetails?.actions
      : undefined;
    if (actionsOfType === undefined) return refuse('unknown type');
    for (const field of Object.keys(fields)) {
      if (!FIELDS.has(field)) return refuse('a field the type does not define');
    }
    const actions = fields.actions;
    if (!Array.isArray(actions) || actions.length === 0) return refuse('actions must be a non-empty array');
    const named: string[] = [];
    if (fields.identifier !== undefined) {
      if (!isIdentifier(fields.identifier)) return refuse('identifier must be a string');
      named.push(fields.identifier);
    }
    if (fields.identifiers !== undefined) {
      const list = fields.identifiers;
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        list.length > MAX_IDENTIFIERS ||
        !list.every(isIdentifier)
      ) {
        return refuse('identifiers must be a non-empty array of strings');
      }
      named.push(...list);
    }
    for (const action of actions) {
      const scope =
        typeof action === 'string' && Object.hasOwn(actionsOfType, action)
          ? actionsOfType[action]
          : undefined;
      if (scope === undefined) return refuse('unknown action');
      if (!scopes.includes(scope)) scopes.push(scope);
      if (named.length === 0) unrestricted.add(scope);
      else {
        const set = ids.get(scope) ?? new Set<string>();
        for (const id of named) set.add(id);
        ids.set(scope, set);
      }
    }
  }
  const selection: ResourceSelection = {};
  for (const [scope, set] of ids) if (!unrestricted.has(scope)) selection[scope] = [...set].sort();
  return { scopes, resourceSelection: Object.keys(selection).length === 0 ? null : selection };
}

/**
 * A token's (or grant's) scopes and selection as RFC 9396 §7 `authorization_details`: per
 * declared type, one object per resource with the actions allowed on it, and one without
 * `identifier` for the actions allowed on every resource. Empty when no declared action applies.
 */
export function describeAuthorizationDetails(
  registry: ScopeRegistry,
  scopes: readonly string[],
  selection: ResourceSelection | null,
): AuthorizationDetail[] {
  const details: AuthorizationDetail[] = [];
  for (const [type, definition] of Object.entries(registry.resourceTypes)) {
    const actions = definition.authorizationDetails?.actions;
    if (actions === undefined) continue;
    const everywhere: string[] = [];
    const byResource = new Map<string, string[]>();
    for (const [action, scope] of Object.entries(actions)) {
      const ids = effectiveIds(registry, scopes, selection, scope);
      if (ids === undefined) continue;
      if (ids === null) everywhere.push(action);
      else for (const id of ids) byResource.set(id, [...(byResource.get(id) ?? []), action]);
    }
    if (everywhere.length > 0) details.push({ type, actions: everywhere });
    for (const [identifier, allowed] of [...byResource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const extra = allowed.filter((action) => !everywhere.includes(action));
      if (extra.length > 0) details.push({ type, identifier, actions: extra });
    }
  }
  return details;
}
