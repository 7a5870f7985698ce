import type { Response } from 'express';
import { HttpError } from '../errors/http-error';
import { InvalidRequestError, OAuthError, ServerError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import { preventCaching } from './headers';

/** The failures of body parsers (ours, or the host's `express.json()`) and of Express's router. */
function requestParsingError(error: object): HttpError | null {
  const type: unknown = Reflect.get(error, 'type');
  if (type === 'entity.too.large')
    return new OAuthError('invalid_request', 413, message('problem.bodyTooLarge'));
  if (
    typeof type === 'string' &&
    (type.startsWith('entity.') || type.startsWith('charset.') || type.startsWith('encoding.'))
  ) {
    return new InvalidRequestError(message('problem.bodyUnparsable'));
  }
  // Express's router raises a URIError with status 400 for an undecodable path parameter (`/%ZZ`).
  if (error instanceof URIError && Reflect.get(error, 'status') === 400) {
    return new InvalidRequestError(message('problem.urlMalformed'));
  }
  return null;
}

/**
 * Any thrown value as an `HttpError`: ours as they are, parser failures as 4xx, and everything
 * else, reported to `onUnexpected`, as a detail-free `server_error`.
 */
export function toHttpError(error: unknown, onUnexpected: (error: unknown) => void): HttpError {
  if (error instanceof HttpError) return error;
  if (typeof error === 'object' && error !== null) {
    const parsed = requestParsingError(error);
    if (parsed) return parsed;
  }
  onUnexpected(error);
  return new ServerError();
}

/** RFC 6749 §5.2 JSON error answer, never cached. */
export function sendJsonError(res: Response, error: HttpError): void {
  preventCaching(res);
  res.status(error.status).set(error.headers).set('Pragma', 'no-cache');
  res.json(error.toJSON());
}
