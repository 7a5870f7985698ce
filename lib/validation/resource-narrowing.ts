import { InvalidFieldError } from '../errors/invalid-field-error';
import { message } from '../messages/catalog';
import type { ResourceOwner } from '../options/provider-options';
import { firstUnowned } from '../scopes/resource-ownership';
import type { ScopeRegistry } from '../scopes/scope-registry';
import type { ResourceSelection } from '../storage/storage-adapter';

const MAX_RESOURCES = 1000;

/**
 * What the authorizations page and API may narrow a grant to: `{ scope: [ids] }` for
 * resource-scoped scopes of the grant, each id one of the user's resources. Narrowing only: the
 * grant service intersects it with what the grant already allows.
 */
export async function checkNarrowing(
  value: unknown,
  grantScopes: readonly string[],
  registry: ScopeRegistry,
  user: ResourceOwner,
): Promise<ResourceSelection> {
  const refuse = (): never => {
    throw new InvalidFieldError('resources', message('field.resources'));
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse();
  const selection: ResourceSelection = {};
  for (const [scope, ids] of Object.entries(value)) {
    const type = registry.resourceTypeFor(scope);
    if (type === null || !grantScopes.includes(scope)) return refuse();
    if (
      !Array.isArray(ids) ||
      ids.length > MAX_RESOURCES ||
      !ids.every((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= 200)
    ) {
      return refuse();
    }
    const unowned = await firstUnowned(type, user, ids);
    if (unowned !== null) {
      throw new InvalidFieldError('resources', message('problem.unknownResource'));
    }
    selection[scope] = [...new Set(ids)].sort();
  }
  if (Object.keys(selection).length === 0) return refuse();
  return selection;
}
