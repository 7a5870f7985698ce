/**
 * The one HTTP user agent of the suites: a browser, or a client's HTTP library. It keeps cookies
 * per origin (strictly: two local servers on different ports never share a session), sends forms,
 * JSON or raw bytes, never follows redirects unless asked (so every stop can be looked at), and
 * limits every request in time, so a hung server fails the test instead of stalling it.
 *
 * Two transports: an Express app in this process (supertest), or a server listening on a
 * loopback port (`fetch`). Both answer the same {@link Answer}. The test host's login is the
 * `x-test-user` header: an agent made for a user sends it with every request.
 */
import type { Express } from 'express';
import request from 'supertest';
import { USER_HEADER } from './fixtures';
import { scaled } from './time-scale';

/** What one request got back. */
export interface Answer {
  /** The requested URL (absolute). */
  url: string;
  status: number;
  /** Headers by lower-case name; repeated ones joined with `, ` (`Set-Cookie` lines: {@link setCookies}). */
  headers: Record<string, string | undefined>;
  setCookies: string[];
  text: string;
  /** The parsed JSON body, or `null` when the body is not JSON. */
  json: unknown;
  /** The JSON body when it is an object, else `{}`. */
  body: Record<string, unknown>;
  /** `Location`, resolved against the request URL; `null` if absent. */
  location: string | null;
  /** `performance.now()` when the request was sent and when its body had arrived. */
  sentAt: number;
  doneAt: number;
  /** `doneAt - sentAt`. */
  ms: number;
}

export interface SendOptions {
  method?: string;
  form?: Record<string, string> | URLSearchParams;
  json?: unknown;
  /** A raw body, sent as is (no content type is added). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Log in as this user for this request (the test host's header); `null`: not logged in. */
  user?: string | null;
  /** Send this agent's cookies (default true). */
  cookies?: boolean;
  timeoutMs?: number;
}

interface Outgoing {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
}

interface Incoming {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  text: string;
}

/** How many requests every agent sent, for the reports. */
export const requestCounter = { total: 0 };

/** Per request: far beyond what a healthy provider, or one answering 503, should take. */
const REQUEST_TIMEOUT_MS = 30_000;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function viaFetch(out: Outgoing): Promise<Incoming> {
  const response = await fetch(out.url, {
    method: out.method,
    headers: out.headers,
    body: out.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(out.timeoutMs),
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value;
  return {
    status: response.status,
    headers,
    setCookies: response.headers.getSetCookie(),
    text: await response.text(),
  };
}

const METHODS = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
  HEAD: 'head',
  OPTIONS: 'options',
} as const;

/**
 * The body as the string superagent sends unchanged (it would serialize a Buffer with a form or
 * JSON content type as an object). Bytes that are not UTF-8 need a listening server (`fetch`).
 */
function textOf(body: Buffer): string {
  const text = body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(body)) {
    throw new Error(
      'a body that is not UTF-8 needs an agent on a listening server (createTestHost({ listen: true }))',
    );
  }
  return text;
}

async function viaSupertest(app: Express, out: Outgoing): Promise<Incoming> {
  const method = METHODS[out.method.toUpperCase() as keyof typeof METHODS];
  if (method === undefined) throw new Error(`unsupported method ${out.method}`);
  let call = request(app)[method](`${out.url.pathname}${out.url.search}`).timeout(out.timeoutMs);
  for (const [name, value] of Object.entries(out.headers)) call = call.set(name, value);
  if (out.body !== undefined && out.headers['content-type'] === undefined) {
    // superagent would add a form content type of its own.
    throw new Error('a body without a content type needs an agent on a listening server');
  }
  const response = await (out.body === undefined ? call : call.send(textOf(out.body)));
  const headers: Record<string, string> = {};
  let setCookies: string[] = [];
  for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
    if (name === 'set-cookie') setCookies = Array.isArray(value) ? value.map(String) : [String(value)];
    else headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return { status: response.status, headers, setCookies, text: response.text ?? '' };
}

/** One user agent: its own cookies per origin and, on the test host, one logged-in user (or none). */
export class UserAgent {
  readonly #jars = new Map<string, Map<string, string>>();
  readonly #app: Express | null;
  /** The origin relative paths are resolved against. */
  readonly baseUrl: string;

  /**
   * @param target an Express app (driven in this process) or the URL of a listening server
   * @param user the test host's logged-in user for every request (`null`: nobody)
   */
  constructor(
    target: Express | string,
    readonly user: string | null = null,
  ) {
    this.#app = typeof target === 'string' ? null : target;
    this.baseUrl = typeof target === 'string' ? new URL(target).origin : 'http://in-process.test';
  }

  /** The same server, another user agent (fresh cookies). */
  another(user: string | null = this.user): UserAgent {
    return new UserAgent(this.#app ?? this.baseUrl, user);
  }

  /** One cookie this user agent holds for `origin` (default: its own). */
  cookie(name: string, origin = this.baseUrl): string | undefined {
    return this.#jars.get(origin)?.get(name);
  }

  /** Sets a cookie, as a browser would hold one for a host served by several processes. */
  setCookie(name: string, value: string, origin = this.baseUrl): void {
    const jar = this.#jars.get(origin) ?? new Map<string, string>();
    jar.set(name, value);
    this.#jars.set(origin, jar);
  }

  /** The `Cookie` header this user agent sends to `origin`, or `''`. */
  cookieHeader(origin = this.baseUrl): string {
    return [...(this.#jars.get(origin) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** One request; redirects are not followed. `target` is a path or an absolute URL. */
  async send(target: string, options: SendOptions = {}): Promise<Answer> {
    const url = new URL(target, this.baseUrl);
    const headers: Record<string, string> = {};
    const user = options.user === undefined ? this.user : options.user;
    if (user !== null) headers[USER_HEADER] = user;
    const cookie = this.cookieHeader(url.origin);
    if (options.cookies !== false && cookie !== '') headers.cookie = cookie;
    let body: string | Uint8Array | undefined = options.body;
    if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    Object.assign(headers, options.headers);
    const out: Outgoing = {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      url,
      headers,
      body: body === undefined ? undefined : Buffer.from(body),
      timeoutMs: options.timeoutMs ?? scaled(REQUEST_TIMEOUT_MS),
    };
    requestCounter.total += 1;
    const sentAt = performance.now();
    const inProcess = this.#app !== null && url.origin === this.baseUrl;
    const incoming =
      this.#app !== null && inProcess ? await viaSupertest(this.#app, out) : await viaFetch(out);
    const doneAt = performance.now();
    this.#store(url.origin, incoming.setCookies);
    const json = parseJson(incoming.text);
    const location = incoming.headers.location;
    return {
      url: url.href,
      status: incoming.status,
      headers: incoming.headers,
      setCookies: incoming.setCookies,
      text: incoming.text,
      json,
      body:
        typeof json === 'object' && json !== null && !Array.isArray(json)
          ? (json as Record<string, unknown>)
          : {},
      location: location === undefined ? null : new URL(location, url).href,
      sentAt,
      doneAt,
      ms: doneAt - sentAt,
    };
  }

  /** Sends, then follows redirects with GETs until an answer that is not one; returns every stop. */
  async follow(target: string, options: SendOptions = {}, maxHops = 10): Promise<Answer[]> {
    const hops = [await this.send(target, options)];
    for (let last = hops[0]; last?.location && hops.length < maxHops; last = hops[hops.length - 1]) {
      hops.push(await this.send(last.location, { user: options.user, headers: options.headers }));
    }
    return hops;
  }

  #store(origin: string, lines: readonly string[]): void {
    for (const line of lines) {
      const [pair] = line.split(';');
      const separator = pair?.indexOf('=') ?? -1;
      if (pair === undefined || separator <= 0) continue;
      this.setCookie(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim(), origin);
    }
  }
}

/** A string field of an answer's JSON body; fails loudly otherwise. */
export function field(answer: Answer, name: string): string {
  const value = answer.body[name];
  if (typeof value !== 'string') {
    throw new Error(
      `expected a string "${name}" in the ${answer.status} answer: ${answer.text.slice(0, 300)}`,
    );
  }
  return value;
}

/** A string field of an answer's JSON body, or `undefined`. */
export function stringField(answer: Answer, name: string): string | undefined {
  const value = answer.body[name];
  return typeof value === 'string' ? value : undefined;
}

/** A one-line description of an answer, for failure messages. */
export function summarize(answer: Answer): string {
  return `${answer.status} ${answer.headers['content-type'] ?? ''} ${answer.text.slice(0, 160)}`;
}
