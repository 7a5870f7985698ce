/**
 * Failures that are not OAuth protocol errors: a missing page, a form from elsewhere, a wrong
 * content type, a visitor who is not logged in, too many guesses. They answer with the same
 * `{ error, error_description }` shape as protocol errors, but they are not `OAuthError`s: no
 * RFC defines them, and none of them is ever sent to a client's redirect URI.
 */
export class HttpError extends Error {
  /** A short machine-readable code, e.g. `not_found`; protocol errors use their RFC code. */
  readonly code: string;
  readonly status: number;
  /** Shown to people and clients; never carries internal details. */
  readonly description: string;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: string, status: number, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.description = description;
    this.headers = headers;
  }

  /** The `{ error, error_description }` body of a JSON answer (RFC 6749 §5.2's shape). */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** 404 for resources that do not exist or belong to someone else (the settings pages and API). */
export class NotFoundError extends HttpError {
  constructor(description = 'Not found') {
    super('not_found', 404, description);
  }
}

/**
 * 403 for a change, in the settings, to an application the host manages: one from configuration,
 * created by host code or first-party (any `trust` but `user`). Only host code changes those.
 */
export class ManagedApplicationError extends HttpError {
  constructor(description = 'This application is managed by the site itself; it cannot be changed here') {
    super('forbidden', 403, description);
  }
}

/** 415 for a body of the wrong type: JSON-only writes, form-only pages. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(description: string) {
    super('invalid_request', 415, description);
  }
}

/** 401 for the settings JSON API when nobody is logged in (pages redirect to the login instead). */
export class LoginRequiredError extends HttpError {
  constructor(description = 'Log in first') {
    super('login_required', 401, description);
  }
}

/**
 * 403 for a form post whose CSRF token does not match this browser and user. Never redirected:
 * a forged decision must not reach the client in either direction.
 */
export class ForgedFormError extends HttpError {
  constructor(
    description = 'The form has expired or was not sent from this site. Go back, reload the page and try again.',
  ) {
    super('invalid_request', 403, description);
  }
}

/** 400 for a device user code that is unknown, used or expired (RFC 8628 §3.3). */
export class UnknownUserCodeError extends HttpError {
  constructor(description = 'That code is not valid or has expired; check your device') {
    super('invalid_request', 400, description);
  }
}

/** 429 for a user guessing device user codes (RFC 8628 §5.1). */
export class TooManyAttemptsError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super('slow_down', 429, 'Too many wrong codes; wait a minute and try again', {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}
