import { message } from '../messages/catalog';
import { type Description, HttpError } from './http-error';

/**
 * The error codes of the protocols this provider speaks. Protocol errors carry exactly these;
 * everything else a route can fail with is an {@link HttpError}.
 */
export type OAuthErrorCode =
  // RFC 6749 §4.1.2.1 (authorization endpoint) and §5.2 (token endpoint)
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  // RFC 6750 §3.1 (protected resources)
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 8628 §3.5 (device flow)
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  // RFC 8707 §2 (resource indicators)
  | 'invalid_target'
  // RFC 9396 §5 (rich authorization requests)
  | 'invalid_authorization_details'
  // RFC 7591 §3.2.2 (dynamic client registration)
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  // OpenID Connect Core §3.1.2.6, for `prompt=none` (OAuth clients use them too)
  | 'login_required'
  | 'consent_required';

export interface OAuthErrorOptions {
  /** Whether the error may be sent to the client's redirect URI (authorization endpoint only). */
  redirectable?: boolean;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
}

/**
 * The base of every protocol error: an RFC error code, an HTTP status and a description. The
 * responders (`lib/respond/`) are the only code that turns one into an HTTP answer; no endpoint
 * builds an error body by hand.
 */
export class OAuthError extends HttpError {
  declare readonly code: OAuthErrorCode;
  readonly redirectable: boolean;

  constructor(
    code: OAuthErrorCode,
    status: number,
    description: Description,
    options: OAuthErrorOptions = {},
  ) {
    super(code, status, description, options.headers);
    this.redirectable = options.redirectable ?? false;
  }
}

type OAuthErrorClass = new (description: Description, options?: OAuthErrorOptions) => OAuthError;
type DescribedOAuthErrorClass = new (description?: Description, options?: OAuthErrorOptions) => OAuthError;

/** A base class for one error code, so each subclass below is one line (node-oidc-provider's `E()`). */
function protocolError(code: OAuthErrorCode, status: number): OAuthErrorClass;
function protocolError(code: OAuthErrorCode, status: number, fallback: Description): DescribedOAuthErrorClass;
function protocolError(
  code: OAuthErrorCode,
  status: number,
  fallback?: Description,
): DescribedOAuthErrorClass {
  return class extends OAuthError {
    constructor(description: Description = fallback ?? code, options?: OAuthErrorOptions) {
      super(code, status, description, options);
    }
  };
}

/** RFC 6749 §5.2: missing, repeated or malformed parameter. */
export class InvalidRequestError extends protocolError('invalid_request', 400) {}

/** RFC 6749 §5.2: client authentication failed. */
export class InvalidClientError extends protocolError('invalid_client', 401) {}

/** Why a client authentication failed (the `client.authentication_failed` event's `reason`). */
export type ClientAuthenticationFailure =
  | 'unknown_client'
  | 'invalid_secret'
  | 'missing_secret'
  | 'unexpected_secret';

/**
 * RFC 6749 §5.2 `invalid_client` from the client authentication itself, saying why (for the
 * `client.authentication_failed` event and the failure limit; the answer never tells).
 */
export class ClientAuthenticationError extends InvalidClientError {
  constructor(
    readonly reason: ClientAuthenticationFailure,
    description = 'Client authentication failed',
  ) {
    super(description);
  }
}

/** RFC 6749 §5.2: the code, refresh token or credentials are invalid, expired, revoked or reused. */
export class InvalidGrantError extends protocolError('invalid_grant', 400) {}

/** RFC 6749 §5.2: this client may not use this grant type. */
export class UnauthorizedClientError extends protocolError('unauthorized_client', 400) {}

/** RFC 6749 §5.2: the grant type is unknown or not enabled. */
export class UnsupportedGrantTypeError extends protocolError('unsupported_grant_type', 400) {}

/** RFC 6749 §4.1.2.1 / §5.2: unknown scope or one the client may not request. */
export class InvalidScopeError extends protocolError('invalid_scope', 400) {}

/** RFC 9396 §5: `authorization_details` is malformed, of an unknown type, or asks for too much. */
export class InvalidAuthorizationDetailsError extends protocolError('invalid_authorization_details', 400) {}

/** RFC 6749 §4.1.2.1: `response_type` is unknown or not enabled. */
export class UnsupportedResponseTypeError extends protocolError('unsupported_response_type', 400) {}

/** RFC 7591 §3.2.2: a redirect URI of a registration request is invalid. */
export class InvalidRedirectUriError extends protocolError('invalid_redirect_uri', 400) {}

/** RFC 7591 §3.2.2: a client metadata field of a registration request is invalid. */
export class InvalidClientMetadataError extends protocolError('invalid_client_metadata', 400) {}

/** RFC 6750 §3.1: the access token is malformed, unknown, expired or revoked. */
export class InvalidTokenError extends protocolError('invalid_token', 401) {}

/** RFC 8628 §3.5: the user has not yet approved or denied the device. */
export class AuthorizationPendingError extends protocolError(
  'authorization_pending',
  400,
  'The user has not yet approved the device',
) {}

/** RFC 8628 §3.5: the device polls too fast; it must add 5 seconds to its interval. */
export class SlowDownError extends protocolError(
  'slow_down',
  400,
  'Polling too fast: increase the interval by 5 seconds',
) {}

/** RFC 8628 §3.5: the device code expired; start a new device authorization. */
export class ExpiredTokenError extends protocolError('expired_token', 400, 'The device code has expired') {}

/**
 * OpenID Connect Core §3.1.2.6: `prompt=none` asked for an answer without any page, and the user
 * is not logged in. Sent to the client as an authorization error (where its trust allows).
 */
export class SilentLoginRequiredError extends protocolError(
  'login_required',
  400,
  message('problem.silentLogin'),
) {}

/**
 * OpenID Connect Core §3.1.2.6: `prompt=none`, and the request needs the user's consent (none
 * remembered, or the client's consent is never remembered).
 */
export class SilentConsentRequiredError extends protocolError(
  'consent_required',
  400,
  message('problem.silentConsent'),
) {}

/** RFC 6749 §4.1.2.1: an unexpected condition; never carries internal details. */
export class ServerError extends protocolError('server_error', 500, message('problem.serverError')) {}

/** RFC 6749 §4.1.2.1 / RFC 8628 §3.5: the resource owner denied the request. */
export class AccessDeniedError extends OAuthError {
  constructor(description: Description, options?: OAuthErrorOptions & { status?: number }) {
    super('access_denied', options?.status ?? 403, description, options);
  }
}

/** RFC 6749 §4.1.2.1: storage is down; the client may retry later. */
export class TemporarilyUnavailableError extends OAuthError {
  constructor(description: Description = message('problem.unavailable')) {
    super('temporarily_unavailable', 503, description, { headers: { 'Retry-After': '5' } });
  }
}

/**
 * RFC 6750 §3.1: a request to a protected resource carried no token at all. Answered 401 with a
 * bare challenge: "the resource server SHOULD NOT include an error code".
 */
export class MissingTokenError extends OAuthError {
  constructor() {
    super('invalid_request', 401, 'An access token is required');
  }
}

/** RFC 6750 §3.1: the token lacks the scope the resource requires. */
export class InsufficientScopeError extends OAuthError {
  readonly requiredScopes: readonly string[];
  constructor(requiredScopes: readonly string[], options?: OAuthErrorOptions & { description?: string }) {
    super(
      'insufficient_scope',
      403,
      options?.description ?? `This resource requires one of the scopes: ${requiredScopes.join(', ')}`,
      options,
    );
    this.requiredScopes = requiredScopes;
  }
}

/**
 * RFC 6750 §3.1 `insufficient_scope` for a route that acts for a user (`requireUser`, or a scope
 * only users hold), reached with a token that has none (a client_credentials token: the client
 * acts on its own behalf; RFC 9700 §4.15). Carries the route's scopes, if any, for the challenge.
 */
export class UserRequiredError extends InsufficientScopeError {
  constructor(requiredScopes: readonly string[] = []) {
    super(requiredScopes, {
      description: 'This token has no user: it was issued to a client acting on its own behalf',
    });
  }
}

/**
 * RFC 8707 §2: a `resource` is not an absolute URI without fragment, is not a resource of this
 * server, or is not among those the code or refresh token was issued for.
 */
export class InvalidTargetError extends protocolError('invalid_target', 400) {}
