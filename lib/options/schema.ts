import { type LimitsOptions, resolveLimits } from '../limits/limit-options';
import type { OptionCheck } from './option-checks';
import * as check from './option-checks';
import * as pageCheck from './page-option-checks';
import type { ProviderOptions } from './provider-options';
import {
  type ClientMetadataDocumentOptions,
  type DynamicRegistrationOptions,
  resolveClientMetadataDocuments,
  resolveDynamicRegistration,
} from './registration-option-checks';
import * as resourceCheck from './resource-option-checks';

/** Every option `createProvider()` accepts. */
export type OptionName = keyof ProviderOptions;

/**
 * One option, described once. Everything else about it is derived from this: the value
 * `resolveOptions` uses, the frozen `DEFAULTS`, the TSDoc of its `ProviderOptions` member and its
 * row in the README's options table (both written by `scripts/options-docs.ts` and checked by
 * `test/unit/options-docs.test.ts`).
 */
export interface OptionDescriptor<T> {
  /** What it does, for the TSDoc and the README (Markdown, one paragraph). */
  readonly doc: string;
  /** Used when the host leaves the option out (`undefined`); the check never sees it. */
  readonly default?: Exclude<T, undefined>;
  /** The default as the README states it, when there is no static `default` (e.g. "random per process"). */
  readonly defaultText?: string;
  /** Returns the value to use, or throws a `ConfigurationError` naming the option. */
  readonly check: OptionCheck<T>;
}

/**
 * `Required<…>` over the options: the compiler fails here when an option is added to
 * `ProviderOptions` without a descriptor, or a descriptor names no option.
 */
export type OptionSchema = { readonly [K in OptionName]-?: OptionDescriptor<ProviderOptions[K]> };

const list: OptionCheck<readonly string[] | undefined> = (value, name) =>
  Object.freeze(check.stringList(name, value));

/**
 * The options table. Order is the README's: required options first, then hooks, then the knobs.
 * Checks here look at one option each; rules that relate options (a default scope must be
 * declared, the password grant needs `verifyPassword`) live in `resolveOptions`.
 */
export const OPTION_SCHEMA = {
  adapter: {
    doc: 'Where applications, grants and tokens live: a `StorageAdapter` (`MemoryAdapter`, `MongoAdapter` or your own).',
    defaultText: 'required',
    check: check.storageAdapter,
  },
  issuer: {
    doc: "This server's issuer URL (RFC 8414), e.g. `https://example.com`: the metadata's `issuer` and the `iss` response parameter (RFC 9207). No query or fragment; a trailing slash is dropped.",
    defaultText: 'required',
    check: check.issuer,
  },
  scopes: {
    doc: 'Every scope the API knows: `{ name: { description, includes?, resourceType? } }`. The description is shown at consent; `includes` lists the scopes one implies (`repo` includes `public_repo`); `resourceType` (a key of `resourceTypes`) makes the scope grantable on chosen resources only.',
    defaultText: 'required',
    check: check.scopeDefinitions,
  },
  resourceTypes: {
    doc: 'The types of resource that scopes may apply to ("Fine-grained access" in the README): `{ [type]: { name, list(user, { cursor, limit }) => { items: [{ id, name, description?, badge? }], next? }, authorizationDetails?: { actions: { [action]: scope } } } }`. A scope declared with `resourceType` lets the user grant it on all their resources of that type or on chosen ones; `authorizationDetails` makes the type an RFC 9396 `authorization_details` type.',
    defaultText: 'none',
    check: check.resourceTypes,
  },
  currentUser: {
    doc: "`(req) => ResourceOwner | null`, may be async: the logged-in user of this request (`{ id, username? }`) from the host's own session, or `null`.",
    defaultText: 'required',
    check: check.hostFunction<ProviderOptions['currentUser']>(true),
  },
  loginUrl: {
    doc: 'Where a user who is not logged in is sent, with `?return_to=<the authorize URL>` (see `returnToParameter`).',
    defaultText: 'required',
    check: check.requiredText('the host app login page, e.g. "/login"'),
  },
  findUser: {
    doc: '`(id) => ResourceOwner | null`, may be async: loads the user behind a token for `req.oauth.user`.',
    defaultText: '`{ id }`',
    check: check.hostFunction<ProviderOptions['findUser']>(false),
  },
  verifyPassword: {
    doc: "`(username, password, client)`, may be async, for the password grant (required when `grantTypes` lists `password`): returns the user, `null` for wrong credentials, or `{ refused: 'reason' }` for a user whose credentials are right but who must not use this grant (e.g. one with two-factor authentication).",
    defaultText: 'none',
    check: check.hostFunction<ProviderOptions['verifyPassword']>(false),
  },
  canIntrospect: {
    doc: '`(caller, token) => boolean`, may be async: whether the authenticated client `caller` may introspect `token` (RFC 7662 §4).',
    defaultText: 'only the client the token was issued to',
    check: check.hostFunction<ProviderOptions['canIntrospect']>(false),
  },
  renderConsent: {
    doc: '@deprecated Use `views.consent`, which may be async and gets the request and its language. `(data: ConsentPageData) => string`: your own consent page; giving both is an error.',
    defaultText: 'the built-in page',
    check: check.hostFunction<ProviderOptions['renderConsent']>(false),
  },
  views: {
    doc: 'Replaces pages ("Views" in the README): `{ consent: (data, context) => html, …, layout, csp }`. A renderer per view (`consent`, `deviceCode`, `deviceDone`, `error`, `applicationList`, `applicationNew`, `applicationShow`, `authorizations`, `tokens`, `settingsError`, `adminApplications`, `adminApplication`, `adminUsers`, `adminUser`, `adminError`) may be async and gets the view\'s data and `{ req, locale, t, layout }`; `layout(page, context)` replaces the document shell of every page; `csp: { all?, [view]? }` adds CSP sources (`styleSrc`, `scriptSrc`, `imgSrc`, `fontSrc`, `connectSrc`, `frameAncestors`, never on `consent`).',
    defaultText: 'the built-in pages',
    check: pageCheck.views,
  },
  messages: {
    doc: 'Translations: `{ [language]: { [messageKey]: text, scopes?: { [scope]: description } } }`. Overrides messages of a built-in language (`en`, `de`) or adds a language, completed from English; keys and `{placeholders}` are checked against the English catalog (`lib/messages/en.ts`).',
    defaultText: 'English and German',
    check: pageCheck.messages,
  },
  locale: {
    doc: "`(req) => string | null`, may be async: the language of a page (a BCP 47 tag; `de-AT` finds `de`). `null`, or a language the provider does not speak, falls back to the request's `Accept-Language`, then English.",
    defaultText: '`Accept-Language` among the available languages',
    check: check.hostFunction<ProviderOptions['locale']>(false),
  },
  isAdmin: {
    doc: '`(req) => boolean`, may be async: whether the signed-in user may use `provider.adminRouter` (required to use it; anyone else gets 403, even where the host mounts the router without a check of its own).',
    defaultText: 'none (no admin router)',
    check: check.hostFunction<ProviderOptions['isAdmin']>(false),
  },
  logger: {
    doc: 'Where the provider logs, pino-compatible (`{ error, warn, info, debug? }`, each `(fields, message)`): unexpected errors (unless `onError` is given), security failures (replays, PKCE failures, redirect mismatches) at `warn`, other events at `debug`. Fields are ids and reasons, never a secret.',
    defaultText: 'quiet; errors to `console.error`',
    check: pageCheck.logger,
  },
  onError: {
    doc: '`(error) => void`: receives unexpected errors, storage failures, failing views and errors thrown by event listeners (never a secret).',
    defaultText: '`logger.error`',
    check: check.hostFunction<ProviderOptions['onError']>(false),
  },
  defaultScopes: {
    doc: 'Scopes granted when an authorization request names none; each must be declared in `scopes`.',
    default: Object.freeze([]),
    check: list,
  },
  basePath: {
    doc: "Where the OAuth endpoints live (`/oauth/authorize`, `/oauth/token`, …); `''` mounts them at the root. No trailing slash.",
    default: '/oauth',
    check: check.matching(
      /^(\/[A-Za-z0-9._~-]+)*$/,
      'must be a path like "/oauth" (no trailing slash), or ""',
    ),
  },
  accessTokenTtl: {
    doc: 'Access token lifetime in seconds (2 hours). `null` issues access tokens that never expire, as GitHub does, and then no refresh tokens.',
    default: 7200,
    check: check.seconds({ nullable: true }),
  },
  refreshTokenTtl: {
    doc: 'Refresh token lifetime in seconds (30 days). `null`: refresh tokens never expire.',
    default: 30 * 24 * 3600,
    check: check.seconds({ nullable: true }),
  },
  authorizationCodeTtl: {
    doc: 'Authorization code lifetime in seconds, at most 600 (RFC 6749 §4.1.2 recommends at most 10 minutes).',
    default: 600,
    check: check.seconds({ nullable: false, max: 600 }),
  },
  refreshTokenReuseGraceSeconds: {
    doc: 'Seconds (0 to 300) during which a rotated refresh token may be presented again without being treated as stolen, for clients that lose the response to a network error. `0`: strict rotation.',
    default: 0,
    check: check.wholeNumber(0, 300, 'must be a whole number from 0 to 300'),
  },
  grantTypes: {
    doc: 'Grant types enabled at the token endpoint. Opt-in ones: `implicit` (`response_type=token`, deprecated by RFC 9700), `password` (needs `verifyPassword`) and `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628, turns on the device endpoints).',
    default: Object.freeze(['authorization_code', 'refresh_token', 'client_credentials']),
    check: list,
  },
  requirePkce: {
    doc: "`'public'`: PKCE required from public clients only; `'all'`: from every client (OAuth 2.1).",
    default: 'public',
    check: check.oneOf(['public', 'all'] as const),
  },
  allowPlainPkce: {
    doc: 'Accept `code_challenge_method=plain` (RFC 7636 §4.2), which is weaker than `S256`; only for legacy clients.',
    default: false,
    check: check.boolean,
  },
  allowQueryAccessToken: {
    doc: 'Accept `?access_token=` (RFC 6750 §2.3), as GitHub and GitLab historically did. A guard can override it: `authenticate({ allowQueryAccessToken: false })`.',
    default: true,
    check: check.boolean,
  },
  allowBodyAccessToken: {
    doc: 'Accept a form-body `access_token` (RFC 6750 §2.2) on non-GET requests. A guard can override it.',
    default: true,
    check: check.boolean,
  },
  deviceCodeTtl: {
    doc: 'Device flow (RFC 8628): lifetime of a device code in seconds (15 minutes, the §3.2 example).',
    default: 900,
    check: check.seconds({ nullable: false }),
  },
  devicePollInterval: {
    doc: 'Device flow: the minimum number of seconds between two polls of one device code (RFC 8628 §3.2).',
    default: 5,
    check: check.seconds({ nullable: false }),
  },
  csrfSecret: {
    doc: 'Key for the CSRF tokens of consent and settings forms, at least 16 characters. Give every process behind one load balancer the same value.',
    defaultText: 'random per process',
    check: check.csrfSecret,
  },
  realm: {
    doc: 'The `realm` of `WWW-Authenticate` answers: printable ASCII without `"` or `\\`.',
    defaultText: "the issuer's host",
    check: check.realm,
  },
  secureCookies: {
    doc: 'Whether the cookies the provider sets are `Secure`.',
    defaultText: '`true` when the issuer is `https:`',
    check: check.boolean,
  },
  returnToParameter: {
    doc: 'The query parameter of `loginUrl` that carries the address to come back to after login.',
    default: 'return_to',
    check: check.matching(/^[A-Za-z0-9._~-]{1,64}$/, 'must be 1 to 64 URL-safe characters ([A-Za-z0-9._~-])'),
  },
  tokenNamespace: {
    doc: 'The first letters of every token, 1 to 8 lowercase letters: `eoa_` access, `eor_` refresh, `eoc_` code, `eod_` device, `eop_` personal, `eos_` client secret.',
    default: 'eo',
    check: check.matching(/^[a-z]{1,8}$/, 'must be 1 to 8 lowercase letters'),
  },
  bodyLimit: {
    doc: 'The largest request body the provider reads, in bytes (at least 1024).',
    default: 16 * 1024,
    check: check.wholeNumber(1024, Number.MAX_SAFE_INTEGER, 'must be a whole number of bytes, at least 1024'),
  },
  corsOrigins: {
    doc: "Origins allowed to call the token endpoint from a browser (PKCE single-page apps): `'*'` for any, or an array of exact origins such as `['https://app.example.com']`.",
    default: '*',
    check: check.corsOrigins,
  },
  purgeIntervalSeconds: {
    doc: 'How often the provider deletes expired and revoked token records (`adapter.purgeExpired`), in seconds; `0` turns it off. The timer never keeps the process alive and `provider.close()` stops it; several processes purging one store is harmless.',
    default: 600,
    check: check.wholeNumber(0, 2_147_483, 'must be a whole number of seconds from 0 (off) to 2147483'),
  },
  applicationCacheSeconds: {
    doc: "How long the bearer guard keeps an application it read, in seconds (0 to 300); `0` reads it on every request. Changes made in this process apply at once; another process on the same store sees them within this bound (a deleted application's tokens are refused everywhere at once, since deleting revokes them).",
    default: 5,
    check: check.wholeNumber(0, 300, 'must be a whole number of seconds from 0 (off) to 300'),
  },
  allowHttpRedirectUris: {
    doc: 'Accept plain `http:` redirect URIs for hosts other than loopback when applications are registered or edited (development only).',
    default: false,
    check: check.boolean,
  },
  resources: {
    doc: "The protected resources tokens may be issued for (RFC 8707 resource indicators, RFC 9728 metadata): `{ 'https://host/mcp': { name?, scopes?, audienceRequired? } }`, each key an absolute URI without fragment. Clients name them with `resource` on authorize, token and refresh; an unknown one is `invalid_target`. `scopes` are the resource's `scopes_supported` (declared in `scopes`); `audienceRequired: true` refuses tokens issued without `resource` at that resource's guards. See \"Resources and audiences\" in the README.",
    defaultText: 'none',
    check: resourceCheck.resources,
  },
  limits: {
    doc: 'Rate limits and caps, on by default (README "Security defaults" lists each): `{ perAddress, perClient, failedClientAuthentications, registrationsPerAddress, documentFetchesPerAddress, deviceCodesPerClient, tokensPerScopeSet, applicationsPerUser, personalTokensPerUser }`, each a rate `{ points, durationSeconds, blockSeconds? }` or a number, or `false` to turn it off; `limits: false` turns all off. A refusal is a 429 with `Retry-After` (403 `limit_exceeded` for a cap on what a user keeps). Counters live in the adapter\'s store when it has `createRateLimiter` (every included adapter), so processes on one database share one budget; otherwise in process memory.',
    defaultText: 'on (see Security defaults)',
    check: (value, name) => {
      resolveLimits(value, name);
      return value as LimitsOptions | false | undefined;
    },
  },
  clients: {
    doc: 'Applications from configuration, stored when the provider starts (`await provider.ready`): `[{ clientId, clientSecret | clientSecretHash, name, homepageUrl?, redirectUris, scopes?, confidential, firstParty?, skipConsent? }]`. Stored by `clientId`, so restarting never duplicates one and a changed secret replaces the stored one; `trust` is `first-party` (with `firstParty: true`, consent skipped unless `skipConsent: false`) or `host`. They cannot be changed in the settings.',
    default: Object.freeze([]),
    check: check.configuredClients,
  },
  errorRedirects: {
    doc: "Where authorization errors go before the user has decided (RFC 9700 §4.11.2): `'trusted'` sends them to the redirect URI only for `first-party` and `host` applications and shows other applications' users a page with a link back; `'all'` redirects for every application (RFC 6749's behaviour, for hosts that vet every registration).",
    default: 'trusted',
    check: check.oneOf(['trusted', 'all'] as const),
  },
  dynamicRegistration: {
    doc: 'RFC 7591 dynamic client registration at `POST {basePath}/register`, off by default: `{ enabled, allowConfidential?, scopes?, unusedSeconds? }`. Registered clients are public (`token_endpoint_auth_method: none`) unless `allowConfidential` (then the secret is shown once), may ask for at most `scopes` (default: every scope users may hold), have `dynamic` trust (consent every time, "unverified") and are deleted after `unusedSeconds` (default 86400) without a live token. Limited per address by `limits.registrationsPerAddress`. See "MCP servers" in the README.',
    defaultText: 'off',
    check: (value, name) => {
      resolveDynamicRegistration(value, name);
      return value as DynamicRegistrationOptions | undefined;
    },
  },
  clientMetadataDocuments: {
    doc: 'Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), off by default: `{ enabled, allow?, cacheSeconds?, scopes?, unusedSeconds?, testing? }`. A `client_id` that is an `https:` URL with a path is fetched (https only, no redirects, no private, loopback or link-local address after DNS resolution, 5 s, 5 KiB, JSON only), checked and stored as a public `dynamic` client. `allow(url)` may refuse URLs (an allow-list); `cacheSeconds` (default `{ min: 300, max: 86400 }`) bounds `Cache-Control`. `testing` (`{ ca?, allowLoopback?, allowHttpLoopback?, resolve?, timeoutMs? }`) is for test suites and local development only. See "MCP servers" in the README.',
    defaultText: 'off',
    check: (value, name) => {
      resolveClientMetadataDocuments(value, name);
      return value as ClientMetadataDocumentOptions | undefined;
    },
  },
} as const satisfies OptionSchema;

/** The same table, seen through its type: one descriptor per option, for generic code. */
export const SCHEMA: OptionSchema = OPTION_SCHEMA;

/** Every option name, in the table's order. */
export const OPTION_NAMES = Object.keys(OPTION_SCHEMA) as OptionName[];
