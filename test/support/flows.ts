/**
 * The OAuth flows as a browser and a client drive them, over any {@link UserAgent}: the
 * authorization request and the consent decision (RFC 6749 §4.1.1–4.1.2), the token endpoint
 * (§3.2, with client authentication per §2.3: Basic, body or `client_id` alone), refresh (§6),
 * client credentials (§4.4), revocation (RFC 7009), introspection (RFC 7662), guarded API calls
 * (RFC 6750), and the example provider's login and JSON API. The device flow (RFC 8628):
 * device-flow.ts.
 */
import { REDIRECT_URI } from './fixtures';
import { hiddenFields } from './html';
import {
  type AuthorizeRequest,
  authorizeQuery,
  basicAuth,
  type ClientCredentials,
  type PkcePair,
  pkceFor,
  withQuery,
} from './oauth';
import { type Answer, field, type SendOptions, summarize, type UserAgent } from './user-agent';

/** How a client authenticates: HTTP Basic, `client_id` + `client_secret` in the body, or `client_id` alone. */
export type ClientAuth = 'basic' | 'body' | 'none';

/**
 * POSTs a form as `client`, the way its HTTP library would (no browser cookies, nobody logged
 * in). Public clients always send `client_id` alone.
 */
export function postAsClient(
  agent: UserAgent,
  path: string,
  client: ClientCredentials,
  fields: Record<string, string>,
  auth: ClientAuth = 'basic',
  options: SendOptions = {},
): Promise<Answer> {
  const send = { user: null, cookies: false, ...options };
  if (client.clientSecret === null || auth === 'none') {
    return agent.send(path, { ...send, form: { ...fields, client_id: client.clientId } });
  }
  if (auth === 'basic') {
    const headers = { ...options.headers, authorization: basicAuth(client.clientId, client.clientSecret) };
    return agent.send(path, { ...send, form: fields, headers });
  }
  return agent.send(path, {
    ...send,
    form: { ...fields, client_id: client.clientId, client_secret: client.clientSecret },
  });
}

/** `POST /oauth/token` as `client` (RFC 6749 §3.2). */
export function token(
  agent: UserAgent,
  client: ClientCredentials,
  fields: Record<string, string>,
  auth: ClientAuth = 'basic',
  options: SendOptions = {},
): Promise<Answer> {
  return postAsClient(agent, '/oauth/token', client, fields, auth, options);
}

export interface Exchange {
  code: string;
  /** Default {@link REDIRECT_URI}; `null` leaves it out. */
  redirectUri?: string | null;
  verifier?: string | null;
  auth?: ClientAuth;
}

/** RFC 6749 §4.1.3: the code for tokens. */
export function exchange(agent: UserAgent, client: ClientCredentials, request: Exchange): Promise<Answer> {
  const fields: Record<string, string> = { grant_type: 'authorization_code', code: request.code };
  const redirectUri = request.redirectUri === undefined ? REDIRECT_URI : request.redirectUri;
  if (redirectUri !== null) fields.redirect_uri = redirectUri;
  if (request.verifier !== undefined && request.verifier !== null) fields.code_verifier = request.verifier;
  return token(agent, client, fields, request.auth);
}

/** RFC 6749 §6: a refresh, with extra parameters (a narrower `scope`). */
export function refresh(
  agent: UserAgent,
  client: ClientCredentials,
  refreshToken: string,
  extra: Record<string, string> = {},
  auth: ClientAuth = 'basic',
): Promise<Answer> {
  return token(agent, client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, auth);
}

/** A `token` parameter POSTed as `client`: RFC 7009 §2.1 revocation, RFC 7662 §2.1 introspection. */
function tokenRequest(path: string) {
  return (
    agent: UserAgent,
    client: ClientCredentials,
    tokenValue: string,
    extra: Record<string, string> = {},
    auth: ClientAuth = 'basic',
  ): Promise<Answer> => postAsClient(agent, path, client, { token: tokenValue, ...extra }, auth);
}

/** RFC 7009 §2.1: `POST /oauth/revoke` as `client`. */
export const revoke = tokenRequest('/oauth/revoke');

/** RFC 7662 §2.1: `POST /oauth/introspect` as `client`. */
export const introspect = tokenRequest('/oauth/introspect');

// ---- the authorization endpoint, as a browser --------------------------------------------------

export interface ConsentOptions extends SendOptions {
  /** Where the provider's router is mounted (default: at the root). */
  mount?: string;
}

/** `GET /oauth/authorize?…`: the consent page, an error page or a redirect. */
export function openAuthorize(
  browser: UserAgent,
  query: Record<string, string>,
  options: ConsentOptions = {},
): Promise<Answer> {
  const { mount = '', ...send } = options;
  return browser.send(withQuery(`${mount}/oauth/authorize`, query), send);
}

/** The consent page for `query`; fails unless the page is shown. */
export async function consentPage(
  browser: UserAgent,
  query: Record<string, string>,
  options: ConsentOptions = {},
): Promise<{ page: Answer; fields: Record<string, string> }> {
  const page = await openAuthorize(browser, query, options);
  if (page.status !== 200) throw new Error(`expected the consent page: ${summarize(page)}`);
  return { page, fields: hiddenFields(page.text) };
}

/** Posts the consent form back with `decision` (RFC 6749 §4.1.2: the owner's answer). */
export function postDecision(
  browser: UserAgent,
  fields: Record<string, string>,
  decision: string,
  options: ConsentOptions = {},
): Promise<Answer> {
  const { mount = '', ...send } = options;
  return browser.send(`${mount}/oauth/authorize`, { ...send, form: { ...fields, decision } });
}

/** Shows the consent page for `query` and answers it with `decision`; returns the answer to the POST. */
export async function decide(
  browser: UserAgent,
  query: Record<string, string>,
  decision: 'approve' | 'deny',
  options: ConsentOptions = {},
): Promise<Answer> {
  const { fields } = await consentPage(browser, query, options);
  return postDecision(browser, fields, decision, options);
}

/** What an authorization request ended with. */
export interface Authorized {
  /** `null` if no code came back; `answer` says why. */
  code: string | null;
  /** The PKCE verifier the request used, `null` without PKCE. */
  verifier: string | null;
  consentShown: boolean;
  /** The last answer: the redirect (or the error). */
  answer: Answer;
}

/** The authorization request, approving the consent page if it is shown. */
export async function authorize(
  browser: UserAgent,
  request: AuthorizeRequest,
  options: ConsentOptions = {},
): Promise<Authorized> {
  const pkce: PkcePair | null = pkceFor(request);
  const shown = await openAuthorize(browser, authorizeQuery(request, pkce), options);
  const answer =
    shown.status === 200 ? await postDecision(browser, hiddenFields(shown.text), 'approve', options) : shown;
  const code =
    answer.status === 302 && answer.location !== null
      ? new URL(answer.location).searchParams.get('code')
      : null;
  return { code, verifier: pkce?.verifier ?? null, consentShown: shown.status === 200, answer };
}

/** {@link authorize}, failing the test unless a code came back. */
export async function authorizeCode(
  browser: UserAgent,
  request: AuthorizeRequest,
  options: ConsentOptions = {},
): Promise<Authorized & { code: string }> {
  const authorized = await authorize(browser, request, options);
  const { code } = authorized;
  if (code === null) {
    const where = authorized.answer.location ?? authorized.answer.text.slice(0, 300);
    throw new Error(`authorization failed: ${authorized.answer.status} ${where}`);
  }
  return { ...authorized, code };
}

/** What a code exchange handed out. */
export interface Tokens {
  code: string;
  /** The token response as JSON. */
  body: Record<string, unknown>;
  accessToken: string;
  /** The refresh token; reading it fails the test when none was issued (see `body.refresh_token`). */
  readonly refreshToken: string;
}

/** Login (as the browser's user), consent and exchange; fails loudly unless all of it works. */
export async function issueTokens(
  browser: UserAgent,
  client: UserAgent,
  request: AuthorizeRequest & { auth?: ClientAuth },
  options: ConsentOptions = {},
): Promise<Tokens> {
  const pkce = pkceFor(request);
  const { code } = await authorizeCode(browser, { ...request, pkce }, options);
  const answer = await exchange(client, request.client, {
    code,
    redirectUri: request.redirectUri,
    verifier: pkce?.verifier ?? null,
    auth: request.auth,
  });
  if (answer.status !== 200) throw new Error(`exchange failed: ${summarize(answer)}`);
  return {
    code,
    body: answer.body,
    accessToken: field(answer, 'access_token'),
    get refreshToken() {
      return field(answer, 'refresh_token');
    },
  };
}

// ---- protected resources -----------------------------------------------------------------------

/** A guarded API call with the token in the `Authorization` header, or in `?access_token=`. */
export function callApi(
  agent: UserAgent,
  path: string,
  tokenValue: string,
  via: 'header' | 'query' = 'header',
): Promise<Answer> {
  if (via === 'query')
    return agent.send(withQuery(path, { access_token: tokenValue }), { user: null, cookies: false });
  return agent.send(path, { headers: { authorization: `Bearer ${tokenValue}` }, user: null, cookies: false });
}

/** `POST path` with the token in the header (no body), as a client acting with it would. */
export function postWithToken(agent: UserAgent, path: string, tokenValue: unknown): Promise<Answer> {
  if (typeof tokenValue !== 'string') throw new Error(`not a token: ${String(tokenValue)}`);
  return agent.send(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenValue}` },
    user: null,
    cookies: false,
  });
}

/** The status a guarded route answers a token with (`/api/me` on the test host). */
export async function guardStatus(agent: UserAgent, tokenValue: unknown, path = '/api/me'): Promise<number> {
  if (typeof tokenValue !== 'string') throw new Error(`not a token: ${String(tokenValue)}`);
  return (await callApi(agent, path, tokenValue)).status;
}

// ---- the example provider (examples/provider) --------------------------------------------------

/** Logs in with the example provider's own form (`POST /login`); fails unless it redirects. */
export async function login(
  browser: UserAgent,
  username = 'alice',
  password = 'alice-pass',
): Promise<Answer> {
  const answer = await browser.send('/login', { form: { username, password, return_to: '/' } });
  if (answer.status !== 302) throw new Error(`login as ${username} failed: ${summarize(answer)}`);
  return answer;
}

/** An application registered through the settings JSON API. */
export interface RegisteredClient extends ClientCredentials {
  id: string;
}

/** `POST /settings/api/applications` as the logged-in user. */
export async function registerViaApi(
  browser: UserAgent,
  options: { confidential?: boolean; name?: string; redirectUris?: string[] } = {},
): Promise<RegisteredClient> {
  const answer = await browser.send('/settings/api/applications', {
    json: {
      name: options.name ?? 'Test app',
      homepage_url: 'https://client.example',
      redirect_uris: options.redirectUris ?? [REDIRECT_URI],
      confidential: options.confidential ?? true,
    },
  });
  if (answer.status !== 201) throw new Error(`registration failed: ${summarize(answer)}`);
  const secret = answer.body.client_secret;
  return {
    id: field(answer, 'id'),
    clientId: field(answer, 'client_id'),
    clientSecret: typeof secret === 'string' ? secret : null,
  };
}
