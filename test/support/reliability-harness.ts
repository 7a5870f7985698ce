/**
 * Helpers for the reliability tests (`test/reliability/`): the two adapters behind one factory
 * list, a host app that mounts `createProvider(...)` and listens on a loopback port, a small
 * `fetch` user agent with a per-request time limit, the authorization-code flow driven the way a
 * browser and a client would, and checks that an error answer is an RFC error object.
 *
 * The test host's login is the `x-test-user` header (the name of the logged-in user), so virtual
 * users need no login round trip; the consent form still needs its CSRF cookie, which the agent
 * keeps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request } from 'express';
import type { Connection } from 'mongoose';
import { MemoryAdapter } from '../../adapters/memory';
import { MongoAdapter } from '../../adapters/mongo';
import { type CreateProviderOptions, createProvider, type Provider } from '../../lib';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { connect, dropAndClose } from './mongo-server';

export const USER_HEADER = 'x-test-user';
export const REDIRECT_URI = 'https://client.example/callback';
export const SCOPES = {
  user: { description: 'Read your profile information' },
  repo: { description: 'Full control of your repositories', includes: ['public_repo'] },
  public_repo: { description: 'Access your public repositories' },
  gist: { description: 'Create gists' },
} as const;

/** Per request: far beyond what a healthy provider, or one answering 503, should take. */
export const REQUEST_TIMEOUT_MS = 15_000;

// ---- adapters -----------------------------------------------------------------------------------

/** A fresh adapter, the raw one (not wrapped by the provider) for inspection, and its clean-up. */
export interface AdapterSetup {
  adapter: StorageAdapter;
  /** The Mongo connection, for raw reads; `null` for the memory adapter. */
  connection: Connection | null;
  close(): Promise<void>;
}

export interface AdapterFactory {
  name: 'memory' | 'mongo';
  create(label: string): Promise<AdapterSetup>;
}

export const MEMORY_ADAPTER: AdapterFactory = {
  name: 'memory',
  async create() {
    const adapter = new MemoryAdapter({ purgeIntervalMs: 0 });
    return { adapter, connection: null, close: async () => adapter.close() };
  },
};

/** The Mongo adapter on the test server (FerretDB from the global setup, or `MONGODB_URI`). */
export const MONGO_ADAPTER: AdapterFactory = {
  name: 'mongo',
  async create(label) {
    const connection = await connect(label);
    const adapter = new MongoAdapter({ connection, logger: () => {} });
    await adapter.ensureIndexes();
    return { adapter, connection, close: () => dropAndClose(connection) };
  },
};

export const ADAPTER_FACTORIES: readonly AdapterFactory[] = [MEMORY_ADAPTER, MONGO_ADAPTER];

// ---- the host -----------------------------------------------------------------------------------

export interface Host {
  url: string;
  app: Express;
  provider: Provider;
  /** Unexpected errors the provider reported through `onError`. */
  errors: unknown[];
  close(): Promise<void>;
}

function userFromHeader(req: Request): { id: string; username: string } | null {
  const id = req.headers[USER_HEADER];
  return typeof id === 'string' && id !== '' ? { id, username: id } : null;
}

/** Listens on a free 127.0.0.1 port. */
export async function listen(app: Express): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * A host app with the provider mounted (`/oauth/...`, `/settings/...`) and two guarded routes
 * shaped like the example provider's: `GET /api/user` (any valid token) and `GET /api/repos`
 * (`public_repo`, which `repo` includes).
 */
export async function startHost(
  adapter: StorageAdapter,
  overrides: Partial<CreateProviderOptions> = {},
): Promise<Host> {
  const errors: unknown[] = [];
  const provider = createProvider({
    adapter,
    issuer: 'https://issuer.example',
    scopes: SCOPES,
    currentUser: userFromHeader,
    loginUrl: '/login',
    refreshTokenReuseGraceSeconds: 0,
    onError: (error) => errors.push(error),
    ...overrides,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(provider.router);
  app.use('/settings', provider.settingsRouter);
  app.get('/api/user', provider.authenticate(), (req, res) => {
    res.json({ id: req.oauth?.user?.id ?? null });
  });
  app.get('/api/repos', provider.requireScope('public_repo'), (req, res) => {
    res.json([{ name: 'hello-world', owner: req.oauth?.user?.id ?? null }]);
  });
  const listening = await listen(app);
  return { url: listening.url, app, provider, errors, close: listening.close };
}

// ---- HTTP ---------------------------------------------------------------------------------------

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or `null` when the body is not JSON. */
  json: unknown;
  /** `performance.now()` when the request was sent and when its body had arrived. */
  sentAt: number;
  doneAt: number;
}

export interface SendOptions {
  method?: string;
  form?: Record<string, string>;
  json?: unknown;
  /** A raw body, sent as is with the given headers (bytes: no content type is added). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Log in as this user (the test host's header); `null`: not logged in. Default: the agent's user. */
  user?: string | null;
  timeoutMs?: number;
}

/** How many requests every agent sent, for the reports. */
export const requestCounter = { total: 0 };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A JSON object's string field, or `undefined`. */
export function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const field: unknown = Reflect.get(value, name);
  return typeof field === 'string' ? field : undefined;
}

/** One user agent (a browser, or a client's HTTP library): its own cookies, one logged-in user. */
export class Agent {
  readonly #cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly user: string | null = null,
  ) {}

  async send(path: string, options: SendOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    const user = options.user === undefined ? this.user : options.user;
    if (user !== null) headers[USER_HEADER] = user;
    if (this.#cookies.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body = options.body;
    if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    requestCounter.total += 1;
    const sentAt = performance.now();
    const response = await fetch(new URL(path, this.baseUrl), {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS),
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
      json: parseJson(text),
      sentAt,
      doneAt: performance.now(),
    };
  }
}

// ---- OAuth flows --------------------------------------------------------------------------------

export interface Client {
  id: string;
  clientId: string;
  /** `null` for public clients. */
  clientSecret: string | null;
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

export function pkcePair(): PkcePair {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `Authorization: Basic …` (RFC 6749 §2.3.1: form-encoded, then base64). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** Registers an application through the service API (owner `owner`). */
export async function registerClient(
  provider: Provider,
  options: { confidential?: boolean; name?: string } = {},
): Promise<Client> {
  const created = await provider.applications.create(
    {
      name: options.name ?? 'Reliability app',
      homepageUrl: 'https://client.example',
      redirectUris: [REDIRECT_URI],
      confidential: options.confidential ?? true,
      scopes: [],
    },
    'owner',
  );
  return {
    id: created.application.id,
    clientId: created.application.clientId,
    clientSecret: created.clientSecret,
  };
}

/** The hidden fields of the consent form. */
export function hiddenFields(html: string): Record<string, string> {
  const decode = (value: string): string =>
    value
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decode(match[1] ?? '')] = decode(match[2] ?? '');
  }
  return fields;
}

/** What an authorization request ended with. */
export interface Authorized {
  /** `null` if no code came back; `answer` says why. */
  code: string | null;
  verifier: string;
  consentShown: boolean;
  answer: Answer;
}

/** `GET /oauth/authorize` with PKCE, then the consent form if it is shown (approved). */
export async function authorize(agent: Agent, client: Client, scope: string): Promise<Authorized> {
  const pkce = pkcePair();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    state: randomBytes(6).toString('hex'),
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  const shown = await agent.send(`/oauth/authorize?${query}`);
  let decided = shown;
  if (shown.status === 200) {
    decided = await agent.send('/oauth/authorize', {
      form: { ...hiddenFields(shown.text), decision: 'approve' },
    });
  }
  const location = decided.headers.get('location');
  const code =
    decided.status === 302 && location !== null
      ? new URL(location, agent.baseUrl).searchParams.get('code')
      : null;
  return { code, verifier: pkce.verifier, consentShown: shown.status === 200, answer: decided };
}

/** A form POST as the client: HTTP Basic for confidential clients, `client_id` alone for public ones. */
export function postAsClient(
  agent: Agent,
  path: string,
  client: Client,
  fields: Record<string, string>,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const form = { ...fields };
  if (client.clientSecret === null) form.client_id = client.clientId;
  else headers.authorization = basicAuth(client.clientId, client.clientSecret);
  return agent.send(path, { form, headers, user: null });
}

export function exchange(agent: Agent, client: Client, code: string, verifier: string): Promise<Answer> {
  return postAsClient(agent, '/oauth/token', client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
}

export function refresh(agent: Agent, client: Client, refreshToken: string): Promise<Answer> {
  return postAsClient(agent, '/oauth/token', client, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
}

export function revoke(agent: Agent, client: Client, token: string): Promise<Answer> {
  return postAsClient(agent, '/oauth/revoke', client, { token });
}

/** A guarded API call with the token in the `Authorization` header, or in `?access_token=`. */
export function callApi(
  agent: Agent,
  path: '/api/user' | '/api/repos',
  token: string,
  via: 'header' | 'query' = 'header',
): Promise<Answer> {
  if (via === 'query') return agent.send(`${path}?access_token=${encodeURIComponent(token)}`, { user: null });
  return agent.send(path, { headers: { authorization: `Bearer ${token}` }, user: null });
}

/** Login, consent and exchange; fails loudly unless all of it works. */
export async function issueTokens(
  agent: Agent,
  client: Client,
  scope = 'user repo',
): Promise<{ accessToken: string; refreshToken: string }> {
  const { code, verifier, answer } = await authorize(agent, client, scope);
  if (code === null) throw new Error(`authorization failed: ${answer.status} ${answer.text.slice(0, 200)}`);
  const exchanged = await exchange(agent, client, code, verifier);
  const accessToken = stringField(exchanged.json, 'access_token');
  const refreshToken = stringField(exchanged.json, 'refresh_token');
  if (exchanged.status !== 200 || accessToken === undefined || refreshToken === undefined) {
    throw new Error(`exchange failed: ${exchanged.status} ${exchanged.text.slice(0, 200)}`);
  }
  return { accessToken, refreshToken };
}

// ---- answer checks ------------------------------------------------------------------------------

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
export function rfcErrorProblem(answer: Answer): string | null {
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) return `content-type ${type || '(none)'}, not JSON`;
  const body = answer.json;
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
export function htmlErrorProblem(answer: Answer): string | null {
  const type = answer.headers.get('content-type') ?? '';
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}, not 4xx`;
  if (!type.startsWith('text/html')) return `content-type ${type || '(none)'}, not text/html`;
  return internalsProblem(answer.text);
}

/** A one-line description of an answer for failure messages. */
export function summarize(answer: Answer): string {
  return `${answer.status} ${answer.headers.get('content-type') ?? ''} ${answer.text.slice(0, 160)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
