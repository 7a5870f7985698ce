import type { ProviderEvents } from '../events/provider-events';
import type { Parameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { GrantService } from '../services/grant-service';
import type { IssuedTokens, TokenService } from '../services/token-service';
import type { ApplicationRecord, StorageAdapter } from '../storage/storage-adapter';

/** What every grant handler receives: the authenticated client and the request parameters. */
export interface GrantContext {
  client: ApplicationRecord;
  params: Parameters;
  options: ResolvedOptions;
  adapter: StorageAdapter;
  tokens: TokenService;
  events: ProviderEvents;
  grants: GrantService;
  now: Date;
}

/** One grant type (RFC 6749 §4): exchanges a request for tokens or throws an `OAuthError`. */
export type GrantHandler = (context: GrantContext) => Promise<IssuedTokens>;
