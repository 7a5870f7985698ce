/**
 * The test host: an Express app that mounts `createProvider(...)` on a fresh adapter (the one
 * under test, see adapters.ts), with a test-only login (the `x-test-user` header names the
 * logged-in user), a few guarded routes, and the flows of flows.ts bound to it. A host is closed,
 * and its adapter released, after the test that made it (after the file, if made in `beforeAll`).
 */
import express, { type Express, type Request } from 'express';
import { type CreateProviderOptions, createProvider, type Provider } from '../../lib';
import type { ApplicationRecord, StorageAdapter } from '../../lib/storage/storage-adapter';
import { type AdapterFactory, adapterUnderTest } from './adapters';
import { closeWhenDone } from './cleanup';
import { ISSUER, REDIRECT_URI, SCOPES, USER_HEADER } from './fixtures';
import * as flows from './flows';
import { listen } from './listen';
import type { AuthorizeRequest, ClientCredentials } from './oauth';
import { type Answer, type SendOptions, UserAgent } from './user-agent';

export interface HostOptions extends Partial<Omit<CreateProviderOptions, 'adapter'>> {
  /** Where the adapter comes from; default: the adapter under test. */
  adapter?: AdapterFactory;
  /** Wraps the adapter the provider sees (an outage, a slow method); `adapter` stays the raw one. */
  wrapAdapter?: (adapter: StorageAdapter) => StorageAdapter;
  /** Installs host middleware before the provider (body parsers, sessions). */
  beforeProvider?: (app: Express) => void;
  /** Builds the host app; default `express()` (Express 5). */
  createApp?: () => Express;
  /** Also listen on a loopback port (for agents over real sockets). */
  listen?: boolean;
}

export interface RegisterOptions {
  name?: string;
  redirectUris?: string[];
  confidential?: boolean;
  scopes?: string[];
  owner?: string | null;
  /**
   * Default: what the service gives (`user` with an owner, `host` without). RFC 6749's own
   * behaviour (every error redirected) is a `host` (or `first-party`) application's.
   */
  trust?: 'first-party' | 'host' | 'user';
  skipConsent?: boolean;
}

/** An application registered through the service API, as the tests hold it. */
export interface RegisteredApp extends ClientCredentials {
  id: string;
  application: ApplicationRecord;
}

export interface TestHost {
  app: Express;
  provider: Provider;
  /** The adapter the provider was created on (unwrapped). */
  adapter: StorageAdapter;
  adapterName: string;
  /** Unexpected errors the provider reported through `onError`. */
  errors: unknown[];
  /** The loopback URL with `listen: true`, else `null`. */
  url: string | null;
  /** A new browser of `user` (default alice) at this host, with its own cookies. */
  browser(user?: string | null): UserAgent;
  /** The client's HTTP library (no cookies, nobody logged in). */
  client: UserAgent;
  registerApp(options?: RegisterOptions): Promise<RegisteredApp>;
  /** The authorization request as `user` (default alice), approving consent if asked; the code. */
  authorize(request: AuthorizeRequest & { user?: string }): Promise<string>;
  exchange(request: flows.Exchange & { client: ClientCredentials }): Promise<Answer>;
  /** `authorize` then `exchange`; fails the test unless the exchange answers 200. */
  issueTokens(request: AuthorizeRequest & { user?: string; auth?: flows.ClientAuth }): Promise<flows.Tokens>;
  refresh(
    client: ClientCredentials,
    refreshToken: string,
    extra?: Record<string, string>,
    auth?: flows.ClientAuth,
  ): Promise<Answer>;
  /** `POST /oauth/token` as `client` (with extra request headers in `options`, e.g. `accept`). */
  token(
    client: ClientCredentials,
    fields: Record<string, string>,
    auth?: flows.ClientAuth,
    options?: SendOptions,
  ): Promise<Answer>;
  postAsClient(
    path: string,
    client: ClientCredentials,
    fields: Record<string, string>,
    auth?: flows.ClientAuth,
  ): Promise<Answer>;
  /** The status `GET /api/me` (or `path`) answers the token with. */
  guardStatus(token: unknown, path?: string): Promise<number>;
  /** `GET /api/me` with the token in the header: whom the guard says it acts for, with which scopes. */
  me(token: unknown): Promise<Answer>;
  /** `POST path` (a guarded write, e.g. `/api/repos` needs `repo`) with the token in the header. */
  postWithToken(path: string, token: unknown): Promise<Answer>;
  close(): Promise<void>;
}

function userFromHeader(req: Request): { id: string; username: string } | null {
  const id = req.headers[USER_HEADER];
  return typeof id === 'string' && id !== '' ? { id, username: id } : null;
}

/** The test host's guarded routes. */
function mountTestRoutes(app: Express, provider: Provider): void {
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
  app.get('/api/user', provider.authenticate(), (req, res) => {
    res.json({ id: req.oauth?.user?.id ?? null });
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
  // A route for machines: `ci:status` is held by clients (client_credentials tokens).
  app.post('/api/statuses', provider.requireScope('ci:status'), (req, res) => {
    res.status(201).json(context(req));
  });
}

/** A fresh provider on a fresh adapter in a fresh host app. */
export async function createTestHost(options: HostOptions = {}): Promise<TestHost> {
  const {
    adapter: factory = adapterUnderTest(),
    wrapAdapter,
    beforeProvider,
    createApp,
    listen: serve,
    ...overrides
  } = options;
  const setup = await factory.create();
  const errors: unknown[] = [];
  let provider: Provider;
  try {
    provider = createProvider({
      adapter: wrapAdapter ? wrapAdapter(setup.adapter) : setup.adapter,
      issuer: ISSUER,
      scopes: SCOPES,
      currentUser: userFromHeader,
      loginUrl: '/login',
      onError: (error) => errors.push(error),
      ...overrides,
    });
    await provider.ready;
  } catch (error) {
    await setup.cleanup();
    throw error;
  }
  const app = createApp ? createApp() : express();
  beforeProvider?.(app);
  app.use(provider.router);
  app.use('/settings', provider.settingsRouter);
  // The operator view, for tests that say who is an administrator (reading `adminRouter` without
  // `isAdmin` throws a ConfigurationError).
  if (overrides.isAdmin !== undefined) app.use('/admin', provider.adminRouter);
  mountTestRoutes(app, provider);
  const listening = serve ? await listen(app) : null;
  const target = listening?.url ?? app;
  const client = new UserAgent(target, null);
  const browser = (user: string | null = 'alice') => new UserAgent(target, user);

  const close = closeWhenDone(async () => {
    await listening?.close();
    await provider.close();
    await setup.cleanup();
  });
  return {
    app,
    provider,
    adapter: setup.adapter,
    adapterName: factory.name,
    errors,
    url: listening?.url ?? null,
    browser,
    client,
    async registerApp(register = {}) {
      const created = await provider.applications.create(
        {
          name: register.name ?? 'Test App',
          homepageUrl: 'https://client.example',
          redirectUris: register.redirectUris ?? [REDIRECT_URI],
          confidential: register.confidential ?? true,
          scopes: register.scopes ?? [],
        },
        register.owner === undefined ? 'owner' : register.owner,
        { trust: register.trust, skipConsent: register.skipConsent },
      );
      return {
        id: created.application.id,
        application: created.application,
        clientId: created.application.clientId,
        clientSecret: created.clientSecret,
      };
    },
    async authorize({ user = 'alice', ...request }) {
      return (await flows.authorizeCode(browser(user), request)).code;
    },
    exchange: ({ client: registered, ...request }) => flows.exchange(client, registered, request),
    issueTokens: ({ user = 'alice', ...request }) => flows.issueTokens(browser(user), client, request),
    refresh: (registered, refreshToken, extra, auth) =>
      flows.refresh(client, registered, refreshToken, extra, auth),
    token: (registered, fields, auth, options) => flows.token(client, registered, fields, auth, options),
    postAsClient: (path, registered, fields, auth) =>
      flows.postAsClient(client, path, registered, fields, auth),
    guardStatus: (token, path) => flows.guardStatus(client, token, path),
    me: (token) => {
      if (typeof token !== 'string') throw new Error(`not a token: ${String(token)}`);
      return flows.callApi(client, '/api/me', token);
    },
    postWithToken: (path, token) => flows.postWithToken(client, path, token),
    close,
  };
}
