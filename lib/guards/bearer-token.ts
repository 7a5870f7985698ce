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

/** A presented bearer token and where it was: the query and body methods are the less safe ones. */
export interface PresentedBearer {
  token: string;
  source: 'header' | 'query' | 'body';
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
): PresentedBearer | null | Promise<PresentedBearer | null> {
  const found: PresentedBearer[] = [];
  const header = req.headers.authorization;
  if (header !== undefined && /^bearer(\s|$)/i.test(header)) {
    const match = BEARER.exec(header);
    if (match?.[1] === undefined) throw new InvalidRequestError('Malformed Authorization header');
    found.push({ token: match[1], source: 'header' });
  }
  // Only the query string proper: `/report.pdf&access_token=…` (no `?`) carries no query.
  const question = req.url.indexOf('?');
  if (options.allowQueryAccessToken && question >= 0 && req.url.includes('access_token=', question)) {
    const tokens = new URLSearchParams(req.url.slice(question + 1)).getAll('access_token');
    if (tokens.length > 1) throw new InvalidRequestError('access_token must be sent once');
    if (tokens[0] !== undefined) found.push({ token: tokens[0], source: 'query' });
  }
  // Only a form POST needs the body, and only then does extraction wait for I/O.
  if (options.allowBodyAccessToken && isFormPost(req)) {
    return formAccessToken(req, options.bodyLimit).then((token) =>
      single(token === undefined ? found : [...found, { token, source: 'body' }]),
    );
  }
  return single(found);
}

function single(found: readonly PresentedBearer[]): PresentedBearer | null {
  if (found.length > 1)
    throw new InvalidRequestError('The access token was sent by more than one method (RFC 6750 §2)');
  return found[0] ?? null;
}
