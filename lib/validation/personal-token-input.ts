import { InvalidFieldError } from '../errors/invalid-field-error';
import { InvalidRequestError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { ScopeRegistry } from '../scopes/scope-registry';
import type { ResourceSelection } from '../storage/storage-adapter';
import { type FieldCheck, ProblemCollector, requireScopes, requireText } from './fields';

/** A personal access token as a user (settings) or host code (`personalTokens.create`) asks for it. */
export interface PersonalTokenInput {
  /** 1 to 100 characters, so the user can tell tokens apart. */
  name: string;
  /** At least one declared scope; stored normalised (`repo public_repo` → `repo`). */
  scopes: string[];
  /**
   * Lifetime in seconds, 60 to 31,622,400 (366 days); `null` for a token that never expires; left
   * out, 30 days (`PERSONAL_TOKEN_DEFAULT_LIFETIME`).
   */
  expiresIn: number | null;
  /**
   * Fine-grained: per resource-scoped scope of `scopes`, the only resources the token may touch
   * (`{ repo: ['alice/notes'] }`); absent or `null`: all of them. A restricted token needs an
   * expiry, as GitHub's fine-grained tokens do.
   */
  resources?: ResourceSelection | null;
}

/** The configuration the checks depend on (`provider.options` is one). */
export interface PersonalTokenRules {
  scopes: ScopeRegistry;
}

/** Bounds of `expiresIn`, in seconds. */
export const PERSONAL_TOKEN_LIFETIME = { min: 60, max: 366 * 24 * 3600 } as const;

/**
 * The lifetime of a personal token whose request names none: 30 days, as the tokens page
 * preselects. A token that never expires must be asked for (`expiresIn: null`).
 */
export const PERSONAL_TOKEN_DEFAULT_LIFETIME = 30 * 24 * 3600;

function expiresIn(value: unknown): number | null {
  if (value === undefined) return PERSONAL_TOKEN_DEFAULT_LIFETIME;
  if (value === null) return null;
  const { min, max } = PERSONAL_TOKEN_LIFETIME;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidFieldError('expiresIn', message('field.lifetime', { min, max }));
  }
  return value;
}

function scopes(value: unknown, registry: ScopeRegistry): string[] {
  const granted = registry.normalize(requireScopes('scopes', value, registry));
  if (granted.length === 0) throw new InvalidFieldError('scopes', message('field.oneScope'));
  // A personal token is a user's token: client-held scopes are for client_credentials (RFC 9700 §4.15).
  const machine = granted.find((scope) => !registry.heldBy(scope, 'user'));
  if (machine !== undefined)
    throw new InvalidFieldError('scopes', message('field.clientHeldScope', { scope: machine }));
  return granted;
}

/**
 * The one validator of personal tokens: the JSON API, the tokens page and
 * `personalTokens.create()` all run it. Reports every field's first problem.
 *
 * @example
 * ```ts
 * const checked = checkPersonalTokenInput({ name: 'laptop', scopes: ['repo'], expiresIn: 86400 }, provider.options);
 * if (!checked.ok) console.log(checked.problems.map((problem) => problem.description));
 * ```
 */
export function checkPersonalTokenInput(
  input: unknown,
  rules: PersonalTokenRules,
): FieldCheck<PersonalTokenInput> {
  const registry = rules.scopes;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError('A personal token request must be an object with name and scopes');
  }
  const fields = input as Readonly<Record<string, unknown>>;
  const problems = new ProblemCollector();
  const checkedScopes = problems.field(() => scopes(fields.scopes, registry), []);
  const lifetime = problems.field(() => expiresIn(fields.expiresIn), null);
  const chosen = problems.field(() => resources(fields.resources, checkedScopes, registry), null);
  if (chosen !== null && lifetime === null) {
    problems.field(() => {
      throw new InvalidFieldError('expiresIn', message('problem.restrictedNeedsExpiry'));
    }, null);
  }
  return problems.result({
    name: problems.field(() => requireText('name', fields.name, 100), ''),
    scopes: checkedScopes,
    expiresIn: lifetime,
    ...(chosen === null ? {} : { resources: chosen }),
  });
}

const MAX_RESOURCES = 1000;

/** `{ scope: [ids] }` over resource-scoped scopes of the token (as normalised). */
function resources(
  value: unknown,
  held: readonly string[],
  registry: ScopeRegistry,
): ResourceSelection | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidFieldError('resources', message('field.resources'));
  }
  const selection: ResourceSelection = {};
  for (const [scope, ids] of Object.entries(value)) {
    // A scope of the token itself: restricting an included one would not restrict its includer.
    if (registry.resourceTypeOf(scope) === null || !held.includes(scope)) {
      throw new InvalidFieldError('resources', message('field.resources'));
    }
    if (
      !Array.isArray(ids) ||
      ids.length > MAX_RESOURCES ||
      !ids.every((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= 200)
    ) {
      throw new InvalidFieldError('resources', message('field.resources'));
    }
    selection[scope] = [...new Set(ids)].sort();
  }
  return Object.keys(selection).length === 0 ? null : selection;
}
