import OAuth2Server = require('@node-oauth/oauth2-server');

import { matchRedirectUri } from '../clients/redirect-uri';
import { InvalidClientError } from '../errors/oauth-error';
import { GRANT_TYPES } from '../grants/grant-type-names';
import type { ApplicationRecord } from '../storage/storage-adapter';
import type { BridgeContext, ClientActor, OAuth2ServerClient } from './bridge-context';

type User = OAuth2Server.User;
type Client = OAuth2Server.Client;
type Falsey = OAuth2Server.Falsey;

/** The model's methods about clients, users and scopes. */
export function clientMethods(bridge: BridgeContext) {
  const { applications, options } = bridge.provider;

  return {
    /**
     * RFC 6749 §2.3.1: a confidential client is authenticated by its secret, always. The library
     * asks with `undefined` when the request carried no secret — also for
     * `grant_type=authorization_code` with any `code_verifier`, whatever
     * `requireClientAuthentication` says — and a confidential client is then refused. `null` is
     * what its authorization endpoint passes to identify the client of an authorization request;
     * that issues a code, never a token, and the code still needs the secret at the token endpoint.
     */
    async getClient(clientId: string, clientSecret?: string | null): Promise<OAuth2ServerClient | Falsey> {
      if (typeof clientId !== 'string' || clientId === '') return false;
      let application: ApplicationRecord | null;
      if (clientSecret === null) {
        application = await applications.findByClientId(clientId);
      } else {
        try {
          application = await applications.authenticate(clientId, clientSecret ?? null);
        } catch (error) {
          if (error instanceof InvalidClientError) return false;
          throw error;
        }
      }
      return application === null ? false : bridge.toClient(application);
    },

    /**
     * RFC 9700 §4.1.3: exact matching against the registered URIs, except that an `http` loopback
     * IP literal matches on any port (RFC 8252 §7.3) — the rule of our authorization endpoint.
     */
    async validateRedirectUri(redirectUri: string, client: Client): Promise<boolean> {
      const application = await bridge.applicationOf(client);
      return (
        typeof redirectUri === 'string' && matchRedirectUri(application.redirectUris, redirectUri) !== null
      );
    },

    /** RFC 6749 §4.4: only a confidential client acts on its own behalf; its tokens have no user. */
    async getUserFromClient(client: Client): Promise<ClientActor | Falsey> {
      const application = await bridge.applicationOf(client);
      if (!application.confidential || !options.grantTypes.has(GRANT_TYPES.clientCredentials)) return false;
      return bridge.remember(bridge.clientActor(application), { grant: GRANT_TYPES.clientCredentials });
    },

    /**
     * RFC 6749 §4.3, when `grantTypes` lists `password`: the provider's `verifyPassword` decides,
     * and a user it refuses (`{ refused }`) gets `invalid_grant` with that reason.
     */
    async getUser(username: string, password: string, client: Client): Promise<User | Falsey> {
      const verify = options.verifyPassword;
      if (verify === undefined || !options.grantTypes.has(GRANT_TYPES.password)) return false;
      const verdict = await verify(username, password, await bridge.applicationOf(client));
      if (verdict === null) return false;
      if ('refused' in verdict && typeof verdict.refused === 'string') {
        throw new OAuth2Server.InvalidGrantError(verdict.refused);
      }
      const user: OAuth2Server.User = { ...verdict };
      const userId: unknown = user.id;
      if (typeof userId !== 'string' || userId === '') {
        throw new TypeError('verifyPassword() must return { id: string }, null or { refused: string }');
      }
      return bridge.remember(user, { grant: GRANT_TYPES.password, userId });
    },

    /**
     * RFC 6749 §3.3: the scopes this client may be granted, normalised, with our defaults for an
     * empty request; `false` (→ `invalid_scope`) for an undeclared scope or one the application
     * may not request. Inclusions count (`repo` covers `public_repo`).
     */
    async validateScope(user: User, client: Client, scope?: string[]): Promise<string[] | Falsey> {
      const application = await bridge.applicationOf(client);
      const forClientItself = bridge.originOf(user)?.grant === GRANT_TYPES.clientCredentials;
      return bridge.grantableScopes(scope, application, forClientItself) ?? false;
    },

    /** RFC 6750 §3.1: the token covers every required scope, inclusions counted. */
    async verifyScope(token: OAuth2Server.Token, scope: string[]): Promise<boolean> {
      const granted: unknown = token.scope;
      if (!Array.isArray(granted) || !Array.isArray(scope)) return false;
      return options.scopes.covers(granted.map(String), scope.map(String));
    },
  };
}
