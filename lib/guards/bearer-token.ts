import type { Request } from 'express';
import { InvalidRequestError } from '../errors/oauth-error';
import { formAccessToken } from '../http/parse-body';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function isFormPost(req: Request): boolean {
  return (
    req.method !== 'GET' &&
    req.method !== 'HEAD' &&
    (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
  );
}

/** Where a guard looks for the token, and how much of a form body it reads. */
export interface TokenSources {
  allowQueryAccessToken: boolean;
  allowBodyAccessToken: boolean;
  bodyLimit: number;
}

/**
 * The bearer token of a request (RFC 6750 §2): the `Authorization` header, the `access_token`
 * query parameter (if enabled) or a form-body `access_token` (if enabled; §2.2 allows only
 * form-encoded non-GET bodies). `null` if none; `invalid_request` if more than one method is used.
 */
export function extractBearerToken(
  req: Request,
  options: TokenSources,
): string | null | Promise<string | null> {
  const found: string[] = [];
  const header = req.headers.authorization;
  if (header !== undefined && /^bearer(\s|$)/i.test(header)) {
    const match = BEARER.exec(header);
    if (match?.[1] === undefined) throw new InvalidRequestError('Malformed Authorization header');
    found.push(match[1]);
  }
  if (options.allowQueryAccessToken && req.url.includes('access_token=')) {
    const tokens = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1)).getAll('access_token');
    if (tokens.length > 1) throw new InvalidRequestError('access_token must be sent once');
    if (tokens[0] !== undefined) found.push(tokens[0]);
  }
  // Only a form POST needs the body, and only then does extraction wait for I/O.
  if (options.allowBodyAccessToken && isFormPost(req)) {
    return formAccessToken(req, options.bodyLimit).then((token) =>
      single(token === undefined ? found : [...found, token]),
    );
  }
  return single(found);
}

function single(found: readonly string[]): string | null {
  if (found.length > 1)
    throw new InvalidRequestError('The access token was sent by more than one method (RFC 6750 §2)');
  return found[0] ?? null;
}
