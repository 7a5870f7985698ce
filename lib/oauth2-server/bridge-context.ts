import type OAuth2Server = require('@node-oauth/oauth2-server');

import type { Provider } from '../create-provider';
import { InvalidScopeError } from '../errors/oauth-error';
import { GRANT_TYPES } from '../grants/grant-type-names';
import type { ResourceOwner } from '../options/provider-options';
import { scopesForClient, scopesForUser } from '../scopes/grantable-scopes';
import type { ApplicationRecord, ApplicationTrust } from '../storage/storage-adapter';
import type { Presented } from '../tokens/redeem';

/**
 * What the parts of the `@node-oauth/oauth2-server` model share: the provider, the shapes of the
 * library's client and user objects, and what the model remembers about the objects it handed
 * out. This folder is the only code that knows that library's shapes.
 */

/**
 * The client objects the model hands to the library. `id` is the `client_id` (the library
 * compares a code's or refresh token's `client.id` with the authenticated client's); arrays are
 * always arrays (a string `redirectUris` gets substring matching in that library).
 */
export interface OAuth2ServerClient extends OAuth2Server.Client {
  id: string;
  /** The application's internal id (`ApplicationRecord.id`). */
  applicationId: string;
  name: string;
  /** Confidential clients authenticate with their secret, always; public ones use PKCE. */
  confidential: boolean;
  redirectUris: string[];
  /** The grants of this provider the client may use (`client_credentials`: confidential only). */
  grants: string[];
  /** The scopes the application may request; empty: every declared scope. */
  scopes: string[];
  /**
   * Who vouches for it ("Client trust" in the README), for the host's consent step: reuse a
   * remembered consent only for confidential and `first-party` clients (RFC 8252 §8.6), and
   * label `user` and `dynamic` ones unverified.
   */
  trust: ApplicationTrust;
}

/** The `user` of a token without a resource owner (client credentials): the client itself. */
export interface ClientActor {
  kind: 'client';
  clientId: string;
  name: string;
}

/**
 * What an object the model handed out stands for, keyed by that object. The library gives the
 * `user` of a code, a refresh token, `getUser` or `getUserFromClient` back to `saveToken`, and a
 * code or refresh token back to `revokeAuthorizationCode` / `revokeToken`, unchanged: that is
 * how `saveToken` knows which grant it saves for and which credential it redeems.
 */
export type Origin =
  | { readonly grant: typeof GRANT_TYPES.authorizationCode; readonly code: Presented }
  | { readonly grant: typeof GRANT_TYPES.refreshToken; readonly refresh: Presented }
  | { readonly grant: typeof GRANT_TYPES.password; readonly userId: string }
  | { readonly grant: typeof GRANT_TYPES.clientCredentials };

/** A date no token outlives: the library needs a `Date` for tokens that never expire. */
export const NEVER = new Date(8_640_000_000_000_000);

export class BridgeContext {
  /** Objects this model handed out, and what each stands for. */
  readonly #origins = new WeakMap<object, Origin>();
  /** The application behind each client object this model handed out. */
  readonly #applications = new WeakMap<object, ApplicationRecord>();

  constructor(readonly provider: Provider) {}

  remember<T extends object>(object: T, origin: Origin): T {
    this.#origins.set(object, origin);
    return object;
  }

  originOf(object: object): Origin | undefined {
    return this.#origins.get(object);
  }

  /** Whether a refresh token goes with an access token (RFC 6749 §1.5, as the grant registry rules). */
  get issuesRefreshTokens(): boolean {
    const { grantTypes, accessTokenTtl } = this.provider.options;
    return grantTypes.has(GRANT_TYPES.refreshToken) && accessTokenTtl !== null;
  }

  /** The library's view of an application. */
  toClient(application: ApplicationRecord): OAuth2ServerClient {
    const { grantTypes, accessTokenTtl, refreshTokenTtl } = this.provider.options;
    const grants: string[] = [];
    if (grantTypes.has(GRANT_TYPES.authorizationCode)) grants.push(GRANT_TYPES.authorizationCode);
    if (this.issuesRefreshTokens) grants.push(GRANT_TYPES.refreshToken);
    if (grantTypes.has(GRANT_TYPES.clientCredentials) && application.confidential) {
      grants.push(GRANT_TYPES.clientCredentials);
    }
    if (grantTypes.has(GRANT_TYPES.password)) grants.push(GRANT_TYPES.password);
    const client: OAuth2ServerClient = {
      id: application.clientId,
      applicationId: application.id,
      name: application.name,
      confidential: application.confidential,
      redirectUris: [...application.redirectUris],
      grants,
      scopes: [...application.scopes],
      trust: application.trust,
    };
    // Only informative: the lifetimes of what the model stores are the provider's, whatever the library computes.
    if (accessTokenTtl !== null) client.accessTokenLifetime = accessTokenTtl;
    if (refreshTokenTtl !== null) client.refreshTokenLifetime = refreshTokenTtl;
    this.#applications.set(client, application);
    return client;
  }

  /** The application behind a client object (one this model made, or any with a `client_id` as `id`). */
  async applicationOf(client: OAuth2Server.Client): Promise<ApplicationRecord> {
    const known = this.#applications.get(client);
    if (known !== undefined) return known;
    const clientId: unknown = client.id;
    const application =
      typeof clientId === 'string' ? await this.provider.applications.findByClientId(clientId) : null;
    if (application === null) throw new TypeError('express-oauth-provider: unknown client object');
    return application;
  }

  /** A fresh copy of the resource owner (from `findUser`, or `{ id }`), or `null` if they are gone. */
  async ownerOf(userId: string): Promise<ResourceOwner | null> {
    const { findUser } = this.provider.options;
    const owner = findUser ? await findUser(userId) : { id: userId };
    return owner === null ? null : { ...owner };
  }

  /** The user object of a token with no resource owner. */
  clientActor(application: ApplicationRecord): ClientActor {
    return { kind: 'client', clientId: application.clientId, name: application.name };
  }

  /**
   * The scopes a token request may be granted, normalised (`repo public_repo` → `repo`), or
   * `null` (→ `invalid_scope`), by the rules of our own endpoints: every one declared (commas
   * accepted, as at our authorization endpoint) and, when the application lists scopes, covered
   * by them (inclusions count). RFC 9700 §4.15: a client acting for itself (client_credentials)
   * gets only client-held scopes — without a scope, every one the application may hold — and a
   * user's token only user-held ones, `defaultScopes` for an empty request.
   */
  grantableScopes(
    requested: readonly string[] | undefined,
    application: ApplicationRecord,
    forClientItself: boolean,
  ): string[] | null {
    const { scopes: registry, defaultScopes } = this.provider.options;
    try {
      const parsed = registry.parse((requested ?? []).join(' '));
      return forClientItself
        ? scopesForClient(registry, application, parsed.length > 0 ? parsed : null)
        : scopesForUser(registry, application, parsed, defaultScopes);
    } catch (error) {
      if (error instanceof InvalidScopeError) return null;
      throw error;
    }
  }
}

/** The `id` of a user object from the host (an `authenticateHandler`) as the provider needs it. */
export function userIdOf(user: OAuth2Server.User): string {
  const id: unknown = user.id;
  if (typeof id !== 'string' || id === '') {
    throw new TypeError('express-oauth-provider: the user given to the model must carry a string `id`');
  }
  return id;
}
