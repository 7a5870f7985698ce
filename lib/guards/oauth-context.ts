import type { ResourceOwner } from '../options/provider-options';
import type { ApplicationRecord, TokenRecord } from '../storage/storage-adapter';

/** What `authenticate()` puts on `req.oauth` for the host's route handlers. */
export interface OAuthContext {
  /** The stored record of the presented token (its `hash` is of no use to anyone). */
  token: TokenRecord;
  /** The resource owner (from `findUser`, or `{ id }`); `null` for client_credentials tokens. */
  user: ResourceOwner | null;
  /** The application the token was issued to; `null` for personal access tokens. */
  client: ApplicationRecord | null;
  /** The token's scopes, as granted. */
  scopes: string[];
  /** The scopes with everything they include (`repo` → `repo`, `public_repo`); guards check this. */
  effectiveScopes: ReadonlySet<string>;
}

/**
 * The provider's `WWW-Authenticate` realm, carried on the context so that a guard running after
 * `authenticate()` (the standalone `requireScope`) answers in the same realm. A symbol: it is not
 * part of the host-facing shape and never appears in JSON.
 */
const REALM = Symbol('express-oauth-provider.realm');
/** Where the token was presented (`header`, `query`, `body`), for the answer's cache headers. */
const SOURCE = Symbol('express-oauth-provider.source');

/** The context as our guards build it. */
export interface VerifiedOAuthContext extends OAuthContext {
  readonly [REALM]: string;
  readonly [SOURCE]: 'header' | 'query' | 'body';
}

/** Builds `req.oauth` (one object, as before), remembering the realm of the provider that verified it. */
export function verifiedContext(
  token: TokenRecord,
  user: ResourceOwner | null,
  client: ApplicationRecord | null,
  effectiveScopes: ReadonlySet<string>,
  realm: string,
  source: 'header' | 'query' | 'body',
): VerifiedOAuthContext {
  return { token, user, client, scopes: token.scopes, effectiveScopes, [REALM]: realm, [SOURCE]: source };
}

/** Where the token of a context our guards built was presented, or `null`. */
export function sourceOf(context: OAuthContext): string | null {
  const source: unknown = Reflect.get(context, SOURCE);
  return typeof source === 'string' ? source : null;
}

/** The realm of the provider that built this context, or `null` if none did. */
export function realmOf(context: OAuthContext | undefined): string | null {
  const realm: unknown = context === undefined ? undefined : Reflect.get(context, REALM);
  return typeof realm === 'string' ? realm : null;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `provider.authenticate()` for a request with a valid bearer token. */
      oauth?: OAuthContext;
    }
  }
}
