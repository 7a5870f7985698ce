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

declare global {
  namespace Express {
    interface Request {
      /** Set by `provider.authenticate()` for a request with a valid bearer token. */
      oauth?: OAuthContext;
    }
  }
}
