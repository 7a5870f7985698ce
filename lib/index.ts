export { type CreateProviderOptions, createProvider, type Provider } from './create-provider';
export { ConfigurationError } from './errors/configuration-error';
export * from './errors/http-error';
export { InvalidFieldError } from './errors/invalid-field-error';
export * from './errors/oauth-error';
export type { AuthenticateOptions } from './guards/authenticate';
export type { OAuthContext } from './guards/oauth-context';
export { OAuthBearerStrategy } from './guards/passport-strategy';
export { requireScope } from './guards/require-scope';
export { DEFAULTS } from './options/defaults';
export type { ConsentPageData, ProviderOptions, ResourceOwner } from './options/provider-options';
export type { ScopeDefinition, ScopeDefinitions } from './scopes/scope-registry';
export type { ApplicationInput } from './services/application-input';
export type {
  ApplicationPatch,
  ApplicationRecord,
  ConsumeResult,
  GrantRecord,
  StorageAdapter,
  TokenFilter,
  TokenKind,
  TokenRecord,
} from './storage/storage-adapter';
