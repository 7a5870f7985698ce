/**
 * `express-oauth-provider/oauth2-server`: a model for `@node-oauth/oauth2-server` 5.x (and
 * `@node-oauth/express-oauth-server`) backed by a provider, for apps moving from that library.
 * It loads `@node-oauth/oauth2-server`, an optional peer dependency; the package's root entry
 * point never does.
 *
 * @packageDocumentation
 */
export type { ClientActor, OAuth2ServerClient } from './bridge-context';
export { createOAuth2ServerModel, type OAuth2ServerModel } from './model';
