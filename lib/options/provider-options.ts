import type { Request } from 'express';
import type { ScopeDefinitions } from '../scopes/scope-registry';
import type { ApplicationRecord, StorageAdapter, TokenRecord } from '../storage/storage-adapter';

/** Who is logged in, as the host app knows them. `id` is what tokens are issued to. */
export interface ResourceOwner {
  id: string;
  /** Shown on the consent page ("Signed in as …"). */
  username?: string;
  [key: string]: unknown;
}

/** What the consent page shows; passed to a host-supplied `renderConsent`. */
export interface ConsentPageData {
  user: ResourceOwner;
  application: { name: string; homepageUrl: string; clientId: string };
  scopes: { name: string; description: string }[];
  /** Hidden form fields to post back to `action`, including the CSRF token. */
  fields: Record<string, string>;
  action: string;
}

/** The options `createProvider()` accepts. Only `adapter`, `issuer`, `scopes`, `currentUser` and `loginUrl` are required. */
export interface ProviderOptions {
  /** Where applications, grants and tokens live. */
  adapter: StorageAdapter;
  /** This server's issuer URL (RFC 8414), e.g. `https://example.com`. Sent as `iss` (RFC 9207). */
  issuer: string;
  /** Every scope the API knows, with the description shown at consent and what it includes. */
  scopes: ScopeDefinitions;
  /** Scopes granted when an authorization request names none. Default: none. */
  defaultScopes?: readonly string[];
  /** The logged-in user of this request from the host's own session, or `null`. */
  currentUser: (req: Request) => ResourceOwner | null | undefined | Promise<ResourceOwner | null | undefined>;
  /** Where to send a user who is not logged in; gets `?return_to=<the authorize URL>`. */
  loginUrl: string;
  /** Loads a user for `req.oauth.user`; default: `{ id }`. */
  findUser?: (id: string) => ResourceOwner | null | Promise<ResourceOwner | null>;
  /**
   * Password grant (off unless `grantTypes` lists `password`): checks the credentials and returns
   * the user, `null` for wrong credentials, or `{ refused: 'reason' }` to refuse a user whose
   * credentials are right but who must not use this grant (e.g. with two-factor authentication).
   */
  verifyPassword?: (
    username: string,
    password: string,
    client: ApplicationRecord,
  ) => ResourceOwner | null | { refused: string } | Promise<ResourceOwner | null | { refused: string }>;
  /**
   * Whether the authenticated client `caller` may introspect `token` (RFC 7662 §4). Default: only
   * the client the token was issued to.
   */
  canIntrospect?: (caller: ApplicationRecord, token: TokenRecord) => boolean | Promise<boolean>;
  /** Renders the consent page; default: the built-in page. Must post `fields` to `action`. */
  renderConsent?: (data: ConsentPageData) => string;
  /**
   * Key for the CSRF tokens of consent forms. Give the same value to every process behind one
   * load balancer; default: random per process.
   */
  csrfSecret?: string;
  /** `realm` of `WWW-Authenticate` answers; default: the issuer's host. */
  realm?: string;
  basePath?: string;
  accessTokenTtl?: number | null;
  refreshTokenTtl?: number | null;
  authorizationCodeTtl?: number;
  refreshTokenReuseGraceSeconds?: number;
  allowQueryAccessToken?: boolean;
  allowBodyAccessToken?: boolean;
  allowPlainPkce?: boolean;
  requirePkce?: 'public' | 'all';
  grantTypes?: readonly string[];
  returnToParameter?: string;
  tokenNamespace?: string;
  bodyLimit?: number;
  /** Device flow (RFC 8628): lifetime of a device code in seconds. */
  deviceCodeTtl?: number;
  /** Device flow: minimum seconds between two polls of one device code. */
  devicePollInterval?: number;
  corsOrigins?: '*' | readonly string[];
  /** Whether cookies we set are `Secure`; default: the issuer is `https:`. */
  secureCookies?: boolean;
}
