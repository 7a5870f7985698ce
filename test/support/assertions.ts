/**
 * The shapes the RFCs give error answers, as assertions (`expect…`) and as checks that return
 * what is wrong (`…Problem`, for property-based and load tests that collect problems):
 * RFC 6749 §5.2 JSON errors, RFC 6750 §3 bearer challenges, and the authorization endpoint's
 * HTML error page (RFC 6749 §4.1.2.1: never a redirect to an unverified URI).
 */
import { REDIRECT_URI } from './fixtures';

/** What every answer type the suites hold has in common (the kit's `Answer`, supertest's `Response`). */
export interface AnswerLike {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/** The realm of the test host's bearer challenges (its issuer's host). */
export const BEARER_REALM = 'Bearer realm="issuer.example"';

function errorOf(answer: AnswerLike): unknown {
  try {
    const body: unknown = JSON.parse(answer.text);
    return typeof body === 'object' && body !== null ? Reflect.get(body, 'error') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 6749 §5.1: 200 with exactly a bearer access token, its 7200-second lifetime, a refresh
 * token and `scope`, never cached.
 */
export function expectTokenResponse(answer: AnswerLike, scope: string): void {
  expect(answer.status).toBe(200);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(JSON.parse(answer.text)).toEqual({
    access_token: expect.stringMatching(/^eoa_[0-9A-Za-z]{38}$/),
    token_type: 'bearer',
    expires_in: 7200,
    refresh_token: expect.stringMatching(/^eor_[0-9A-Za-z]{38}$/),
    scope,
  });
}

/**
 * The token response form-encoded, as GitHub answers a client whose `Accept` prefers it: 200,
 * never cached, the bearer token with its 7200-second lifetime and `scope`; the fields.
 */
export function expectFormTokenResponse(answer: AnswerLike, scope: string): URLSearchParams {
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  expect(answer.headers['cache-control']).toBe('no-store');
  const fields = new URLSearchParams(answer.text);
  expect(fields.get('access_token')).toMatch(/^eoa_/);
  expect(fields.get('token_type')).toBe('bearer');
  expect(fields.get('scope')).toBe(scope);
  expect(fields.get('expires_in')).toBe('7200');
  return fields;
}

/**
 * The test host's `GET /api/me` answered a token (`t.me(token)`): 200, acting for `user` through
 * `clientId` with exactly `scopes`.
 */
export function expectActsFor(
  me: AnswerLike,
  expected: { user: string; clientId: string; scopes: readonly string[] },
): void {
  expect(me.status).toBe(200);
  expect(JSON.parse(me.text)).toMatchObject({
    user: { id: expected.user },
    client_id: expected.clientId,
    scopes: expected.scopes,
  });
}

/** RFC 6749 §5.2: `status`, a JSON error object with `code` and a description, never cached. */
export function expectOAuthError(answer: AnswerLike, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(answer.text);
  expect(body).toMatchObject({ error: code, error_description: expect.any(String) });
  expect(answer.headers['cache-control']).toBe('no-store');
}

/**
 * A 4xx (`status` if given) whose body is an RFC 6749 §5.2 error object with a description, and
 * no internals.
 */
export function expectRfcError(answer: AnswerLike, status?: number): void {
  expectNoLeak(answer);
  if (status !== undefined) expect(answer.status).toBe(status);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(rfcErrorProblem(answer)).toBeNull();
  expect(JSON.parse(answer.text)).toMatchObject({ error_description: expect.any(String) });
}

/** RFC 6750 §3.1: 401 `invalid_token`, in the challenge and in the body. */
export function expectInvalidToken(answer: AnswerLike): void {
  expect(answer.status).toBe(401);
  const challenge = String(answer.headers['www-authenticate']);
  expect(challenge.startsWith(BEARER_REALM)).toBe(true);
  expect(challenge).toContain('error="invalid_token"');
  expect(errorOf(answer)).toBe('invalid_token');
}

/**
 * RFC 6749 §4.1.2.1: the authorization endpoint's 400 HTML page naming `code`, with no
 * `Location` and no trace of the redirect URI (the user is never sent to an unverified one).
 */
export function expectErrorPage(answer: AnswerLike, code: string): void {
  expect(answer.status).toBe(400);
  expect(answer.headers.location).toBeUndefined();
  expect(answer.headers['content-type']).toMatch(/^text\/html/);
  expect(answer.text).toContain(code);
  expect(answer.text).not.toContain(REDIRECT_URI);
}

/**
 * RFC 9700 §4.11.2: an unverified (`user` or `dynamic`) client's error before the user decided is
 * not redirected: a 400 page naming the error and the host, with a link back that carries
 * `error`, `state` and `iss`. Returns the link's parameters.
 */
export function expectReturnPage(
  answer: AnswerLike,
  code: string,
  expected: { host: string; state?: string; issuer: string },
): URLSearchParams {
  expect(answer.status).toBe(400);
  expect(answer.headers.location).toBeUndefined();
  expect(answer.headers['content-type']).toMatch(/^text\/html/);
  expect(answer.text).toContain(`<code>${code}</code>`);
  expect(answer.text).toContain(`Return to ${expected.host}`);
  const href = /<a class="return" href="([^"]+)"/.exec(answer.text)?.[1];
  expect(href).toBeDefined();
  const link = new URL(String(href).replace(/&amp;/g, '&'));
  expect(link.host).toBe(expected.host);
  expect(link.searchParams.get('error')).toBe(code);
  expect(link.searchParams.get('iss')).toBe(expected.issuer);
  if (expected.state !== undefined) expect(link.searchParams.get('state')).toBe(expected.state);
  return link.searchParams;
}

/** No 500, no stack frame, no source path in the body. */
export function expectNoLeak(answer: AnswerLike): void {
  expect(answer.status).not.toBe(500);
  expect(answer.text).not.toMatch(/\n\s+at /);
  expect(answer.text).not.toMatch(/\.ts:\d+|node_modules|TypeError|SyntaxError/);
}

/** A stack frame, a source path or a module path: internals no answer may reveal. */
const INTERNALS =
  /\n\s+at\s|\bat\s+(?:async\s+)?[\w$.<>]+\s+\((?:\/|node:|file:)[^)]*:\d+:\d+\)|node_modules|\/work\/|[\w-]+\.(?:ts|js):\d+:\d+/;

/** Why a body gives away internals, or `null`. */
export function internalsProblem(text: string): string | null {
  const match = INTERNALS.exec(text);
  return match === null ? null : `the body reveals internals: ${JSON.stringify(match[0])}`;
}

/**
 * Why an error answer is not an RFC 6749 §5.2 / RFC 6750 §3 error object, or `null` if it is:
 * JSON, an object with a string `error` of lower-case letters and underscores and, if present, a
 * string `error_description` (and `error_uri`).
 */
export function rfcErrorProblem(answer: AnswerLike): string | null {
  const type = answer.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return `content-type ${type || '(none)'}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return 'the body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body is not a JSON object';
  const error: unknown = Reflect.get(body, 'error');
  if (typeof error !== 'string' || !/^[a-z_]+$/.test(error)) return `error is ${JSON.stringify(error)}`;
  for (const name of ['error_description', 'error_uri']) {
    const value: unknown = Reflect.get(body, name);
    if (value !== undefined && typeof value !== 'string') return `${name} is not a string`;
  }
  return internalsProblem(answer.text);
}

/** Why an HTML error page of the authorization endpoint is wrong, or `null`. */
export function htmlErrorProblem(answer: AnswerLike): string | null {
  const type = answer.headers['content-type'] ?? '';
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}, not 4xx`;
  if (!type.startsWith('text/html')) return `content-type ${type || '(none)'}, not text/html`;
  return internalsProblem(answer.text);
}
