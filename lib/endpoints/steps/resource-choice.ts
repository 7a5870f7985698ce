/**
 * The consent page's "all current and future, or only these" choice for resource-scoped scopes:
 * what it lists (the host's `list` hook, a page at a time) and what a posted choice means. A
 * choice is checked against the user's own resources: a posted id the hook does not list for
 * this user is refused, so a forged form cannot grant a resource the user does not have.
 */
import { InvalidRequestError } from '../../errors/oauth-error';
import type { Parameters } from '../../http/parse-body';
import { message } from '../../messages/catalog';
import type { ConsentResourceChoice, ResourceOwner } from '../../options/provider-options';
import { firstUnowned } from '../../scopes/resource-ownership';
import type { ResourceItem, ResourceTypeDefinition } from '../../scopes/resource-types';
import type { ScopeRegistry } from '../../scopes/scope-registry';
import type { ResourceSelection } from '../../storage/storage-adapter';
import { FORM_FIELDS, RESOURCE_FIELDS } from '../../views/form-contract';

/** Resources per page of the list; "show more" adds a page, up to `MAX_PAGES`. */
export const RESOURCE_PAGE_SIZE = 50;
export const MAX_RESOURCE_PAGES = 20;
const MAX_CHOSEN = 1000;

/** How many pages the posted form asks to see (1 by default; "show more" adds one). */
export function requestedPages(params: Parameters, more: boolean): number {
  const posted = Number.parseInt(params[FORM_FIELDS.resourcePages] ?? '1', 10);
  const pages = Number.isInteger(posted) && posted >= 1 ? posted : 1;
  return Math.min(MAX_RESOURCE_PAGES, pages + (more ? 1 : 0));
}

/** The first `pages` pages of the user's resources of the type (the host's `list`), and whether it has more. */
export async function firstPages(
  type: ResourceTypeDefinition,
  user: ResourceOwner,
  pages: number,
): Promise<{ items: ResourceItem[]; more: boolean }> {
  const items: ResourceItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < pages; page += 1) {
    const answer = await type.list(user, { cursor, limit: RESOURCE_PAGE_SIZE });
    items.push(...answer.items.slice(0, RESOURCE_PAGE_SIZE));
    cursor = answer.next ?? null;
    if (cursor === null) return { items, more: false };
  }
  return { items, more: true };
}

/** The resource-scoped scopes of a request, each with its type. */
export function resourceScopes(registry: ScopeRegistry, scopes: readonly string[]) {
  return scopes.flatMap((scope) => {
    const type = registry.resourceTypeFor(scope);
    return type === null ? [] : [{ scope, type }];
  });
}

/** The ids a posted form chose for `scope`, or `null` for "all"; `undefined` when it says nothing. */
function postedChoice(params: Parameters, scope: string): string[] | null | undefined {
  const choice = params[RESOURCE_FIELDS.choice(scope)];
  if (choice === undefined) return undefined;
  if (choice === RESOURCE_FIELDS.all) return null;
  if (choice !== RESOURCE_FIELDS.selected) throw new InvalidRequestError(message('problem.decision'));
  const prefix = RESOURCE_FIELDS.itemPrefix(scope);
  const ids = Object.entries(params)
    .filter(([name]) => name.startsWith(prefix))
    .map(([, id]) => id);
  if (ids.length > MAX_CHOSEN)
    throw new InvalidRequestError(message('problem.tooManyResources', { max: MAX_CHOSEN }));
  return [...new Set(ids)].sort();
}

/**
 * What the consent page offers: per resource-scoped scope, the first `pages` pages of the user's
 * resources, checked as the posted form (on "show more") or the request's selection says.
 */
export async function consentChoices(
  registry: ScopeRegistry,
  user: ResourceOwner,
  scopes: readonly string[],
  requested: ResourceSelection | null,
  params: Parameters,
  pages: number,
): Promise<ConsentResourceChoice[]> {
  const choices: ConsentResourceChoice[] = [];
  for (const { scope, type } of resourceScopes(registry, scopes)) {
    const posted = postedChoice(params, scope);
    const chosen = posted === undefined ? (requested?.[scope] ?? null) : posted;
    const { items, more } = await firstPages(type, user, pages);
    const checked = new Set(chosen ?? []);
    choices.push({
      scope,
      typeName: type.name,
      field: RESOURCE_FIELDS.choice(scope),
      choice: chosen === null ? 'all' : 'selected',
      items: items.map((item, index) => ({
        ...item,
        field: RESOURCE_FIELDS.item(scope, index),
        checked: checked.has(item.id),
      })),
      more,
    });
  }
  return choices;
}

/**
 * The selection the user approved: per resource-scoped scope, the posted choice, or (a form that
 * says nothing, such as a host view that knows nothing of resources) what the request named.
 * Every chosen id must be the user's.
 */
export async function approvedSelection(
  registry: ScopeRegistry,
  user: ResourceOwner,
  scopes: readonly string[],
  requested: ResourceSelection | null,
  params: Parameters,
): Promise<ResourceSelection | null> {
  const selection: ResourceSelection = {};
  for (const { scope, type } of resourceScopes(registry, scopes)) {
    const posted = postedChoice(params, scope);
    const chosen = posted === undefined ? (requested?.[scope] ?? null) : posted;
    if (chosen === null) continue;
    const unknown = await firstUnowned(type, user, chosen);
    if (unknown !== null) {
      throw new InvalidRequestError(message('problem.unknownResource'));
    }
    selection[scope] = chosen;
  }
  return Object.keys(selection).length === 0 ? null : selection;
}
