import type { ErrorRequestHandler, Response } from 'express';
import { renderErrorPage } from '../views/error-page';
import { InvalidRequestError, OAuthError, ServerError } from './oauth-error';

/** Where an authorization request may send its errors, once its client and redirect URI are valid. */
export interface RedirectTarget {
  redirectUri: string;
  state: string | undefined;
  issuer: string;
  /** `query` for the code flow, `fragment` for the implicit flow. */
  responseMode: 'query' | 'fragment';
}

/** `res.locals` keys the authorization endpoint sets so errors are answered its way. */
export const ERROR_STYLE = {
  html: 'oauthHtmlErrors',
  redirect: 'oauthRedirectTarget',
} as const;

function bodyParserError(error: object): OAuthError | null {
  const type: unknown = Reflect.get(error, 'type');
  if (type === 'entity.too.large')
    return new OAuthError('invalid_request', 413, 'The request body is too large');
  if (
    typeof type === 'string' &&
    (type.startsWith('entity.') || type.startsWith('charset.') || type.startsWith('encoding.'))
  ) {
    return new InvalidRequestError('The request body could not be parsed');
  }
  // Express's router raises a URIError with status 400 for an undecodable path parameter (`/%ZZ`).
  if (error instanceof URIError && Reflect.get(error, 'status') === 400) {
    return new InvalidRequestError('The request URL is malformed');
  }
  return null;
}

/** Any thrown value as an `OAuthError`; unknown failures become a detail-free `server_error`. */
export function toOAuthError(error: unknown, onUnexpected: (error: unknown) => void): OAuthError {
  if (error instanceof OAuthError) return error;
  if (typeof error === 'object' && error !== null) {
    const parsed = bodyParserError(error);
    if (parsed) return parsed;
  }
  onUnexpected(error);
  return new ServerError();
}

/**
 * The longest redirect the authorization endpoint sends. Browsers, proxies (nginx buffers 4–8 KiB
 * of response headers) and HTTP clients (Node's: 16 KiB for all headers) refuse longer `Location`
 * headers, so a request that would need one (a huge `state`) gets a 400 page instead.
 */
export const MAX_REDIRECT_LENGTH = 8192;

/** Appends OAuth response parameters to a redirect URI, keeping its own query (RFC 6749 §3.1.2). */
export function redirectWithParameters(
  target: RedirectTarget,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(target.redirectUri);
  const extra = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, state: target.state, iss: target.issuer })) {
    if (value !== undefined) extra.set(key, value);
  }
  if (target.responseMode === 'fragment') return `${url.href.split('#')[0]}#${extra.toString()}`;
  for (const [key, value] of extra) url.searchParams.set(key, value);
  return url.href;
}

/** RFC 6749 §5.2 JSON error answer, never cached. */
export function sendJsonError(res: Response, error: OAuthError): void {
  res.status(error.status).set(error.headers).set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  res.json(error.toJSON());
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * RFC 6750 §3 answer of a protected resource: a `WWW-Authenticate: Bearer` challenge with the
 * error code (omitted when no token was sent at all, §3.1) and a JSON body with the same error.
 */
export function sendBearerError(
  res: Response,
  error: OAuthError,
  realm: string,
  withErrorCode: boolean,
): void {
  const parts = [`realm=${quoted(realm)}`];
  if (withErrorCode) {
    parts.push(`error=${quoted(error.code)}`, `error_description=${quoted(error.description)}`);
    const scopes: unknown = Reflect.get(error, 'requiredScopes');
    if (Array.isArray(scopes)) parts.push(`scope=${quoted(scopes.join(' '))}`);
  }
  res.set('WWW-Authenticate', `Bearer ${parts.join(', ')}`);
  sendJsonError(res, error);
}

/**
 * The one error middleware of our routers. JSON by default; the authorization endpoint answers
 * with a redirect to the client (errors RFC 6749 §4.1.2.1 allows) or an HTML page (bad client or
 * redirect URI: never redirect to an unverified address).
 */
export function oauthErrorHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return function answerOAuthError(err: unknown, _req, res, next): void {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toOAuthError(err, onUnexpected);
    const target: unknown = res.locals[ERROR_STYLE.redirect];
    if (error.redirectable && target !== undefined) {
      const location = redirectWithParameters(target as RedirectTarget, {
        error: error.code,
        error_description: error.description,
      });
      // Too long to follow: the HTML page below shows the same error.
      if (location.length <= MAX_REDIRECT_LENGTH) {
        res.redirect(302, location);
        return;
      }
    }
    if (res.locals[ERROR_STYLE.html] === true) {
      // The error's own status: 400 for a bad client or redirect URI, 403 for a forged consent form.
      res.status(error.status).set(error.headers).set('Cache-Control', 'no-store');
      res.type('html').send(renderErrorPage(error));
      return;
    }
    sendJsonError(res, error);
  };
}
