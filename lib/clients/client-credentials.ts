import type { Request } from 'express';
import { InvalidClientError, InvalidRequestError } from '../errors/oauth-error';
import type { Parameters } from '../http/parse-body';

/** The client credentials a request presented, and how. */
export interface PresentedClient {
  clientId: string;
  clientSecret: string | null;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

function decodeFormComponent(value: string): string {
  // RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. Most client ids and
  // secrets contain neither `%` nor `+`, and go through as they are.
  if (!value.includes('%') && !value.includes('+')) return value;
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function fromBasicHeader(header: string): PresentedClient | null {
  const match = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) throw basicFailure('Malformed Basic credentials');
  try {
    return {
      clientId: decodeFormComponent(decoded.slice(0, separator)),
      clientSecret: decodeFormComponent(decoded.slice(separator + 1)),
      method: 'client_secret_basic',
    };
  } catch {
    throw basicFailure('Malformed Basic credentials');
  }
}

/** RFC 6749 §5.2: a failed Basic authentication answers 401 with a `WWW-Authenticate` challenge. */
export function basicFailure(description: string): InvalidClientError {
  return new InvalidClientError(description, { headers: { 'WWW-Authenticate': 'Basic realm="oauth"' } });
}

/**
 * Finds the client credentials of a token, revocation or introspection request: HTTP Basic or
 * `client_id`/`client_secret` in the body, never both (RFC 6749 §2.3: one method per request).
 */
export function presentedClient(req: Request, params: Parameters): PresentedClient {
  const header = req.headers.authorization;
  const basic = header === undefined ? null : fromBasicHeader(header);
  if (basic !== null) {
    if (params.client_secret !== undefined) {
      throw new InvalidRequestError('Use one client authentication method, not Basic and client_secret');
    }
    if (params.client_id !== undefined && params.client_id !== basic.clientId) {
      throw new InvalidRequestError('client_id does not match the Basic credentials');
    }
    return basic;
  }
  const clientId = params.client_id;
  if (clientId === undefined || clientId === '') {
    throw new InvalidClientError('Client authentication is required (HTTP Basic or client_id)');
  }
  const secret = params.client_secret;
  return secret === undefined
    ? { clientId, clientSecret: null, method: 'none' }
    : { clientId, clientSecret: secret, method: 'client_secret_post' };
}
