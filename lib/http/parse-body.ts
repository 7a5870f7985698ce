import type { Request } from 'express';
import { UnsupportedMediaTypeError } from '../errors/http-error';
import { InvalidRequestError, OAuthError } from '../errors/oauth-error';
import { message, type Translatable } from '../messages/catalog';

/** A request body whose every value is a single string, as OAuth parameters must be. */
export type Parameters = Record<string, string>;

type BodyKind = 'form' | 'json';

/** What the request's `Content-Type` says its body is, or `null` for anything else. */
export function bodyKind(req: Request): BodyKind | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'application/json' || (type?.startsWith('application/') && type.endsWith('+json')))
    return 'json';
  return null;
}

/** The raw body as UTF-8, refused with 413 beyond `limit` bytes. */
export function readRaw(req: Request, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new OAuthError('invalid_request', 413, message('problem.bodyLargerThan', { limit })));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new OAuthError('invalid_request', 413, message('problem.bodyLargerThan', { limit })));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new InvalidRequestError(message('problem.bodyUnreadable'))));
  });
}

/**
 * RFC 8707 §2: `resource` may be repeated, one value per resource. Its values are joined with a
 * space (which no URI contains, so `resourceValues()` splits them back without ambiguity), so
 * parameters stay one string each everywhere else.
 */
const REPEATABLE: ReadonlySet<string> = new Set(['resource']);

/**
 * The parameter names an error may name: the OAuth vocabulary (RFC 6749, 6750, 7009, 7636, 7662,
 * 8628, 8707, 9207). Any other name is the sender's text, and an error page must not show it
 * (an attacker's "parameter" reading "Your account is locked. Call …").
 */
const OAUTH_PARAMETERS: ReadonlySet<string> = new Set([
  'response_type',
  'client_id',
  'client_secret',
  'redirect_uri',
  'scope',
  'state',
  'code',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'grant_type',
  'refresh_token',
  'username',
  'password',
  'access_token',
  'token',
  'token_type_hint',
  'device_code',
  'user_code',
  'resource',
  'prompt',
  'nonce',
  'decision',
  'csrf_token',
  'assertion',
  'iss',
  'error',
  'error_description',
  'error_uri',
  'response_mode',
  'login_hint',
  'audience',
]);

/** "Parameter "scope" is repeated" for an OAuth name; for any other, a message that does not name it. */
function repeatedParameter(name: string): Translatable {
  return OAUTH_PARAMETERS.has(name)
    ? message('problem.repeatedParameter', { name })
    : message('problem.repeatedOtherParameter');
}

/** "Parameter "scope" must be a single string" for an OAuth name; for any other, without its name. */
function parameterNotString(name: string): Translatable {
  return OAUTH_PARAMETERS.has(name)
    ? message('problem.parameterNotString', { name })
    : message('problem.otherParameterNotString');
}

function fromForm(raw: string): Parameters {
  const params: Parameters = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw)) {
    const earlier = params[key];
    if (earlier !== undefined && REPEATABLE.has(key)) {
      params[key] = `${earlier} ${value}`;
      continue;
    }
    // RFC 6749 §3.1: request and response parameters MUST NOT be included more than once.
    if (key in params) throw new InvalidRequestError(repeatedParameter(key));
    params[key] = value;
  }
  return params;
}

/** A repeatable parameter in a JSON body (or a host's parsed form) may be an array of strings. */
function repeatedValue(key: string, value: unknown): string | null {
  if (!REPEATABLE.has(key) || !Array.isArray(value) || value.length === 0) return null;
  return value.every((item) => typeof item === 'string') ? value.join(' ') : null;
}

/** Narrows an already-parsed body (the host's own body parser, or JSON) to string parameters. */
export function toParameters(body: unknown): Parameters {
  if (body === undefined || body === null) return Object.create(null);
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError(message('problem.bodyNotObject'));
  }
  const params: Parameters = Object.create(null);
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const repeated = repeatedValue(key, value);
    if (repeated !== null) {
      params[key] = repeated;
      continue;
    }
    if (typeof value !== 'string') {
      throw new InvalidRequestError(parameterNotString(key));
    }
    params[key] = value;
  }
  return params;
}

function parseRaw(raw: string, kind: BodyKind): Parameters {
  if (kind === 'form') return fromForm(raw);
  if (raw.trim() === '') return Object.create(null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidRequestError(message('problem.bodyNotJson'));
  }
  return toParameters(parsed);
}

/** Whether a body parser already consumed this request's stream. */
export function alreadyParsed(req: Request): boolean {
  return Reflect.get(req, '_body') === true || req.readableEnded;
}

/**
 * Reads the body of a POST as OAuth parameters, accepting `application/x-www-form-urlencoded`
 * and `application/json`. Works whether or not the host installed `express.json()` /
 * `express.urlencoded()`: a stream they consumed is taken from `req.body`, otherwise we read it
 * with our own size limit. Leaves the result on `req.body` for later middleware.
 */
export async function readParameters(req: Request, limit: number): Promise<Parameters> {
  if (alreadyParsed(req)) return toParameters(req.body);
  const kind = bodyKind(req);
  const contentLength = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (contentLength !== undefined && contentLength !== '0');
  if (kind === null) {
    if (!hasBody) return Object.create(null);
    throw new InvalidRequestError(message('problem.bodyType'));
  }
  const params = parseRaw(await readRaw(req, limit), kind);
  req.body = params;
  Reflect.set(req, '_body', true);
  return params;
}

/**
 * The query string as OAuth parameters, parsed from the raw URL so the host's query parser
 * settings (Express 4's `qs` objects, Express 5's arrays) cannot change what we see.
 */
export function queryParameters(req: Request): Parameters {
  const url = req.originalUrl ?? req.url;
  const question = url.indexOf('?');
  return question < 0 ? Object.create(null) : fromForm(url.slice(question + 1));
}

/**
 * Leaves a form body we read on `req.body` the way `express.urlencoded({ extended: false })`
 * would (repeated keys become arrays), and marks it read, so the host's later middleware and
 * route still see the fields.
 */
export function leaveFormOnRequest(
  req: Request,
  entries: readonly [string, string][],
): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of entries) {
    const existing = body[key];
    body[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  req.body = body;
  Reflect.set(req, '_body', true);
  return body;
}

/**
 * The form body's `access_token` for the bearer guard (RFC 6750 §2.2). Uses the host's parsed body
 * when there is one; otherwise reads the body and leaves it on `req.body` the way
 * `express.urlencoded({ extended: false })` would (repeated keys become arrays), so the host's
 * route still sees its fields.
 */
export async function formAccessToken(req: Request, limit: number): Promise<string | undefined> {
  if (alreadyParsed(req)) {
    const value: unknown =
      typeof req.body === 'object' && req.body !== null ? Reflect.get(req.body, 'access_token') : undefined;
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new InvalidRequestError('access_token must be a single string');
    return value;
  }
  const body = leaveFormOnRequest(req, [...new URLSearchParams(await readRaw(req, limit))]);
  const token = body.access_token;
  if (Array.isArray(token)) throw new InvalidRequestError('access_token must be a single string');
  return token;
}

/**
 * A JSON object body for the settings API's writes, which accept `application/json` only (415
 * otherwise): with `SameSite=Lax` cookies this keeps cross-site HTML forms out, since a form
 * cannot send JSON.
 */
export async function readJsonObject(req: Request, limit: number): Promise<Record<string, unknown>> {
  if (bodyKind(req) !== 'json') {
    throw new UnsupportedMediaTypeError(message('problem.jsonOnly'));
  }
  let parsed: unknown = req.body;
  if (!alreadyParsed(req)) {
    const raw = await readRaw(req, limit);
    try {
      parsed = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new InvalidRequestError(message('problem.bodyNotJson'));
    }
    req.body = parsed;
    Reflect.set(req, '_body', true);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError(message('problem.bodyNotJsonObject'));
  }
  return parsed as Record<string, unknown>;
}
