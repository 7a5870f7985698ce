import type { Route } from '../endpoints/chain';
import type { Parameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ProviderContext } from '../provider-context';
import type { IssuedTokens } from '../services/token-service';
import type { ApplicationRecord, ResourceSelection } from '../storage/storage-adapter';

/** Whom a grant issues tokens to; the application is always the authenticated client. */
export interface GrantSubject {
  /** The resource owner, or `null` when the client acts on its own behalf. */
  userId: string | null;
  scopes: readonly string[];
  /**
   * Per resource-scoped scope, the resources the tokens may touch (from the code or refresh
   * token redeemed); absent or `null`: every resource of the user.
   */
  resourceSelection?: ResourceSelection | null;
  /** The user's consent the tokens belong to (revoking it revokes them); default `null`. */
  grantId?: string | null;
  /**
   * The lineage the tokens belong to (rotations keep it). Default: a new one when a refresh token
   * is issued without a grant, so that revoking or replaying it revokes them all.
   */
  familyId?: string | null;
  /** The access token's audience (RFC 8707): the resources it is for; default none. */
  audience?: readonly string[];
  /** The refresh token's audience when the access token's was narrowed; default `audience`. */
  refreshAudience?: readonly string[];
}

/** What a grant handler receives for one token request. */
export interface GrantRequest {
  /** The authenticated client (RFC 6749 §3.2.1); public clients send only `client_id`. */
  readonly client: ApplicationRecord;
  /** The request's parameters this grant declared in `parameters`; no others. */
  readonly params: Parameters;
  readonly now: Date;
  /** The provider's options and services (scopes, tokens, grants, events, …). */
  readonly provider: ProviderContext;
  /**
   * Stores an access token for the client and `subject`, and a refresh token when this grant
   * issues them, the `refresh_token` grant is enabled and access tokens expire.
   */
  issue(subject: GrantSubject): Promise<IssuedTokens>;
}

/**
 * A grant type's token-endpoint step: checks the request and issues tokens, or throws an
 * `OAuthError` (`invalid_grant`, `invalid_scope`, … per RFC 6749 §5.2).
 */
export type GrantHandler = (request: GrantRequest) => Promise<IssuedTokens>;

/**
 * A grant type a host adds with `provider.registerGrantType()`: served at the token endpoint
 * after client authentication, listed in `grant_types_supported`.
 */
export interface GrantType {
  /** The `grant_type` value; an extension grant's is an absolute URI (RFC 6749 §4.5). */
  name: string;
  /** The token request parameters the handler reads (besides client authentication). */
  parameters: readonly string[];
  handler: GrantHandler;
  /** Whether `issue()` adds a refresh token (when refresh tokens are enabled); default `false`. */
  issuesRefreshTokens?: boolean;
}

/**
 * Everything the provider knows about one grant, in one place: the token endpoint's handler,
 * the authorization endpoint's response type, extra routes, what it adds to the RFC 8414
 * metadata and what configuration it needs. The built-ins are declared in `built-in-grants.ts`.
 */
export interface GrantDescriptor {
  readonly name: string;
  readonly parameters: readonly string[];
  /** Absent for a grant the token endpoint does not serve (implicit). */
  readonly handler?: GrantHandler;
  readonly issuesRefreshTokens: boolean;
  /** The `response_type` it answers at the authorization endpoint, and how (RFC 6749 §4.1.2, §4.2.2). */
  readonly responseType?: { readonly type: 'code' | 'token'; readonly mode: 'query' | 'fragment' };
  /** Routes it adds (the device flow's endpoints), paths under `basePath`. */
  readonly routes?: (basePath: string) => readonly Route[];
  /** RFC 8414 fields it adds; `endpoints` is the issuer followed by `basePath`. */
  readonly metadata?: (endpoints: string) => Readonly<Record<string, unknown>>;
  /** Throws a `ConfigurationError` when the options lack what it needs. */
  readonly requires?: (options: ResolvedOptions) => void;
}
