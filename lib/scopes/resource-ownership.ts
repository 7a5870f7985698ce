import type { ResourceOwner } from '../options/provider-options';
import type { ResourceTypeDefinition } from './resource-types';

/** Pages read to check ids: resources beyond `MAX_CHECKED_PAGES` × 100 are not found. */
const MAX_CHECKED_PAGES = 200;

/**
 * The first of `ids` that is not one of the user's resources of the type (paging through the
 * host's `list`), or `null` when the user has them all. Every choice the provider stores — at
 * consent, on a personal token, when narrowing — goes through it: a forged form or API call
 * cannot name a resource the user does not have.
 */
export async function firstUnowned(
  type: ResourceTypeDefinition,
  user: ResourceOwner,
  ids: readonly string[],
): Promise<string | null> {
  const missing = new Set(ids);
  let cursor: string | null = null;
  for (let page = 0; page < MAX_CHECKED_PAGES && missing.size > 0; page += 1) {
    const answer = await type.list(user, { cursor, limit: 100 });
    for (const item of answer.items) missing.delete(item.id);
    cursor = answer.next ?? null;
    if (cursor === null) break;
  }
  const [first] = missing;
  return first ?? null;
}
