/**
 * A host app for the provider's HTTP tests: an Express app that mounts `createProvider(...)` with a
 * fresh `MemoryAdapter`, a test-only login (the `x-test-user` header names the logged-in user), a
 * few guarded routes, and helpers that drive the code flow the way a browser and a client would.
 */
import { createHash, randomBytes } from 'node:crypto';
import express, { type Express, type Request } from 'express';
import request, { type Response } from 'supertest';
import { MemoryAdapter } from '../../adapters/memory';
import { type CreateProviderOptions, createProvider, type Provider } from '../../lib';
import type { ApplicationRecord, StorageAdapter } from '../../lib/storage/storage-adapter';

export const ISSUER = 'https://issuer.example';
export const REDIRECT_URI = 'https://client.example/callback';
/** The header the test host reads its logged-in user from. */
export const USER_HEADER = 'x-test-user';

export const SCOPES = {
  user: { description: 'Read your profile information' },
  repo: { description: 'Full control of your repositories', includes: ['public_repo'] },
  public_repo: { description: 'Access your public repositories' },
  gist: { description: 'Create gists' },
} as const;

export interface RegisteredApp {
  application: ApplicationRecord;
  clientId: string;
  /** `null` for public clients. */
  clientSecret: string | null;
}

export interface RegisterOptions {
  name?: string;
  redirectUris?: string[];
  confidential?: boolean;
  scopes?: string[];
  owner?: string | null;
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

export interface AuthorizeOptions {
  client: RegisteredApp;
  user?: string;
  scope?: string;
  state?: string;
  redirectUri?: string | null;
  pkce?: PkcePair | null;
  /** Extra query parameters of the authorization request. */
  extra?: Record<string, string>;
}

export interface ExchangeOptions {
  client: RegisteredApp;
  code: string;
  redirectUri?: string | null;
  verifier?: string | null;
  /** How a confidential client authenticates; public clients always send `client_id` only. */
  auth?: 'basic' | 'body';
}

/** What the token endpoint answered, with the parsed JSON body. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  response: Response;
}

export interface TestProvider {
  app: Express;
  provider: Provider;
  adapter: MemoryAdapter;
  /** Unexpected errors the provider reported through `onError`. */
  errors: unknown[];
  registerApp(options?: RegisterOptions): Promise<RegisteredApp>;
  /** Runs the authorization request and approves the consent page if one is shown; returns the code. */
  authorize(options: AuthorizeOptions): Promise<string>;
  exchange(options: ExchangeOptions): Promise<TokenAnswer>;
  /** `authorize` then `exchange`; fails the test unless the exchange answers 200. */
  issueTokens(options: AuthorizeOptions & { auth?: 'basic' | 'body' }): Promise<Record<string, unknown>>;
  refresh(client: RegisteredApp, refreshToken: string, extra?: Record<string, string>): Promise<TokenAnswer>;
}

export interface HarnessOverrides extends Partial<CreateProviderOptions> {
  /** Wraps the memory adapter, e.g. to simulate an outage. */
  wrapAdapter?: (adapter: MemoryAdapter) => StorageAdapter;
  /** Installs host middleware before the provider (body parsers, sessions). */
  beforeProvider?: (app: Express) => void;
  /** Builds the host app; default `express()` (Express 5). */
  createApp?: () => Express;
}

/** An RFC 7636 verifier and its S256 challenge. */
export function pkcePair(): PkcePair {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The hidden fields of the consent form. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decodeEntities(match[1] ?? '')] = decodeEntities(match[2] ?? '');
  }
  return fields;
}

/** The `name=value` pairs of a response's `Set-Cookie` headers, ready for a `Cookie` header. */
export function cookiesOf(response: Response): string {
  const header: unknown = response.headers['set-cookie'];
  const list = Array.isArray(header) ? header : typeof header === 'string' ? [header] : [];
  return list.map((cookie: unknown) => String(cookie).split(';')[0]).join('; ');
}

/** The query parameters of a redirect's `Location`. */
export function locationParams(response: Response): URLSearchParams {
  const location = response.headers.location;
  if (typeof location !== 'string')
    throw new Error(`expected a redirect, got ${response.status}: ${response.text}`);
  return new URL(location, 'http://host.invalid').searchParams;
}

/** The query string of an authorization request. */
export function authorizeQuery(options: AuthorizeOptions): Record<string, string> {
  const query: Record<string, string> = { response_type: 'code', client_id: options.client.clientId };
  const redirectUri = options.redirectUri === undefined ? REDIRECT_URI : options.redirectUri;
  if (redirectUri !== null) query.redirect_uri = redirectUri;
  if (options.scope !== undefined) query.scope = options.scope;
  query.state = options.state ?? 'state-123';
  const pkce =
    options.pkce === undefined ? (options.client.clientSecret === null ? pkcePair() : null) : options.pkce;
  if (pkce !== null) {
    query.code_challenge = pkce.challenge;
    query.code_challenge_method = 'S256';
  }
  return { ...query, ...options.extra };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function userFromHeader(req: Request): { id: string; username: string } | null {
  const id = req.headers[USER_HEADER];
  return typeof id === 'string' && id !== '' ? { id, username: id } : null;
}

/** Adds the test host's guarded routes. */
export function mountTestRoutes(app: Express, provider: Provider): void {
  const context = (req: Request) => ({
    user: req.oauth?.user ?? null,
    client_id: req.oauth?.client?.clientId ?? null,
    scopes: req.oauth?.scopes ?? [],
  });
  app.get('/api/me', provider.authenticate(), (req, res) => {
    res.json(context(req));
  });
  app.post('/api/me', provider.authenticate(), (req, res) => {
    res.json({ ...context(req), body: req.body ?? null });
  });
  app.get('/api/header-only', provider.authenticate({ allowQueryAccessToken: false }), (req, res) => {
    res.json(context(req));
  });
  app.get('/api/repos', provider.requireScope('public_repo'), (req, res) => {
    res.json(context(req));
  });
  app.post('/api/repos', provider.requireScope('repo'), (req, res) => {
    res.status(201).json(context(req));
  });
  app.post('/api/gists', provider.authenticate(), provider.requireScope('gist'), (req, res) => {
    res.status(201).json(context(req));
  });
}

/** A fresh provider in a fresh host app. */
export function makeTestProvider(overrides: HarnessOverrides = {}): TestProvider {
  const { wrapAdapter, beforeProvider, createApp, ...providerOverrides } = overrides;
  const adapter = new MemoryAdapter({ purgeIntervalMs: 0 });
  const errors: unknown[] = [];
  const provider = createProvider({
    adapter: wrapAdapter ? wrapAdapter(adapter) : adapter,
    issuer: ISSUER,
    scopes: SCOPES,
    currentUser: userFromHeader,
    loginUrl: '/login',
    onError: (error) => errors.push(error),
    ...providerOverrides,
  });
  const app = createApp ? createApp() : express();
  beforeProvider?.(app);
  app.use(provider.router);
  app.use('/settings', provider.settingsRouter);
  mountTestRoutes(app, provider);

  async function registerApp(options: RegisterOptions = {}): Promise<RegisteredApp> {
    const created = await provider.applications.create(
      {
        name: options.name ?? 'Test App',
        homepageUrl: 'https://client.example',
        redirectUris: options.redirectUris ?? [REDIRECT_URI],
        confidential: options.confidential ?? true,
        scopes: options.scopes ?? [],
      },
      options.owner === undefined ? 'owner' : options.owner,
    );
    return {
      application: created.application,
      clientId: created.application.clientId,
      clientSecret: created.clientSecret,
    };
  }

  async function authorize(options: AuthorizeOptions): Promise<string> {
    const user = options.user ?? 'alice';
    const shown = await request(app)
      .get('/oauth/authorize')
      .query(authorizeQuery(options))
      .set(USER_HEADER, user);
    let answer = shown;
    if (shown.status === 200) {
      answer = await request(app)
        .post('/oauth/authorize')
        .set(USER_HEADER, user)
        .set('Cookie', cookiesOf(shown))
        .type('form')
        .send({ ...hiddenFields(shown.text), decision: 'approve' });
    }
    const code = answer.status === 302 ? locationParams(answer).get('code') : null;
    if (code === null)
      throw new Error(`authorization failed: ${answer.status} ${answer.headers.location ?? answer.text}`);
    return code;
  }

  function withClientAuth(
    client: RegisteredApp,
    form: Record<string, string>,
    auth: 'basic' | 'body',
  ): { form: Record<string, string>; basic: string | null } {
    if (client.clientSecret === null) return { form: { ...form, client_id: client.clientId }, basic: null };
    if (auth === 'basic') {
      const credentials = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
      return { form, basic: `Basic ${Buffer.from(credentials).toString('base64')}` };
    }
    return { form: { ...form, client_id: client.clientId, client_secret: client.clientSecret }, basic: null };
  }

  async function postToken(client: RegisteredApp, fields: Record<string, string>, auth: 'basic' | 'body') {
    const { form, basic } = withClientAuth(client, fields, auth);
    let call = request(app).post('/oauth/token').type('form');
    if (basic !== null) call = call.set('Authorization', basic);
    const response = await call.send(form);
    return { status: response.status, body: asRecord(response.body), response };
  }

  async function exchange(options: ExchangeOptions): Promise<TokenAnswer> {
    const fields: Record<string, string> = { grant_type: 'authorization_code', code: options.code };
    const redirectUri = options.redirectUri === undefined ? REDIRECT_URI : options.redirectUri;
    if (redirectUri !== null) fields.redirect_uri = redirectUri;
    if (options.verifier !== undefined && options.verifier !== null) fields.code_verifier = options.verifier;
    return postToken(options.client, fields, options.auth ?? 'body');
  }

  async function issueTokens(options: AuthorizeOptions & { auth?: 'basic' | 'body' }) {
    const pkce =
      options.pkce === undefined ? (options.client.clientSecret === null ? pkcePair() : null) : options.pkce;
    const code = await authorize({ ...options, pkce });
    const answer = await exchange({
      client: options.client,
      code,
      redirectUri: options.redirectUri,
      verifier: pkce?.verifier ?? null,
      auth: options.auth,
    });
    if (answer.status !== 200) throw new Error(`exchange failed: ${answer.status} ${answer.response.text}`);
    return answer.body;
  }

  function refresh(client: RegisteredApp, refreshToken: string, extra: Record<string, string> = {}) {
    return postToken(client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, 'body');
  }

  return { app, provider, adapter, errors, registerApp, authorize, exchange, issueTokens, refresh };
}

/** `Authorization: Bearer <token>` for a token from a token response. */
export function bearer(token: unknown): string {
  if (typeof token !== 'string') throw new Error(`not a token: ${String(token)}`);
  return `Bearer ${token}`;
}
