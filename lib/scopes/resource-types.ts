import type { ResourceOwner } from '../options/provider-options';

/** One resource the signed-in user has, as the consent and settings pages list it. */
export interface ResourceItem {
  /** What selections store and `req.oauth.allows(scope, id)` compares: `alice/notes`. */
  id: string;
  /** Shown to the user (escaped). */
  name: string;
  description?: string;
  /** A short label beside the name, e.g. `private`. */
  badge?: string;
}

/** One page of a user's resources; `next` is the cursor of the following page, if there is one. */
export interface ResourcePage {
  items: ResourceItem[];
  next?: string | null;
}

/**
 * A type of resource that scopes may apply to (`resourceTypes: { repository: … }`): how to list
 * the user's resources of it, and, for RFC 9396, which `authorization_details` actions map to
 * which scopes.
 *
 * @example
 * ```ts
 * resourceTypes: {
 *   repository: {
 *     name: 'repositories',
 *     list: (user, { cursor, limit }) => repos.page(user.id, cursor, limit),
 *     authorizationDetails: { actions: { read: 'repo:read', write: 'repo' } },
 *   },
 * }
 * ```
 */
export interface ResourceTypeDefinition {
  /** The plural the pages use: "all current and future repositories". */
  name: string;
  /**
   * The user's resources of this type, a page at a time: `cursor` is `null` for the first page,
   * then the `next` of the previous one; at most `limit` items. May be async.
   */
  list(
    user: ResourceOwner,
    page: { cursor: string | null; limit: number },
  ): ResourcePage | Promise<ResourcePage>;
  /** RFC 9396: this type's `actions`, each naming the scope it means (declared with this type). */
  authorizationDetails?: { actions: Readonly<Record<string, string>> };
}

export type ResourceTypes = Readonly<Record<string, ResourceTypeDefinition>>;
