import type OAuth2Server = require('@node-oauth/oauth2-server');

import type { Provider } from '../create-provider';
import { BridgeContext } from './bridge-context';
import { clientMethods } from './client-methods';
import { codeMethods } from './code-methods';
import { tokenMethods } from './token-methods';

/**
 * A complete `@node-oauth/oauth2-server` 5.x model: every method of the authorization code,
 * refresh token, client credentials and password grants, and of `authenticate()`, with none of
 * the optional ones left to the library's defaults.
 */
export type OAuth2ServerModel = Required<OAuth2Server.AuthorizationCodeModel> &
  Required<OAuth2Server.RefreshTokenModel> &
  Required<OAuth2Server.ClientCredentialsModel> &
  Required<OAuth2Server.PasswordModel>;

/**
 * A `@node-oauth/oauth2-server` 5.x model backed by a provider: its storage (through its
 * services), token format and SHA-256 hashing, lifetimes, scopes (inclusions count), consents,
 * events and trust rules. Tokens issued through the library pass the provider's guards and
 * introspection; tokens issued by `provider.router` pass the library's `authenticate()`.
 *
 * - A confidential client is never authenticated without its secret (`getClient(id, undefined)`
 *   refuses it, whatever grant and `code_verifier` the request carries); public clients must
 *   send a PKCE challenge.
 * - Client `grants`, `redirectUris` and token `scope` are always arrays; redirect URIs match
 *   exactly, with the loopback rule of RFC 8252 §7.3.
 * - Codes and refresh tokens are consumed atomically *after* the new tokens are stored: a wrong
 *   `code_verifier` does not burn a code, a crash never loses one, a replayed code revokes what it
 *   issued, and a replayed refresh token revokes its grant.
 * - The user objects the host's `authenticateHandler` returns must carry a string `id`; the
 *   model's own user objects are copies of what `findUser` returns, or `{ kind: 'client',
 *   clientId, name }` for a token without a user.
 * - The `generate…` methods must stay the model's: `saveToken` and `saveAuthorizationCode`
 *   store only values of the provider's token format.
 *
 * The model throws the error classes of the `@node-oauth/oauth2-server` it resolves; the
 * library must be that same copy (one `@node-oauth/oauth2-server` in `npm ls`).
 *
 * @example
 * ```ts
 * import OAuth2Server from '@node-oauth/oauth2-server';
 * import { createOAuth2ServerModel } from 'express-oauth-provider/oauth2-server';
 *
 * const provider = createProvider({ ... });
 * const oauth = new OAuth2Server({
 *   model: createOAuth2ServerModel(provider),
 *   requireClientAuthentication: { refresh_token: false }, // public clients refresh with client_id
 * });
 * ```
 */
export function createOAuth2ServerModel(provider: Provider): OAuth2ServerModel {
  const bridge = new BridgeContext(provider);
  return { ...clientMethods(bridge), ...codeMethods(bridge), ...tokenMethods(bridge) };
}
