/**
 * One error class per RFC error code. The error middleware (`error-responder.ts`) is the only
 * place that turns these into HTTP answers; no endpoint builds an error body by hand.
 */
export interface OAuthErrorOptions {
  /** Whether the error may be sent to the client's redirect URI (authorization endpoint only). */
  redirectable?: boolean;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
}

/** The base of every protocol error: an RFC error code, an HTTP status and a description. */
export class OAuthError extends Error {
  readonly code: string;
  readonly status: number;
  readonly description: string;
  readonly redirectable: boolean;
  readonly headers: Record<string, string>;

  constructor(code: string, status: number, description: string, options: OAuthErrorOptions = {}) {
    super(description);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.description = description;
    this.redirectable = options.redirectable ?? false;
    this.headers = options.headers ?? {};
  }

  /** The RFC 6749 §5.2 error object. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** RFC 6749 §5.2: missing, repeated or malformed parameter. */
export class InvalidRequestError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('invalid_request', 400, description, options);
  }
}

/** RFC 6749 §5.2: client authentication failed. */
export class InvalidClientError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('invalid_client', 401, description, options);
  }
}

/** RFC 6749 §5.2: the code, refresh token or credentials are invalid, expired, revoked or reused. */
export class InvalidGrantError extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', 400, description);
  }
}

/** RFC 6749 §5.2: this client may not use this grant type. */
export class UnauthorizedClientError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('unauthorized_client', 400, description, options);
  }
}

/** RFC 6749 §5.2: the grant type is unknown or not enabled. */
export class UnsupportedGrantTypeError extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', 400, description);
  }
}

/** RFC 6749 §4.1.2.1 / §5.2: unknown scope or one the client may not request. */
export class InvalidScopeError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('invalid_scope', 400, description, options);
  }
}

/** RFC 6749 §4.1.2.1 / RFC 8628 §3.5: the resource owner denied the request. */
export class AccessDeniedError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions & { status?: number }) {
    super('access_denied', options?.status ?? 403, description, options);
  }
}

/**
 * 403 for a form post whose CSRF token does not match this browser and user. Never redirected:
 * a forged decision must not reach the client in either direction.
 */
export class ForgedFormError extends OAuthError {
  constructor(description = 'The form has expired or was not sent from this site; try again') {
    super('invalid_request', 403, description);
  }
}

/** RFC 8628 §3.5: the user has not yet approved or denied the device. */
export class AuthorizationPendingError extends OAuthError {
  constructor() {
    super('authorization_pending', 400, 'The user has not yet approved the device');
  }
}

/** RFC 8628 §3.5: the device polls too fast; it must add 5 seconds to its interval. */
export class SlowDownError extends OAuthError {
  constructor() {
    super('slow_down', 400, 'Polling too fast: increase the interval by 5 seconds');
  }
}

/** RFC 8628 §3.5: the device code expired; start a new device authorization. */
export class ExpiredTokenError extends OAuthError {
  constructor() {
    super('expired_token', 400, 'The device code has expired');
  }
}

/** 429 for a user guessing device user codes (RFC 8628 §5.1). */
export class TooManyAttemptsError extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super('slow_down', 429, 'Too many wrong codes; wait a minute and try again', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** RFC 6749 §4.1.2.1: `response_type` is unknown or not enabled. */
export class UnsupportedResponseTypeError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('unsupported_response_type', 400, description, options);
  }
}

/** RFC 6750 §3.1: the access token is malformed, unknown, expired or revoked. */
export class InvalidTokenError extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('invalid_token', 401, description, options);
  }
}

/** RFC 6750 §3.1: the token lacks the scope the resource requires. */
export class InsufficientScopeError extends OAuthError {
  readonly requiredScopes: readonly string[];
  constructor(requiredScopes: readonly string[], options?: OAuthErrorOptions) {
    super(
      'insufficient_scope',
      403,
      `This resource requires one of the scopes: ${requiredScopes.join(', ')}`,
      options,
    );
    this.requiredScopes = requiredScopes;
  }
}

/** RFC 6749 §4.1.2.1: storage is down; the client may retry later. */
export class TemporarilyUnavailableError extends OAuthError {
  constructor(description = 'The authorization server is temporarily unavailable; retry later') {
    super('temporarily_unavailable', 503, description, { headers: { 'Retry-After': '5' } });
  }
}

/** RFC 6749 §4.1.2.1: an unexpected condition; never carries internal details. */
export class ServerError extends OAuthError {
  constructor(description = 'The authorization server encountered an unexpected condition') {
    super('server_error', 500, description);
  }
}

/** 415 for JSON-only write APIs (the settings API). */
export class UnsupportedMediaTypeError extends OAuthError {
  constructor(description: string) {
    super('invalid_request', 415, description);
  }
}

/** 404 for resources that do not exist or belong to someone else (the settings API). */
export class NotFoundError extends OAuthError {
  constructor(description = 'Not found') {
    super('not_found', 404, description);
  }
}
