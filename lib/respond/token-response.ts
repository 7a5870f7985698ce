import type { Request, Response } from 'express';
import type { IssuedTokens } from '../services/token-service';
import { preventCaching } from './headers';

/** RFC 6749 §5.1 successful token response fields. */
export function tokenResponseFields(issued: IssuedTokens): Record<string, string | number> {
  const fields: Record<string, string | number> = { access_token: issued.accessToken, token_type: 'bearer' };
  if (issued.expiresIn !== null) fields.expires_in = issued.expiresIn;
  if (issued.refreshToken !== null) fields.refresh_token = issued.refreshToken;
  fields.scope = issued.scopes.join(' ');
  return fields;
}

/** Whether the client's `Accept` prefers a form-encoded answer; no `Accept` (most clients) is JSON. */
function prefersForm(req: Request): boolean {
  const accept = req.headers.accept;
  if (accept === undefined || accept === '*/*' || accept === 'application/json') return false;
  return (
    req.accepts(['application/json', 'application/x-www-form-urlencoded']) ===
    'application/x-www-form-urlencoded'
  );
}

/**
 * RFC 9396 §7: the granted `authorization_details`, beside the RFC 6749 fields, when a declared
 * type applies to the token. An array, so only the JSON answer carries it (a form-encoded answer
 * gets it as JSON text).
 */
function withAuthorizationDetails(
  issued: IssuedTokens,
  fields: Record<string, string | number>,
): Record<string, unknown> {
  return issued.authorizationDetails.length === 0
    ? fields
    : { ...fields, authorization_details: issued.authorizationDetails };
}

/**
 * JSON by default; `application/x-www-form-urlencoded` when the client's `Accept` prefers it (as
 * GitHub answers). Never cached (RFC 6749 §5.1).
 *
 * Written straight to Node's response rather than through `res.json`/`res.send`: an answer that
 * is never cached needs no `ETag` (Express hashes every body it sends for one), and a string
 * body goes out with its headers in one write. Node sets `Content-Length`.
 */
export function sendTokenResponse(req: Request, res: Response, issued: IssuedTokens): void {
  preventCaching(res);
  res.setHeader('Pragma', 'no-cache');
  const fields = tokenResponseFields(issued);
  res.statusCode = 200;
  if (prefersForm(req)) {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) body.set(key, String(value));
    if (issued.authorizationDetails.length > 0)
      body.set('authorization_details', JSON.stringify(issued.authorizationDetails));
    res.setHeader('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8');
    res.end(body.toString());
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(withAuthorizationDetails(issued, fields)));
}
