/**
 * An app in the middle of its move from `@node-oauth/express-oauth-server`: the test host (our
 * provider on the adapter under test, with its router, settings and guarded `/api/…` routes)
 * that also serves that library's middleware under `/legacy`, on the model
 * `createOAuth2ServerModel(provider)` makes. The legacy routes keep the library's own shape: a
 * host-side login (the test host's `x-test-user` header, read by an `authenticateHandler`), its
 * `authorize()`, `token()` and `authenticate()`, form bodies only.
 */
import ExpressOAuthServer from '@node-oauth/express-oauth-server';
import type OAuth2Server from '@node-oauth/oauth2-server';
import express, { type Response } from 'express';
import { createOAuth2ServerModel, type OAuth2ServerModel } from '../../lib/oauth2-server';
import { REDIRECT_URI, USER_HEADER } from './fixtures';
import { type ClientAuth, postAsClient } from './flows';
import {
  type AuthorizeRequest,
  authorizeQuery,
  bearer,
  type ClientCredentials,
  pkceFor,
  withQuery,
} from './oauth';
import { createTestHost, type HostOptions, type TestHost } from './test-host';
import type { Answer } from './user-agent';

/** Where the library's routes are mounted. */
export const LEGACY = '/legacy';

export interface LegacyHost extends TestHost {
  model: OAuth2ServerModel;
  /** The library's server behind the middleware (for `authorize`/`token`/`authenticate` calls). */
  server: OAuth2Server;
  /** `GET /legacy/authorize?…` as `user` (default alice; `null`: nobody logged in). */
  openLegacyAuthorize(request: AuthorizeRequest, user?: string | null): Promise<Answer>;
  /** The authorization request at the library; the code (fails unless one came back) and the PKCE verifier. */
  legacyCode(
    request: AuthorizeRequest & { user?: string },
  ): Promise<{ code: string; verifier: string | null }>;
  /** `POST /legacy/token` as `client`. */
  legacyToken(client: ClientCredentials, fields: Record<string, string>, auth?: ClientAuth): Promise<Answer>;
  /** The code for tokens at the library (RFC 6749 §4.1.3). */
  legacyExchange(request: {
    client: ClientCredentials;
    code: string;
    verifier?: string | null;
    redirectUri?: string | null;
    auth?: ClientAuth;
  }): Promise<Answer>;
  /** `legacyCode` then `legacyExchange`; fails unless the exchange answers 200. */
  legacyIssueTokens(
    request: AuthorizeRequest & { user?: string },
  ): Promise<{ accessToken: string; refreshToken: string; body: Record<string, unknown> }>;
  /** The library's `authenticate()` (`GET /legacy/api/me`, or `/legacy/api/repos` for `public_repo`). */
  legacyApi(token: unknown, path?: string): Promise<Answer>;
}

function tokenSummary(res: Response): void {
  const token: unknown = res.locals.oauth?.token;
  const value = (key: string): unknown =>
    typeof token === 'object' && token !== null ? Reflect.get(token, key) : undefined;
  const client = value('client');
  res.json({
    user: value('user') ?? null,
    client_id: typeof client === 'object' && client !== null ? Reflect.get(client, 'id') : null,
    scope: value('scope') ?? null,
  });
}

/** The library's routes, as an app that used `@node-oauth/express-oauth-server` has them. */
function mountLegacyRoutes(app: express.Express, oauth: ExpressOAuthServer): void {
  const form = express.urlencoded({ extended: false });
  const authenticateHandler = {
    // The host's own login: the library asks it who the user is.
    handle(request: OAuth2Server.Request) {
      const id: unknown = request.get(USER_HEADER);
      return typeof id === 'string' && id !== '' ? { id, username: id } : null;
    },
  };
  app.get(`${LEGACY}/authorize`, form, oauth.authorize({ authenticateHandler }));
  app.post(`${LEGACY}/authorize`, form, oauth.authorize({ authenticateHandler }));
  app.post(`${LEGACY}/token`, form, oauth.token());
  app.get(`${LEGACY}/api/me`, oauth.authenticate(), (_req, res) => tokenSummary(res));
  app.get(`${LEGACY}/api/repos`, oauth.authenticate({ scope: ['public_repo'] }), (_req, res) =>
    tokenSummary(res),
  );
}

/**
 * The test host with the library's routes beside ours. `serverOptions` go to
 * `new ExpressOAuthServer(...)` (default: public clients may refresh with `client_id` alone).
 */
export async function createLegacyHost(
  options: HostOptions & { serverOptions?: Partial<OAuth2Server.ServerOptions> } = {},
): Promise<LegacyHost> {
  const { serverOptions, ...hostOptions } = options;
  const host = await createTestHost(hostOptions);
  const model = createOAuth2ServerModel(host.provider);
  const oauth = new ExpressOAuthServer({
    model,
    requireClientAuthentication: { refresh_token: false },
    ...serverOptions,
  });
  mountLegacyRoutes(host.app, oauth);

  const openLegacyAuthorize = (request: AuthorizeRequest, user: string | null = 'alice') =>
    host.client.send(withQuery(`${LEGACY}/authorize`, authorizeQuery(request, pkceFor(request))), { user });

  const legacyToken = (client: ClientCredentials, fields: Record<string, string>, auth?: ClientAuth) =>
    postAsClient(host.client, `${LEGACY}/token`, client, fields, auth);

  async function legacyCode({ user = 'alice', ...request }: AuthorizeRequest & { user?: string }) {
    const pkce = pkceFor(request);
    const answer = await host.client.send(withQuery(`${LEGACY}/authorize`, authorizeQuery(request, pkce)), {
      user,
    });
    const code = answer.location === null ? null : new URL(answer.location).searchParams.get('code');
    if (answer.status !== 302 || code === null) {
      throw new Error(
        `authorization at the library failed: ${answer.status} ${answer.location ?? answer.text}`,
      );
    }
    return { code, verifier: pkce?.verifier ?? null };
  }

  function legacyExchange(request: Parameters<LegacyHost['legacyExchange']>[0]) {
    const fields: Record<string, string> = { grant_type: 'authorization_code', code: request.code };
    const redirectUri = request.redirectUri === undefined ? REDIRECT_URI : request.redirectUri;
    if (redirectUri !== null) fields.redirect_uri = redirectUri;
    if (request.verifier !== undefined && request.verifier !== null) fields.code_verifier = request.verifier;
    return legacyToken(request.client, fields, request.auth);
  }

  return {
    ...host,
    model,
    server: oauth.server,
    openLegacyAuthorize,
    legacyCode,
    legacyToken,
    legacyExchange,
    async legacyIssueTokens(request) {
      const { code, verifier } = await legacyCode(request);
      const answer = await legacyExchange({
        client: request.client,
        code,
        verifier,
        redirectUri: request.redirectUri,
      });
      const accessToken = answer.body.access_token;
      const refreshToken = answer.body.refresh_token;
      if (answer.status !== 200 || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
        throw new Error(`exchange at the library failed: ${answer.status} ${answer.text}`);
      }
      return { accessToken, refreshToken, body: answer.body };
    },
    legacyApi: (token, path = `${LEGACY}/api/me`) =>
      host.client.send(path, { user: null, headers: { authorization: bearer(token) } }),
  };
}
