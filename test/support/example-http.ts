/**
 * Drives the example provider (`examples/provider`) over real sockets with `fetch`, the way a
 * browser and a third-party client would: log in with the example's own form, register an
 * application through the JSON API, authorize with PKCE through the consent form, and call the
 * token endpoint and the guarded API. Every request has a time limit, so a hung server fails the
 * test instead of stalling it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { hiddenFields, type PkcePair, pkcePair } from './provider-harness';

/** Per request; longer than any answer a healthy or a failing provider should take. */
const REQUEST_TIMEOUT_MS = 15_000;
export const REDIRECT_URI = 'http://127.0.0.1/callback';

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port, then builds the app with its own URL (the example provider
 * needs its issuer before it can be created) and serves it.
 */
export async function serve(makeApp: (url: string) => Express): Promise<Listening> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  server.on('request', makeApp(url));
  return {
    server,
    url,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or `{}` when the body is not a JSON object. */
  body: Record<string, unknown>;
  /** Milliseconds from sending to the end of the body. */
  ms: number;
}

export interface RegisteredApp {
  id: string;
  clientId: string;
  /** `null` for public clients. */
  clientSecret: string | null;
}

export interface SendOptions {
  method?: string;
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  /** Send the session cookies of this user agent (default true). */
  cookies?: boolean;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** A string field of an answer, failing loudly otherwise. */
export function field(answer: Answer, name: string): string {
  const value = answer.body[name];
  if (typeof value !== 'string') {
    throw new Error(
      `expected a string "${name}" in the ${answer.status} answer: ${answer.text.slice(0, 300)}`,
    );
  }
  return value;
}

/** One user agent at one provider origin: keeps that origin's cookies. */
export class ExampleHttp {
  readonly #cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** One cookie this user agent holds for its origin. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Sets a cookie, as a browser would hold one for a host served by several processes. */
  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  /** The `Cookie` header this user agent sends. */
  cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async send(path: string, options: SendOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookies !== false && this.#cookies.size > 0) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const started = performance.now();
    const response = await fetch(new URL(path, this.baseUrl), {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && separator > 0) {
        this.#cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
      }
    }
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: parseJson(text),
      ms: performance.now() - started,
    };
  }

  /** Logs in with the example's form (`POST /login`); fails unless it redirects. */
  async login(username = 'alice', password = 'alice-pass'): Promise<void> {
    const answer = await this.send('/login', { form: { username, password } });
    if (answer.status !== 302) throw new Error(`login as ${username} failed: ${answer.status}`);
  }

  /** `POST /settings/api/applications` as the logged-in user. */
  async registerApp(options: { confidential?: boolean; name?: string } = {}): Promise<RegisteredApp> {
    const answer = await this.send('/settings/api/applications', {
      json: {
        name: options.name ?? 'Mongo test app',
        homepage_url: 'https://client.example',
        redirect_uris: [REDIRECT_URI],
        confidential: options.confidential ?? true,
      },
    });
    if (answer.status !== 201) throw new Error(`registration failed: ${answer.status} ${answer.text}`);
    const secret = answer.body.client_secret;
    return {
      id: field(answer, 'id'),
      clientId: field(answer, 'client_id'),
      clientSecret: typeof secret === 'string' ? secret : null,
    };
  }

  /**
   * `GET /oauth/authorize` with PKCE S256, then, if the consent page is shown, approves it with
   * its hidden fields (`csrf_token` among them). Returns the code and the PKCE verifier.
   */
  async authorize(
    app: RegisteredApp,
    scope = 'user repo',
    pkce: PkcePair = pkcePair(),
  ): Promise<{ code: string; verifier: string; consentShown: boolean }> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: REDIRECT_URI,
      scope,
      state: 'state-1',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const shown = await this.send(`/oauth/authorize?${query}`);
    let decided = shown;
    if (shown.status === 200) {
      const fields = hiddenFields(shown.text);
      if (!fields.csrf_token) throw new Error('the consent form has no csrf_token');
      decided = await this.send('/oauth/authorize', { form: { ...fields, decision: 'approve' } });
    }
    const location = decided.headers.get('location');
    const code = location === null ? null : new URL(location, this.baseUrl).searchParams.get('code');
    if (decided.status !== 302 || code === null) {
      throw new Error(`authorization failed: ${decided.status} ${location ?? decided.text.slice(0, 300)}`);
    }
    return { code, verifier: pkce.verifier, consentShown: shown.status === 200 };
  }

  /** Client authentication: HTTP Basic for a confidential client, `client_id` alone for a public one. */
  asClient(path: string, app: RegisteredApp, fields: Record<string, string>): Promise<Answer> {
    const headers: Record<string, string> = {};
    const form = { ...fields };
    if (app.clientSecret === null) form.client_id = app.clientId;
    else {
      const pair = `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    return this.send(path, { form, headers, cookies: false });
  }

  /** `POST /oauth/token` as the client. No cookies. */
  token(app: RegisteredApp, fields: Record<string, string>): Promise<Answer> {
    return this.asClient('/oauth/token', app, fields);
  }

  exchange(app: RegisteredApp, code: string, verifier: string): Promise<Answer> {
    return this.token(app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
  }

  refresh(app: RegisteredApp, refreshToken: string): Promise<Answer> {
    return this.token(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** `POST /oauth/revoke` (RFC 7009) as the client. */
  revoke(app: RegisteredApp, token: string): Promise<Answer> {
    return this.asClient('/oauth/revoke', app, { token });
  }

  /** `GET /api/user` with the token; no cookies. */
  apiUser(accessToken: string): Promise<Answer> {
    return this.send('/api/user', { headers: { authorization: `Bearer ${accessToken}` }, cookies: false });
  }

  /** Login, consent and exchange: a fresh access and refresh token. */
  async issueTokens(
    app: RegisteredApp,
    scope = 'user repo',
  ): Promise<{ code: string; accessToken: string; refreshToken: string }> {
    const { code, verifier } = await this.authorize(app, scope);
    const answer = await this.exchange(app, code, verifier);
    if (answer.status !== 200) throw new Error(`exchange failed: ${answer.status} ${answer.text}`);
    return { code, accessToken: field(answer, 'access_token'), refreshToken: field(answer, 'refresh_token') };
  }
}
