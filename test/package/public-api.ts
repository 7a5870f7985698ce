/**
 * The public surface of the package, frozen: every entry point of `package.json`'s `exports` and
 * the exact names it exports. `exports.test.ts` compares the built package against this list (at
 * run time from CommonJS and ESM, and in the type declarations), and `npm-pack.slow.test.ts`
 * against the installed tarball. Adding a public name means adding it here, on purpose.
 */
export interface EntryPoint {
  /** What a consumer imports. */
  specifier: string;
  /** Its type declarations, relative to `dist/`. */
  declarations: string;
  /** Names that exist at run time (classes, functions, constants). */
  values: readonly string[];
  /** Names that exist only in the type declarations. */
  types: readonly string[];
}

const STORAGE_CONTRACT = [
  'ApplicationPatch',
  'ApplicationRecord',
  'ApplicationTrust',
  'ConsumeResult',
  'GrantRecord',
  'StorageAdapter',
  'TokenFilter',
  'TokenKind',
  'TokenRecord',
];

export const ENTRY_POINTS: readonly EntryPoint[] = [
  {
    specifier: 'express-oauth-provider',
    declarations: 'lib/index.d.ts',
    values: [
      'AccessDeniedError',
      'ConfigurationError',
      'DEFAULTS',
      'GRANT_TYPES',
      'HttpError',
      'InsufficientScopeError',
      'InvalidClientError',
      'InvalidFieldError',
      'InvalidGrantError',
      'InvalidRequestError',
      'InvalidScopeError',
      'InvalidTokenError',
      'OAuthBearerStrategy',
      'OAuthError',
      'ServerError',
      'TemporarilyUnavailableError',
      'UnauthorizedClientError',
      'UnsupportedGrantTypeError',
      'UnsupportedResponseTypeError',
      'UserRequiredError',
      'checkApplicationInput',
      'checkApplicationUpdate',
      'checkPersonalTokenInput',
      'createProvider',
      'escapeHtml',
      'html',
      'renderConsentPage',
      'requireScope',
      'safeHref',
    ],
    types: [
      ...STORAGE_CONTRACT,
      'ApplicationInput',
      'ApplicationRules',
      'ApplicationService',
      'ApplicationTrustInput',
      'ApplicationUpdate',
      'ApplicationView',
      'AuthenticateOptions',
      'ClientPrincipal',
      'ConfiguredClient',
      'ConsentPageData',
      'CreateProviderOptions',
      'CreatedApplication',
      'FieldCheck',
      'GrantHandler',
      'GrantRequest',
      'GrantService',
      'GrantSubject',
      'GrantType',
      'GrantTypeName',
      'IssuedTokens',
      'OAuthContext',
      'OAuthErrorCode',
      'OAuthErrorOptions',
      'PersonalTokenInput',
      'PersonalTokenRules',
      'PersonalTokenService',
      'Provider',
      'ProviderContext',
      'ProviderDefaults',
      'ProviderEventMap',
      'ProviderEventName',
      'ProviderEvents',
      'ProviderOptions',
      'ProviderOptionsView',
      'RawHtml',
      'ResourceOwner',
      'ScopeDefinition',
      'ScopeDefinitions',
      'ScopeHolder',
      'ScopeRegistry',
      'TokenService',
    ],
  },
  {
    specifier: 'express-oauth-provider/adapters/memory',
    declarations: 'adapters/memory/index.d.ts',
    values: ['MemoryAdapter'],
    types: [...STORAGE_CONTRACT, 'MemoryAdapterOptions'],
  },
  {
    specifier: 'express-oauth-provider/adapters/mongo',
    declarations: 'adapters/mongo/index.d.ts',
    values: ['MongoAdapter'],
    types: [...STORAGE_CONTRACT, 'MongoAdapterOptions'],
  },
  {
    specifier: 'express-oauth-provider/adapters/sql',
    declarations: 'adapters/sql/index.d.ts',
    values: ['SqlAdapter', 'sqlMigrationProvider', 'sqlTableNames'],
    types: [...STORAGE_CONTRACT, 'SqlAdapterOptions', 'SqlDialectName'],
  },
  {
    specifier: 'express-oauth-provider/testing',
    declarations: 'lib/testing/index.d.ts',
    values: [
      'at',
      'makeApplication',
      'makeCode',
      'makeGrant',
      'makePersonalToken',
      'makeToken',
      'randomHash',
      'randomId',
      'runAdapterConformance',
    ],
    types: ['AdapterConformanceOptions', 'AdapterUnderTest'],
  },
  {
    specifier: 'express-oauth-provider/storage',
    declarations: 'lib/storage/index.d.ts',
    values: [],
    types: STORAGE_CONTRACT,
  },
];

/** What Node's ESM loader adds to the namespace of a CommonJS module. */
export const ESM_INTEROP_NAMES: readonly string[] = ['__esModule', 'default'];

/** Every name an entry point's declarations export: its values and its types. */
export function declaredNames(entry: EntryPoint): string[] {
  return [...entry.values, ...entry.types].sort();
}
