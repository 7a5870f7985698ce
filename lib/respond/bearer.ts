import type { Response } from 'express';
import type { HttpError } from '../errors/http-error';
import { InsufficientScopeError, MissingTokenError } from '../errors/oauth-error';
import { sendJsonError } from './json';

/**
 * RFC 6750 §3: the values of `realm`, `scope`, `error` and `error_description` "MUST NOT include
 * characters outside the set %x20-21 / %x23-5B / %x5D-7E" — no quote, no backslash, nothing
 * outside printable ASCII. Anything else is dropped, so the header is always well-formed.
 */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
}

/** What a guard bound to a declared resource adds to its challenges (RFC 9728 §5.1). */
export interface ChallengedResource {
  /** The resource's protected-resource metadata URL: `resource_metadata`. */
  readonly metadataUrl: string;
  /** Its scopes, which a 401 asks for as `scope` (the client then knows what to request). */
  readonly scopes: readonly string[];
}

/**
 * The one builder of `WWW-Authenticate: Bearer` challenges (RFC 6750 §3). With no token at all
 * (`MissingTokenError`) the challenge carries no error code (§3.1); `realm` is left out only when
 * the realm is unknown (a standalone guard that no provider ran before). A guard of a declared
 * resource adds RFC 9728 §5.1 `resource_metadata` to every challenge, and to a 401 the
 * resource's scopes as `scope`; a 403 `insufficient_scope` names every scope the route accepts.
 */
export function bearerChallenge(
  realm: string | null,
  error: HttpError,
  resource: ChallengedResource | null = null,
): string {
  const parts = realm === null ? [] : [`realm=${quoted(realm)}`];
  if (!(error instanceof MissingTokenError)) {
    parts.push(`error=${quoted(error.code)}`, `error_description=${quoted(error.description)}`);
  }
  if (error instanceof InsufficientScopeError && error.requiredScopes.length > 0) {
    parts.push(`scope=${quoted(error.requiredScopes.join(' '))}`);
  } else if (resource !== null && error.status === 401 && resource.scopes.length > 0) {
    parts.push(`scope=${quoted(resource.scopes.join(' '))}`);
  }
  if (resource !== null) parts.push(`resource_metadata=${quoted(resource.metadataUrl)}`);
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`;
}

/** A protected resource's error answer: the challenge, and a JSON body with the same error. */
export function sendBearerError(
  res: Response,
  error: HttpError,
  realm: string | null,
  resource: ChallengedResource | null = null,
): void {
  res.set('WWW-Authenticate', bearerChallenge(realm, error, resource));
  sendJsonError(res, error);
}
