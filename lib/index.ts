/**
 * express-oauth-provider: turn an Express app into an OAuth 2.0 provider. Every public name is
 * listed here, explicitly; `test/package/public-api.ts` freezes the list (checked by
 * `test/package/exports.test.ts` against the build).
 *
 * @packageDocumentation
 */

export type { HostResolver } from './client-documents/fetch-document';
// The provider and its options.
export type { ConfiguredClient } from './clients/configured-clients';
export { type CreateProviderOptions, createProvider, type Provider } from './create-provider';
export { ConfigurationError } from './errors/configuration-error';
// The base of every error the provider answers with an HTTP status (protocol or not).
export { HttpError } from './errors/http-error';
// The one validator of applications and personal tokens (the services and the settings run it).
export { InvalidFieldError } from './errors/invalid-field-error';
// Protocol errors a host may throw (from a hook) or test for; the provider maps each to its RFC answer.
export {
  AccessDeniedError,
  InsufficientScopeError,
  InvalidAuthorizationDetailsError,
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
  OAuthError,
  type OAuthErrorCode,
  type OAuthErrorOptions,
  ServerError,
  TemporarilyUnavailableError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  UnsupportedResponseTypeError,
  UserRequiredError,
} from './errors/oauth-error';
// The service API (`provider.applications`, `.grants`, `.tokens`, `.personalTokens`) and events.
export type { ProviderEventMap, ProviderEventName, ProviderEvents } from './events/provider-events';
export type { GrantHandler, GrantRequest, GrantSubject, GrantType } from './grants/grant-type';
// Grant types: the built-in names, and what a host-defined grant (`provider.registerGrantType`) is.
export { GRANT_TYPES, type GrantTypeName } from './grants/grant-type-names';
// Guards for the host's API.
export type { AuthenticateOptions } from './guards/authenticate';
export type { ApplicationView, OAuthContext } from './guards/oauth-context';
export { type ClientPrincipal, OAuthBearerStrategy } from './guards/passport-strategy';
export type { ProtectedResource } from './guards/protected-resource';
export { type RequireScopeOptions, requireScope } from './guards/require-scope';
export type { LimitsOptions, RateLimitOption } from './limits/limit-options';
// Logging: a pino-compatible logger.
export type { Logger } from './logging/logger';
export type { Catalog, MessageKey, MessageOverrides, MessageParams, Translatable } from './messages/catalog';
// Messages: the catalogs, their keys, what a host adds, and the translator views get.
export { BUILT_IN_CATALOGS } from './messages/languages';
export type { HtmlParams, Translator } from './messages/translator';
export { DEFAULTS, type ProviderDefaults } from './options/defaults';
export type { ProviderOptionsView } from './options/options-view';
export type {
  ConsentPageData,
  ConsentResourceChoice,
  ConsentResourceItem,
  ProviderOptions,
  ResourceOwner,
} from './options/provider-options';
// Clients that arrive unregistered (RFC 7591, client metadata documents): their options.
export type {
  ClientMetadataDocumentOptions,
  ClientMetadataDocumentTesting,
  DynamicRegistrationOptions,
} from './options/registration-option-checks';
export type { ProviderContext } from './provider-context';
// Protected resources (RFC 8707, RFC 9728): the `resources` option and what it resolves to.
export type { Resource, ResourceDefinition, ResourceRegistry } from './resources/resource-registry';
export type { AuthorizationDetail } from './scopes/authorization-details';
export type {
  ResourceItem,
  ResourcePage,
  ResourceTypeDefinition,
  ResourceTypes,
} from './scopes/resource-types';
export type { ScopeDefinition, ScopeDefinitions, ScopeHolder, ScopeRegistry } from './scopes/scope-registry';
// The admin API's service results.
export type { ApplicationPage, ApplicationService, CreatedApplication } from './services/application-service';
export type { ApplicationTrustInput } from './services/application-trust';
export type { GrantService } from './services/grant-service';
export type { PersonalTokenService } from './services/personal-token-service';
export type { IssuedTokens, TokenService } from './services/token-service';
// The storage contract, also alone (without Express types) at `express-oauth-provider/storage`.
export type {
  ApplicationCursor,
  ApplicationPageRequest,
  ApplicationPatch,
  ApplicationRecord,
  ApplicationTrust,
  ConsumeResult,
  GrantRecord,
  RateLimitCounter,
  RateLimitResult,
  RateLimitSpec,
  ResourceSelection,
  StorageAdapter,
  TokenFilter,
  TokenKind,
  TokenPruning,
  TokenRecord,
} from './storage/storage-adapter';
export {
  type ApplicationInput,
  type ApplicationRules,
  type ApplicationUpdate,
  checkApplicationInput,
  checkApplicationUpdate,
} from './validation/application-input';
export type { FieldCheck } from './validation/fields';
export {
  checkPersonalTokenInput,
  type PersonalTokenInput,
  type PersonalTokenRules,
} from './validation/personal-token-input';
export type {
  AdminApplicationsViewData,
  AdminApplicationViewData,
  AdminAuthorizationRow,
  AdminTokenRow,
  AdminUsersViewData,
  AdminUserViewData,
} from './views/admin-views';
export type {
  ApplicationFormValues,
  ApplicationListViewData,
  ApplicationNewViewData,
  ApplicationShowState,
  ApplicationShowViewData,
  ScopeChoice,
} from './views/applications-view';
export type {
  AuthorizationResourceAccess,
  AuthorizationRow,
  AuthorizationsViewData,
} from './views/authorizations-view';
export { renderConsentPage } from './views/consent-page';
export type { CspSources } from './views/csp';
export type { DeviceCodeViewData, DeviceDoneViewData } from './views/device-pages';
export type { ErrorReturnLink, ErrorViewData } from './views/error-page';
// Views: the form contract, the built-in views and layout to wrap or start from, escaping, the data types.
export { DECISIONS, FORM_FIELDS, RESOURCE_FIELDS } from './views/form-contract';
export type { FieldErrors } from './views/form-fields';
export { escapeHtml, html, type RawHtml, raw } from './views/html';
export { type LayoutData, renderLayout, safeHref } from './views/layout';
export { BUILT_IN_VIEWS, ViewRenderError } from './views/page-renderer';
export type { AdminFrame, SectionErrorViewData, SettingsFrame } from './views/settings-layout';
export type { TokenFormValues, TokensViewData } from './views/tokens-view';
// Every type of the view contract (views, layout, their data and context) is public.
export type * from './views/view-types';
