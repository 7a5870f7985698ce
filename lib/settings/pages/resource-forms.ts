/**
 * The resource choice on the settings pages: what the authorizations page offers to narrow a
 * grant to, what the tokens page offers to restrict a new personal token to, and what their
 * posted forms chose. The fields are the consent page's (`RESOURCE_FIELDS`), so one fieldset view
 * serves all of them. What a posted form names is checked against the user's own resources by
 * the validators it goes to (`checkNarrowing`, `PersonalTokenService.create`).
 */
import { firstPages, MAX_RESOURCE_PAGES, resourceScopes } from '../../endpoints/steps/resource-choice';
import type { FormFields } from '../../http/read-form';
import type { ConsentResourceChoice, ResourceOwner } from '../../options/provider-options';
import { expandSelection } from '../../scopes/resource-access';
import type { ResourceItem } from '../../scopes/resource-types';
import type { ScopeRegistry } from '../../scopes/scope-registry';
import type { GrantRecord, ResourceSelection } from '../../storage/storage-adapter';
import type { AuthorizationResourceAccess } from '../../views/authorizations-view';
import { RESOURCE_FIELDS } from '../../views/form-contract';

/** The ids a posted form chose per scope (`RESOURCE_FIELDS.selected`); scopes left at "all" are absent. */
export function postedSelection(
  form: FormFields,
  registry: ScopeRegistry,
  scopes: readonly string[],
): ResourceSelection | null {
  const selection: ResourceSelection = {};
  for (const { scope } of resourceScopes(registry, scopes)) {
    if (form.one(RESOURCE_FIELDS.choice(scope)) !== RESOURCE_FIELDS.selected) continue;
    selection[scope] = [...new Set(form.startingWith(RESOURCE_FIELDS.itemPrefix(scope)))].sort();
  }
  return Object.keys(selection).length === 0 ? null : selection;
}

function itemsOf(
  scope: string,
  resources: readonly ResourceItem[],
  checked: ReadonlySet<string>,
): ConsentResourceChoice['items'] {
  return resources.map((item, index) => ({
    ...item,
    field: RESOURCE_FIELDS.item(scope, index),
    checked: checked.has(item.id),
  }));
}

/**
 * Per resource-scoped scope of the grant, what it may touch and the form that narrows it. The
 * user's resources are read from the host's `list`, the first `MAX_RESOURCE_PAGES` pages.
 */
export async function grantAccess(
  registry: ScopeRegistry,
  user: ResourceOwner,
  grant: GrantRecord,
): Promise<AuthorizationResourceAccess[]> {
  const effective = expandSelection(registry, grant.scopes, grant.resourceSelection, grant.scopes);
  const access: AuthorizationResourceAccess[] = [];
  for (const { scope, type } of resourceScopes(registry, grant.scopes)) {
    const { items } = await firstPages(type, user, MAX_RESOURCE_PAGES);
    const ids = effective?.[scope];
    const names = new Map(items.map((item) => [item.id, item.name]));
    const chosen = ids === undefined ? null : ids.map((id) => ({ id, name: names.get(id) ?? id }));
    const offered =
      chosen === null ? items : chosen.map((resource) => ({ id: resource.id, name: resource.name }));
    access.push({
      scope,
      typeName: type.name,
      chosen,
      choice: {
        scope,
        typeName: type.name,
        field: RESOURCE_FIELDS.choice(scope),
        choice: chosen === null ? 'all' : 'selected',
        items: itemsOf(scope, offered, new Set(chosen === null ? [] : chosen.map((resource) => resource.id))),
        more: false,
      },
    });
  }
  return access;
}

/**
 * The tokens page's choice for each resource-scoped scope it offers: "all" unless the form being
 * shown again (after a validation error) chose resources.
 */
export async function tokenChoices(
  registry: ScopeRegistry,
  user: ResourceOwner,
  scopes: readonly string[],
  posted: ResourceSelection | null,
): Promise<ConsentResourceChoice[]> {
  const choices: ConsentResourceChoice[] = [];
  for (const { scope, type } of resourceScopes(registry, scopes)) {
    const { items } = await firstPages(type, user, MAX_RESOURCE_PAGES);
    const chosen = posted?.[scope];
    choices.push({
      scope,
      typeName: type.name,
      field: RESOURCE_FIELDS.choice(scope),
      choice: chosen === undefined ? 'all' : 'selected',
      items: itemsOf(scope, items, new Set(chosen ?? [])),
      more: false,
    });
  }
  return choices;
}
