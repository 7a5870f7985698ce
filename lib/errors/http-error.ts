import { inEnglish, message, type Translatable } from '../messages/catalog';

/** An error's description: plain text, or a catalog message that pages show in the reader's language. */
export type Description = string | Translatable;

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
  /**
   * The description as a catalog message, which pages show in the reader's language; `null` for
   * a plain description (shown as it is). `description` is always its English text: JSON answers
   * and logs carry that.
   */
  readonly translatable: Translatable | null;

  constructor(code: string, status: number, description: Description, headers: Record<string, string> = {}) {
    const text = typeof description === 'string' ? description : inEnglish(description);
    super(text);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.description = text;
    this.headers = headers;
    this.translatable = typeof description === 'string' ? null : description;
  }

  /** The `{ error, error_description }` body of a JSON answer (RFC 6749 §5.2's shape). */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** 404 for resources that do not exist or belong to someone else (the settings pages and API). */
export class NotFoundError extends HttpError {
  constructor(description: Description = message('problem.notFound')) {
    super('not_found', 404, description);
  }
}

/**
 * 403 for a change, in the settings, to an application the host manages: one from configuration,
 * created by host code or first-party (any `trust` but `user`). Only host code changes those.
 */
export class ManagedApplicationError extends HttpError {
  constructor(description: Description = message('problem.managedApplication')) {
    super('forbidden', 403, description);
  }
}

/** 415 for a body of the wrong type: JSON-only writes, form-only pages. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(description: Description = message('problem.jsonOnly')) {
    super('invalid_request', 415, description);
  }
}

/** 401 for the settings JSON API when nobody is logged in (pages redirect to the login instead). */
export class LoginRequiredError extends HttpError {
  constructor(description: Description = message('problem.loginRequired')) {
    super('login_required', 401, description);
  }
}

/**
 * 403 for a form post whose CSRF token does not match this browser and user. Never redirected:
 * a forged decision must not reach the client in either direction.
 */
export class ForgedFormError extends HttpError {
  constructor(description: Description = message('problem.forgedForm')) {
    super('invalid_request', 403, description);
  }
}

/** 400 for a device user code that is unknown, used or expired (RFC 8628 §3.3). */
export class UnknownUserCodeError extends HttpError {
  constructor(description: Description = message('problem.unknownUserCode')) {
    super('invalid_request', 400, description);
  }
}

/** 429 for a user guessing device user codes (RFC 8628 §5.1). */
export class TooManyAttemptsError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super('slow_down', 429, message('problem.tooManyUserCodes'), {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/**
 * 429 for a caller over a rate limit (RFC 6585 §4), with `Retry-After` in seconds. The body keeps
 * the RFC 6749 §5.2 shape with the code `too_many_requests` (no OAuth RFC defines one).
 */
export class TooManyRequestsError extends HttpError {
  constructor(retryAfterSeconds: number, description: Description = message('problem.tooManyRequests')) {
    super('too_many_requests', 429, description, { 'Retry-After': String(Math.max(1, retryAfterSeconds)) });
  }
}

/**
 * 403 for a user at a cap on what they may keep (applications, personal tokens): waiting does not
 * help, deleting one does, so it carries no `Retry-After`.
 */
export class LimitExceededError extends HttpError {
  constructor(description: Description) {
    super('limit_exceeded', 403, description);
  }
}

/** 403 for a signed-in user who is not an administrator (the admin router's `isAdmin` said no). */
export class AdminRequiredError extends HttpError {
  constructor() {
    super('forbidden', 403, message('problem.adminRequired'));
  }
}
