import type { Request } from 'express';
import type { ConfiguredClient } from '../clients/configured-clients';
import type { LimitsOptions } from '../limits/limit-options';
import type { Logger } from '../logging/logger';
import type { MessageOverrides } from '../messages/catalog';
import type { ResourceDefinition } from '../resources/resource-registry';
import type { ResourceTypes } from '../scopes/resource-types';
import type { ScopeDefinitions } from '../scopes/scope-registry';
import type {
  ApplicationRecord,
  ApplicationTrust,
  StorageAdapter,
  TokenRecord,
} from '../storage/storage-adapter';
import type { ViewOptions } from '../views/view-types';
import type { ClientMetadataDocumentOptions, DynamicRegistrationOptions } from './registration-option-checks';

/** Who is logged in, as the host app knows them. `id` is what tokens are issued to. */
export interface ResourceOwner {
  id: string;
  /** Shown on the consent page ("Signed in as …"). */
  username?: string;
  [key: string]: unknown;
}

/** One resource offered at consent, with its checkbox. */
export interface ConsentResourceItem {
  id: string;
  name: string;
  description?: string;
  badge?: string;
  /** The checkbox's name (`RESOURCE_FIELDS.item(scope, n)`); its value is `id`. */
  field: string;
  checked: boolean;
}

/** The "all or only these" choice of one resource-scoped scope. */
export interface ConsentResourceChoice {
  scope: string;
  /** The resource type's plural ("repositories"). */
  typeName: string;
  /** The radio's name (`RESOURCE_FIELDS.choice(scope)`), values `all` and `selected`. */
  field: string;
  choice: 'all' | 'selected';
  /** The resources listed so far (the first pages of the host's `list`). */
  items: ConsentResourceItem[];
  /** Whether the host has more: a submit button `decision=more` lists the next page. */
  more: boolean;
}

/**
 * What the consent page shows; passed to a host-supplied `renderConsent`. Text a registrant chose
 * (the application's name, the registering user's name) comes with bidirectional-override
 * characters removed, so it reads as it is stored.
 */
export interface ConsentPageData {
  user: ResourceOwner;
  application: {
    name: string;
    homepageUrl: string;
    /** The homepage as a link target, or `null` when it is not an http(s) URL (show it as text). */
    homepageHref: string | null;
    clientId: string;
    /** Who registered it: `first-party` (the host's own), `host`, `user` or `dynamic` (a request). */
    trust: ApplicationTrust;
    /** `false` for `user` and `dynamic` applications, which nobody vetted: label them "unverified". */
    verified: boolean;
    /** The registering user's name (or id) for a `user` application; `null` otherwise. */
    registeredBy: string | null;
  };
  /** The site the user is on: the issuer's host, e.g. `example.com`. */
  site: string;
  /**
   * The host the browser is sent to after the decision (for a native app's private-use redirect,
   * its scheme, e.g. `com.example.app`); `null` for a device authorization, which nothing redirects.
   */
  redirectHost: string | null;
  /** RFC 8628 §5.4: for a device authorization, the code the device shows (to compare); else `null`. */
  userCode: string | null;
  /** The scopes asked for; `remembered` when the user approved it for this client before. */
  scopes: { name: string; description: string; remembered: boolean }[];
  /** For each requested resource-scoped scope: all of the user's resources, or chosen ones. */
  resourceChoices: ConsentResourceChoice[];
  /** Hidden form fields to post back to `action` unchanged, including the CSRF token (`csrf_token`). */
  fields: Record<string, string>;
  /**
   * Where the form posts (`POST {basePath}/authorize`): the hidden `fields` plus a `decision`
   * field, `approve` or `deny` (two submit buttons named `decision` do it without JavaScript).
   */
  action: string;
}

/**
 * The options `createProvider()` accepts. Only `adapter`, `issuer`, `scopes`, `currentUser` and
 * `loginUrl` are required. Each member's documentation is written from the options schema
 * (`lib/options/schema.ts`) by `scripts/options-docs.ts`; edit it there.
 */
export interface ProviderOptions {
  /**
   * Where applications, grants and tokens live: a `StorageAdapter` (`MemoryAdapter`, `MongoAdapter`
   * or your own).
   */
  adapter: StorageAdapter;
  /**
   * This server's issuer URL (RFC 8414), e.g. `https://example.com`: the metadata's `issuer` and the
   * `iss` response parameter (RFC 9207). No query or fragment; a trailing slash is dropped.
   */
  issuer: string;
  /**
   * Every scope the API knows: `{ name: { description, includes?, resourceType? } }`. The
   * description is shown at consent; `includes` lists the scopes one implies (`repo` includes
   * `public_repo`); `resourceType` (a key of `resourceTypes`) makes the scope grantable on chosen
   * resources only.
   */
  scopes: ScopeDefinitions;
  /**
   * The types of resource that scopes may apply to ("Fine-grained access" in the README):
   * `{ [type]: { name, list(user, { cursor, limit }) => { items: [{ id, name, description?, badge? }], next? }, authorizationDetails?: { actions: { [action]: scope } } } }`.
   * A scope declared with `resourceType` lets the user grant it on all their resources of that type
   * or on chosen ones; `authorizationDetails` makes the type an RFC 9396 `authorization_details`
   * type.
   *
   * @defaultValue none
   */
  resourceTypes?: ResourceTypes;
  /**
   * `(req) => ResourceOwner | null`, may be async: the logged-in user of this request
   * (`{ id, username? }`) from the host's own session, or `null`.
   */
  currentUser: (req: Request) => ResourceOwner | null | undefined | Promise<ResourceOwner | null | undefined>;
  /**
   * Where a user who is not logged in is sent, with `?return_to=<the authorize URL>` (see
   * `returnToParameter`).
   */
  loginUrl: string;
  /**
   * `(id) => ResourceOwner | null`, may be async: loads the user behind a token for
   * `req.oauth.user`.
   *
   * @defaultValue `{ id }`
   */
  findUser?: (id: string) => ResourceOwner | null | Promise<ResourceOwner | null>;
  /**
   * `(username, password, client)`, may be async, for the password grant (required when `grantTypes`
   * lists `password`): returns the user, `null` for wrong credentials, or `{ refused: 'reason' }`
   * for a user whose credentials are right but who must not use this grant (e.g. one with two-factor
   * authentication).
   *
   * @defaultValue none
   */
  verifyPassword?: (
    username: string,
    password: string,
    client: ApplicationRecord,
  ) => ResourceOwner | null | { refused: string } | Promise<ResourceOwner | null | { refused: string }>;
  /**
   * `(caller, token) => boolean`, may be async: whether the authenticated client `caller` may
   * introspect `token` (RFC 7662 §4).
   *
   * @defaultValue only the client the token was issued to
   */
  canIntrospect?: (caller: ApplicationRecord, token: TokenRecord) => boolean | Promise<boolean>;
  /**
   * @deprecated Use `views.consent`, which may be async and gets the request and its language.
   * `(data: ConsentPageData) => string`: your own consent page; giving both is an error.
   *
   * @defaultValue the built-in page
   */
  renderConsent?: (data: ConsentPageData) => string;
  /**
   * Replaces pages ("Views" in the README): `{ consent: (data, context) => html, …, layout, csp }`.
   * A renderer per view (`consent`, `deviceCode`, `deviceDone`, `error`, `applicationList`,
   * `applicationNew`, `applicationShow`, `authorizations`, `tokens`, `settingsError`,
   * `adminApplications`, `adminApplication`, `adminUsers`, `adminUser`, `adminError`) may be async
   * and gets the view's data and `{ req, locale, t, layout }`; `layout(page, context)` replaces the
   * document shell of every page; `csp: { all?, [view]? }` adds CSP sources (`styleSrc`,
   * `scriptSrc`, `imgSrc`, `fontSrc`, `connectSrc`, `frameAncestors`, never on `consent`).
   *
   * @defaultValue the built-in pages
   */
  views?: ViewOptions;
  /**
   * Translations: `{ [language]: { [messageKey]: text, scopes?: { [scope]: description } } }`.
   * Overrides messages of a built-in language (`en`, `de`) or adds a language, completed from
   * English; keys and `{placeholders}` are checked against the English catalog
   * (`lib/messages/en.ts`).
   *
   * @defaultValue English and German
   */
  messages?: Readonly<Record<string, MessageOverrides>>;
  /**
   * `(req) => string | null`, may be async: the language of a page (a BCP 47 tag; `de-AT` finds
   * `de`). `null`, or a language the provider does not speak, falls back to the request's
   * `Accept-Language`, then English.
   *
   * @defaultValue `Accept-Language` among the available languages
   */
  locale?: (req: Request) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * `(req) => boolean`, may be async: whether the signed-in user may use `provider.adminRouter`
   * (required to use it; anyone else gets 403, even where the host mounts the router without a check
   * of its own).
   *
   * @defaultValue none (no admin router)
   */
  isAdmin?: (req: Request) => boolean | Promise<boolean>;
  /**
   * Where the provider logs, pino-compatible (`{ error, warn, info, debug? }`, each
   * `(fields, message)`): unexpected errors (unless `onError` is given), security failures (replays,
   * PKCE failures, redirect mismatches) at `warn`, other events at `debug`. Fields are ids and
   * reasons, never a secret.
   *
   * @defaultValue quiet; errors to `console.error`
   */
  logger?: Logger;
  /**
   * `(error) => void`: receives unexpected errors, storage failures, failing views and errors thrown
   * by event listeners (never a secret).
   *
   * @defaultValue `logger.error`
   */
  onError?: (error: unknown) => void;
  /**
   * Scopes granted when an authorization request names none; each must be declared in `scopes`.
   *
   * @defaultValue `[]`
   */
  defaultScopes?: readonly string[];
  /**
   * Where the OAuth endpoints live (`/oauth/authorize`, `/oauth/token`, …); `''` mounts them at the
   * root. No trailing slash.
   *
   * @defaultValue `'/oauth'`
   */
  basePath?: string;
  /**
   * Access token lifetime in seconds (2 hours). `null` issues access tokens that never expire, as
   * GitHub does, and then no refresh tokens.
   *
   * @defaultValue `7200`
   */
  accessTokenTtl?: number | null;
  /**
   * Refresh token lifetime in seconds (30 days). `null`: refresh tokens never expire.
   *
   * @defaultValue `2592000`
   */
  refreshTokenTtl?: number | null;
  /**
   * Authorization code lifetime in seconds, at most 600 (RFC 6749 §4.1.2 recommends at most 10
   * minutes).
   *
   * @defaultValue `600`
   */
  authorizationCodeTtl?: number;
  /**
   * Seconds (0 to 300) during which a rotated refresh token may be presented again without being
   * treated as stolen, for clients that lose the response to a network error. `0`: strict rotation.
   *
   * @defaultValue `0`
   */
  refreshTokenReuseGraceSeconds?: number;
  /**
   * Grant types enabled at the token endpoint. Opt-in ones: `implicit` (`response_type=token`,
   * deprecated by RFC 9700), `password` (needs `verifyPassword`) and
   * `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628, turns on the device endpoints).
   *
   * @defaultValue `['authorization_code', 'refresh_token', 'client_credentials']`
   */
  grantTypes?: readonly string[];
  /**
   * `'public'`: PKCE required from public clients only; `'all'`: from every client (OAuth 2.1).
   *
   * @defaultValue `'public'`
   */
  requirePkce?: 'public' | 'all';
  /**
   * Accept `code_challenge_method=plain` (RFC 7636 §4.2), which is weaker than `S256`; only for
   * legacy clients.
   *
   * @defaultValue `false`
   */
  allowPlainPkce?: boolean;
  /**
   * Accept `?access_token=` (RFC 6750 §2.3), as GitHub and GitLab historically did. A guard can
   * override it: `authenticate({ allowQueryAccessToken: false })`.
   *
   * @defaultValue `true`
   */
  allowQueryAccessToken?: boolean;
  /**
   * Accept a form-body `access_token` (RFC 6750 §2.2) on non-GET requests. A guard can override it.
   *
   * @defaultValue `true`
   */
  allowBodyAccessToken?: boolean;
  /**
   * Device flow (RFC 8628): lifetime of a device code in seconds (15 minutes, the §3.2 example).
   *
   * @defaultValue `900`
   */
  deviceCodeTtl?: number;
  /**
   * Device flow: the minimum number of seconds between two polls of one device code (RFC 8628 §3.2).
   *
   * @defaultValue `5`
   */
  devicePollInterval?: number;
  /**
   * Key for the CSRF tokens of consent and settings forms, at least 16 characters. Give every
   * process behind one load balancer the same value.
   *
   * @defaultValue random per process
   */
  csrfSecret?: string;
  /**
   * The `realm` of `WWW-Authenticate` answers: printable ASCII without `"` or `\`.
   *
   * @defaultValue the issuer's host
   */
  realm?: string;
  /**
   * Whether the cookies the provider sets are `Secure`.
   *
   * @defaultValue `true` when the issuer is `https:`
   */
  secureCookies?: boolean;
  /**
   * The query parameter of `loginUrl` that carries the address to come back to after login.
   *
   * @defaultValue `'return_to'`
   */
  returnToParameter?: string;
  /**
   * The first letters of every token, 1 to 8 lowercase letters: `eoa_` access, `eor_` refresh,
   * `eoc_` code, `eod_` device, `eop_` personal, `eos_` client secret.
   *
   * @defaultValue `'eo'`
   */
  tokenNamespace?: string;
  /**
   * The largest request body the provider reads, in bytes (at least 1024).
   *
   * @defaultValue `16384`
   */
  bodyLimit?: number;
  /**
   * Origins allowed to call the token endpoint from a browser (PKCE single-page apps): `'*'` for
   * any, or an array of exact origins such as `['https://app.example.com']`.
   *
   * @defaultValue `'*'`
   */
  corsOrigins?: '*' | readonly string[];
  /**
   * How often the provider deletes expired and revoked token records (`adapter.purgeExpired`), in
   * seconds; `0` turns it off. The timer never keeps the process alive and `provider.close()` stops
   * it; several processes purging one store is harmless.
   *
   * @defaultValue `600`
   */
  purgeIntervalSeconds?: number;
  /**
   * How long the bearer guard keeps an application it read, in seconds (0 to 300); `0` reads it on
   * every request. Changes made in this process apply at once; another process on the same store
   * sees them within this bound (a deleted application's tokens are refused everywhere at once,
   * since deleting revokes them).
   *
   * @defaultValue `5`
   */
  applicationCacheSeconds?: number;
  /**
   * Accept plain `http:` redirect URIs for hosts other than loopback when applications are
   * registered or edited (development only).
   *
   * @defaultValue `false`
   */
  allowHttpRedirectUris?: boolean;
  /**
   * The protected resources tokens may be issued for (RFC 8707 resource indicators, RFC 9728
   * metadata): `{ 'https://host/mcp': { name?, scopes?, audienceRequired? } }`, each key an absolute
   * URI without fragment. Clients name them with `resource` on authorize, token and refresh; an
   * unknown one is `invalid_target`. `scopes` are the resource's `scopes_supported` (declared in
   * `scopes`); `audienceRequired: true` refuses tokens issued without `resource` at that resource's
   * guards. See "Resources and audiences" in the README.
   *
   * @defaultValue none
   */
  resources?: Readonly<Record<string, ResourceDefinition>>;
  /**
   * Rate limits and caps, on by default (README "Security defaults" lists each):
   * `{ perAddress, perClient, failedClientAuthentications, registrationsPerAddress, documentFetchesPerAddress, deviceCodesPerClient, tokensPerScopeSet, applicationsPerUser, personalTokensPerUser }`,
   * each a rate `{ points, durationSeconds, blockSeconds? }` or a number, or `false` to turn it off;
   * `limits: false` turns all off. A refusal is a 429 with `Retry-After` (403 `limit_exceeded` for a
   * cap on what a user keeps). Counters live in the adapter's store when it has `createRateLimiter`
   * (every included adapter), so processes on one database share one budget; otherwise in process
   * memory.
   *
   * @defaultValue on (see Security defaults)
   */
  limits?: LimitsOptions | false;
  /**
   * Applications from configuration, stored when the provider starts (`await provider.ready`):
   * `[{ clientId, clientSecret | clientSecretHash, name, homepageUrl?, redirectUris, scopes?, confidential, firstParty?, skipConsent? }]`.
   * Stored by `clientId`, so restarting never duplicates one and a changed secret replaces the
   * stored one; `trust` is `first-party` (with `firstParty: true`, consent skipped unless
   * `skipConsent: false`) or `host`. They cannot be changed in the settings.
   *
   * @defaultValue `[]`
   */
  clients?: readonly ConfiguredClient[];
  /**
   * Where authorization errors go before the user has decided (RFC 9700 §4.11.2): `'trusted'` sends
   * them to the redirect URI only for `first-party` and `host` applications and shows other
   * applications' users a page with a link back; `'all'` redirects for every application (RFC 6749's
   * behaviour, for hosts that vet every registration).
   *
   * @defaultValue `'trusted'`
   */
  errorRedirects?: 'trusted' | 'all';
  /**
   * RFC 7591 dynamic client registration at `POST {basePath}/register`, off by default:
   * `{ enabled, allowConfidential?, scopes?, unusedSeconds? }`. Registered clients are public
   * (`token_endpoint_auth_method: none`) unless `allowConfidential` (then the secret is shown once),
   * may ask for at most `scopes` (default: every scope users may hold), have `dynamic` trust
   * (consent every time, "unverified") and are deleted after `unusedSeconds` (default 86400) without
   * a live token. Limited per address by `limits.registrationsPerAddress`. See "MCP servers" in the
   * README.
   *
   * @defaultValue off
   */
  dynamicRegistration?: DynamicRegistrationOptions;
  /**
   * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), off by default:
   * `{ enabled, allow?, cacheSeconds?, scopes?, unusedSeconds?, testing? }`. A `client_id` that is
   * an `https:` URL with a path is fetched (https only, no redirects, no private, loopback or
   * link-local address after DNS resolution, 5 s, 5 KiB, JSON only), checked and stored as a public
   * `dynamic` client. `allow(url)` may refuse URLs (an allow-list); `cacheSeconds` (default
   * `{ min: 300, max: 86400 }`) bounds `Cache-Control`. `testing`
   * (`{ ca?, allowLoopback?, allowHttpLoopback?, resolve?, timeoutMs? }`) is for test suites and
   * local development only. See "MCP servers" in the README.
   *
   * @defaultValue off
   */
  clientMetadataDocuments?: ClientMetadataDocumentOptions;
}
