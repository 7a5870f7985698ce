/**
 * What an OAuth client computes for itself: PKCE pairs (RFC 7636 §4.1–4.2), HTTP Basic client
 * credentials (RFC 6749 §2.3.1), bearer headers (RFC 6750 §2.1), authorization request queries,
 * and the parameters of the redirect an authorization ends with.
 */
import { createHash, randomBytes } from 'node:crypto';
import { REDIRECT_URI } from './fixtures';

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** An RFC 7636 verifier (64 characters) and its S256 challenge. */
export function pkcePair(): PkcePair {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `Authorization: Basic …`: id and secret form-urlencoded, joined by `:`, then base64 (RFC 6749 §2.3.1). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** `Authorization: Bearer <token>` for a token read from an answer; fails unless it is a string. */
export function bearer(token: unknown): string {
  if (typeof token !== 'string') throw new Error(`not a token: ${String(token)}`);
  return `Bearer ${token}`;
}

/** A registered client as the tests hold it. */
export interface ClientCredentials {
  clientId: string;
  /** `null` for public clients. */
  clientSecret: string | null;
}

/** What a test changes in the authorization request it builds. */
export interface AuthorizeRequest {
  client: ClientCredentials;
  scope?: string;
  /** Default `state-123`. */
  state?: string;
  /** Default {@link REDIRECT_URI}; `null` leaves the parameter out. */
  redirectUri?: string | null;
  /** Default: a fresh pair for public clients, none for confidential ones; `null`: none. */
  pkce?: PkcePair | null;
  /** Extra (or replaced) query parameters. */
  extra?: Record<string, string>;
}

/** The PKCE pair a request uses: the given one, or a fresh one for a public client. */
export function pkceFor(request: AuthorizeRequest): PkcePair | null {
  if (request.pkce !== undefined) return request.pkce;
  return request.client.clientSecret === null ? pkcePair() : null;
}

/** The query of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export function authorizeQuery(request: AuthorizeRequest, pkce = pkceFor(request)): Record<string, string> {
  const query: Record<string, string> = { response_type: 'code', client_id: request.client.clientId };
  const redirectUri = request.redirectUri === undefined ? REDIRECT_URI : request.redirectUri;
  if (redirectUri !== null) query.redirect_uri = redirectUri;
  if (request.scope !== undefined) query.scope = request.scope;
  query.state = request.state ?? 'state-123';
  if (pkce !== null) {
    query.code_challenge = pkce.challenge;
    query.code_challenge_method = 'S256';
  }
  return { ...query, ...request.extra };
}

/** `path?query`, for a query given as a record. */
export function withQuery(path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search === '' ? path : `${path}?${search}`;
}

function locationOf(answer: { status: number; headers: Record<string, string | undefined> }): URL {
  const location = answer.headers.location;
  if (location === undefined) throw new Error(`expected a redirect, got ${answer.status}`);
  return new URL(location, 'http://host.invalid');
}

/** The query parameters of a redirect's `Location` (the code flow's response, RFC 6749 §4.1.2). */
export function locationParams(answer: {
  status: number;
  headers: Record<string, string | undefined>;
}): URLSearchParams {
  return locationOf(answer).searchParams;
}

/** The fragment parameters of a redirect's `Location` (the implicit grant, RFC 6749 §4.2.2). */
export function fragmentParams(answer: {
  status: number;
  headers: Record<string, string | undefined>;
}): URLSearchParams {
  const hash = locationOf(answer).hash;
  return new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
}
