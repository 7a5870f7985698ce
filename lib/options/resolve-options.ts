import { randomBytes } from 'node:crypto';
import { type CheckedClient, checkConfiguredClients } from '../clients/configured-clients';
import { ConfigurationError } from '../errors/configuration-error';
import { isGrantTypeName } from '../grants/grant-type-names';
import { type ResolvedLimits, resolveLimits } from '../limits/limit-options';
import { DEFAULT_LOGGER, type Logger, logErrorsTo } from '../logging/logger';
import type { MessageOverrides } from '../messages/catalog';
import { ResourceRegistry } from '../resources/resource-registry';
import type { ResourceTypes } from '../scopes/resource-types';
import { ScopeRegistry } from '../scopes/scope-registry';
import type { StorageAdapter } from '../storage/storage-adapter';
import { TokenFormat } from '../tokens/token-format';
import type { ViewOptions } from '../views/view-types';
import type { DefaultedOption } from './defaults';
import type { ProviderOptions } from './provider-options';
import {
  type ResolvedClientMetadataDocuments,
  type ResolvedDynamicRegistration,
  resolveClientMetadataDocuments,
  resolveDynamicRegistration,
} from './registration-option-checks';
import { OPTION_NAMES, type OptionDescriptor, type OptionName, SCHEMA } from './schema';
import { rejectUnknownOptions } from './unknown-options';

/** The complete configuration every service reads; built once by `resolveOptions`. */
export interface ResolvedOptions {
  adapter: StorageAdapter;
  issuer: string;
  scopes: ScopeRegistry;
  /** The declared resource types (also on `scopes.resourceTypes`). */
  resourceTypes: ResourceTypes;
  defaultScopes: string[];
  currentUser: ProviderOptions['currentUser'];
  loginUrl: string;
  findUser: ProviderOptions['findUser'];
  /** The host's views, the deprecated `renderConsent` included (as `views.consent`). */
  views: ViewOptions;
  messages: Readonly<Record<string, MessageOverrides>>;
  locale: ProviderOptions['locale'];
  isAdmin: ProviderOptions['isAdmin'];
  logger: Logger;
  /** Seconds between two purges of expired records; `0`: never. */
  purgeIntervalSeconds: number;
  /** Seconds the guard keeps an application it read; `0`: never. */
  applicationCacheSeconds: number;
  verifyPassword: ProviderOptions['verifyPassword'];
  canIntrospect: NonNullable<ProviderOptions['canIntrospect']>;
  deviceCodeTtl: number;
  devicePollInterval: number;
  csrfKey: Buffer;
  realm: string;
  basePath: string;
  accessTokenTtl: number | null;
  refreshTokenTtl: number | null;
  authorizationCodeTtl: number;
  refreshTokenReuseGraceSeconds: number;
  allowQueryAccessToken: boolean;
  allowBodyAccessToken: boolean;
  allowPlainPkce: boolean;
  requirePkce: 'public' | 'all';
  grantTypes: ReadonlySet<string>;
  returnToParameter: string;
  tokens: TokenFormat;
  bodyLimit: number;
  corsOrigins: '*' | readonly string[];
  secureCookies: boolean;
  /** `logger.error` (by default `console.error` with the error's name and message) unless the host gives its own. */
  onError: (error: unknown) => void;
  allowHttpRedirectUris: boolean;
  /** The declared protected resources (RFC 8707); empty when the option is left out. */
  resources: ResourceRegistry;
  limits: ResolvedLimits;
  /** The configured clients, checked; secrets only as their SHA-256 hashes. */
  clients: readonly CheckedClient[];
  errorRedirects: 'trusted' | 'all';
  /** RFC 7591 registration (off unless enabled). */
  dynamicRegistration: ResolvedDynamicRegistration;
  /** Client ID Metadata Documents (off unless enabled). */
  clientMetadataDocuments: ResolvedClientMetadataDocuments;
}

/** Options that reach `ResolvedOptions` as what they build: `csrfKey`, `tokens`, `views.consent`. */
type BuiltOnResolve = 'csrfSecret' | 'tokenNamespace' | 'renderConsent';
/** The compiler fails here when an option of the schema has no field in `ResolvedOptions`. */
type Unresolved<Missing extends never> = Missing;
type _EveryOptionResolved = Unresolved<Exclude<OptionName, keyof ResolvedOptions | BuiltOnResolve>>;

/** `views`, with the deprecated `renderConsent` as its consent view (not both: which would win?). */
function resolveViews(
  views: ViewOptions | undefined,
  renderConsent: ProviderOptions['renderConsent'],
): ViewOptions {
  if (renderConsent === undefined) return views ?? {};
  if (views?.consent !== undefined) {
    throw new ConfigurationError(
      'renderConsent',
      'and views.consent are both given: keep views.consent only',
    );
  }
  return { ...views, consent: (data) => renderConsent(data) };
}

/**
 * A scope's `resourceType` must be declared, and an RFC 9396 action must name a scope declared
 * with that type (the action means "this scope, on the named resources").
 */
function checkResourceScopes(scopes: ScopeRegistry): void {
  for (const scope of scopes.names) {
    const type = scopes.resourceTypeOf(scope);
    if (type !== null && !Object.hasOwn(scopes.resourceTypes, type)) {
      throw new ConfigurationError(
        `scopes.${scope}.resourceType`,
        `names an undeclared resource type "${type}"`,
      );
    }
  }
  for (const [type, definition] of Object.entries(scopes.resourceTypes)) {
    for (const [action, scope] of Object.entries(definition.authorizationDetails?.actions ?? {})) {
      if (!scopes.has(scope) || scopes.resourceTypeOf(scope) !== type) {
        throw new ConfigurationError(
          `resourceTypes.${type}.authorizationDetails.actions.${action}`,
          `must name a scope declared with resourceType "${type}"`,
        );
      }
    }
  }
}

/** What reading option `K` yields: never `undefined` for an option with a fixed default. */
type OptionValue<K extends OptionName> = K extends DefaultedOption
  ? Exclude<ProviderOptions[K], undefined>
  : ProviderOptions[K];

/** One option through its schema descriptor: the default when left out, else the checked value. */
function readOption<K extends OptionName>(given: Readonly<Record<string, unknown>>, name: K): OptionValue<K> {
  const descriptor: OptionDescriptor<unknown> = SCHEMA[name];
  const value = given[name];
  const result =
    value === undefined && descriptor.default !== undefined
      ? descriptor.default
      : descriptor.check(value, name);
  // `OptionSchema` ties the descriptor of `K` to `ProviderOptions[K]`; TypeScript cannot follow a
  // generic key through the lookup, so the correlation is restated here, once.
  return result as OptionValue<K>;
}

/**
 * Checks every option once at start-up and returns the complete configuration, or throws a
 * `ConfigurationError` naming the option and what is wrong with it. Each option is checked by its
 * descriptor in `schema.ts`; the rules that relate two options are here.
 */
export function resolveOptions(input: ProviderOptions): ResolvedOptions {
  const untrusted: unknown = input;
  if (typeof untrusted !== 'object' || untrusted === null || Array.isArray(untrusted)) {
    throw new ConfigurationError('options', 'must be an object');
  }
  rejectUnknownOptions(untrusted, OPTION_NAMES);
  const given = untrusted as Readonly<Record<string, unknown>>;
  const read = <K extends OptionName>(name: K): OptionValue<K> => readOption(given, name);

  const adapter = read('adapter');
  const issuer = read('issuer');
  const resourceTypes = read('resourceTypes') ?? {};
  const scopes = new ScopeRegistry(read('scopes'), resourceTypes);
  checkResourceScopes(scopes);
  const defaultScopes = [...read('defaultScopes')];
  for (const scope of defaultScopes) {
    if (!scopes.has(scope))
      throw new ConfigurationError('defaultScopes', `names an undeclared scope "${scope}"`);
    // They are granted to authorization requests, which users decide (RFC 9700 §4.15).
    if (!scopes.heldBy(scope, 'user'))
      throw new ConfigurationError(
        'defaultScopes',
        `names "${scope}", which users do not hold (its holders)`,
      );
  }
  const allowHttpRedirectUris = read('allowHttpRedirectUris');
  const clients = checkConfiguredClients(read('clients'), { scopes, allowHttpRedirectUris });
  const currentUser = read('currentUser');
  const loginUrl = read('loginUrl');
  const findUser = read('findUser');
  const renderConsent = read('renderConsent');
  const canIntrospect = read('canIntrospect');
  const verifyPassword = read('verifyPassword');
  const onError = read('onError');
  const logger = read('logger') ?? DEFAULT_LOGGER;
  const csrfSecret = read('csrfSecret');
  const grantTypes = new Set(read('grantTypes'));
  for (const grant of grantTypes) {
    if (!isGrantTypeName(grant)) {
      throw new ConfigurationError('grantTypes', `lists unsupported grant type "${grant}"`);
    }
  }
  const resources = new ResourceRegistry(read('resources') ?? {});
  for (const resource of resources.all) {
    for (const scope of resource.scopes) {
      if (!scopes.has(scope))
        throw new ConfigurationError('resources', `"${resource.uri}" lists an undeclared scope "${scope}"`);
    }
  }
  const dynamicRegistration = resolveDynamicRegistration(read('dynamicRegistration'), 'dynamicRegistration');
  const clientMetadataDocuments = resolveClientMetadataDocuments(
    read('clientMetadataDocuments'),
    'clientMetadataDocuments',
  );
  for (const [name, cap] of [
    ['dynamicRegistration.scopes', dynamicRegistration.scopes],
    ['clientMetadataDocuments.scopes', clientMetadataDocuments.scopes],
  ] as const) {
    const undeclared = cap?.find((scope) => !scopes.has(scope));
    if (undeclared !== undefined)
      throw new ConfigurationError(name, `lists an undeclared scope "${undeclared}"`);
  }
  // What each grant needs besides (password: verifyPassword) is checked by the grant registry.
  return {
    adapter,
    issuer,
    scopes,
    resourceTypes,
    defaultScopes,
    currentUser,
    loginUrl,
    findUser,
    views: resolveViews(read('views'), renderConsent),
    messages: read('messages') ?? {},
    locale: read('locale'),
    isAdmin: read('isAdmin'),
    logger,
    purgeIntervalSeconds: read('purgeIntervalSeconds'),
    applicationCacheSeconds: read('applicationCacheSeconds'),
    verifyPassword,
    canIntrospect: canIntrospect ?? ((caller, token) => token.applicationId === caller.id),
    deviceCodeTtl: read('deviceCodeTtl'),
    devicePollInterval: read('devicePollInterval'),
    csrfKey: csrfSecret === undefined ? randomBytes(32) : Buffer.from(csrfSecret, 'utf8'),
    realm: read('realm') ?? new URL(issuer).host,
    basePath: read('basePath'),
    accessTokenTtl: read('accessTokenTtl'),
    refreshTokenTtl: read('refreshTokenTtl'),
    authorizationCodeTtl: read('authorizationCodeTtl'),
    refreshTokenReuseGraceSeconds: read('refreshTokenReuseGraceSeconds'),
    allowQueryAccessToken: read('allowQueryAccessToken'),
    allowBodyAccessToken: read('allowBodyAccessToken'),
    allowPlainPkce: read('allowPlainPkce'),
    requirePkce: read('requirePkce'),
    grantTypes,
    returnToParameter: read('returnToParameter'),
    tokens: new TokenFormat(read('tokenNamespace')),
    bodyLimit: read('bodyLimit'),
    corsOrigins: read('corsOrigins'),
    secureCookies: read('secureCookies') ?? issuer.startsWith('https:'),
    onError: onError ?? logErrorsTo(logger),
    allowHttpRedirectUris,
    resources,
    limits: resolveLimits(read('limits'), 'limits'),
    clients,
    errorRedirects: read('errorRedirects'),
    dynamicRegistration,
    clientMetadataDocuments,
  };
}
