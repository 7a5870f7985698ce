import type { Request } from 'express';
import type { AuthorizationServer } from 'oauth4webapi';

/**
 * What the playground keeps per signed-in user, in the server-side session (express-session's
 * store, never a cookie): the demo clients, each flow's secrets and the exchanges recorded on the
 * wire. Plain JSON, so any session store can hold it. Tokens never leave the server except in the
 * pages rendered for this session's user.
 */
export type ClientKind = 'public' | 'confidential';

export interface DemoClient {
  kind: ClientKind;
  applicationId: string;
  clientId: string;
  /** Only for the confidential client; shown once by the provider, kept here to authenticate. */
  clientSecret: string | null;
  /** Why the playground holds this client: registered now, reused, or reused with a new secret. */
  origin: 'registered' | 'reused' | 'secret-reset';
}

export interface WireRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | null;
}

export interface WireResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

/** One HTTP request the playground sent to the provider and what came back, as it went over the wire. */
export interface Exchange {
  title: string;
  request: WireRequest;
  /** `null` when the request failed before an answer (connection refused, timeout). */
  response: WireResponse | null;
  /** What the client library (oauth4webapi) concluded from the answer, e.g. an error it raised. */
  verdict: string | null;
}

/** A conclusion the page draws for the reader: a check that passed (`true`), failed, or a note. */
export interface Finding {
  ok: boolean | null;
  text: string;
}

export interface StepRecord {
  exchanges: Exchange[];
  findings: Finding[];
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  scope: string;
  expiresIn: number | null;
}

export interface WebFlowState {
  client: DemoClient;
  scopes: string[];
  state: string;
  codeVerifier: string;
  codeChallenge: string;
  authorizationUrl: string;
  /** The authorization server metadata as discovered (RFC 8414), reused by the later steps. */
  server: AuthorizationServer;
  /** The query of the redirect back to the playground (it carries the code: masked on the page). */
  callbackQuery: string | null;
  code: string | null;
  tokens: TokenSet | null;
  /** The refresh token a rotation replaced; the replay step sends it again. */
  oldRefreshToken: string | null;
  steps: Partial<Record<WebStep, StepRecord>>;
}

export type WebStep =
  | 'authorize'
  | 'callback'
  | 'token'
  | 'api'
  | 'introspect'
  | 'refresh'
  | 'revoke'
  | 'replay';

export interface DeviceFlowState {
  client: DemoClient;
  scopes: string[];
  server: AuthorizationServer;
  /** `null` when the device authorization request was refused (the start step shows why). */
  authorization: DeviceAuthorization | null;
  tokens: TokenSet | null;
  steps: Partial<Record<DeviceStep, StepRecord>>;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  interval: number;
}

export type DeviceStep = 'start' | 'poll' | 'api';

export interface ClientCredentialsState {
  client: DemoClient;
  server: AuthorizationServer;
  tokens: TokenSet | null;
  steps: Partial<Record<ClientCredentialsStep, StepRecord>>;
}

export type ClientCredentialsStep = 'token' | 'api';

export interface PlaygroundState {
  /** The kind the user picked for the web and device flows. */
  kind: ClientKind;
  clients: Partial<Record<ClientKind, DemoClient>>;
  /** Show secrets in full (the user asked); masked otherwise. */
  reveal: boolean;
  web: WebFlowState | null;
  device: DeviceFlowState | null;
  clientCredentials: ClientCredentialsState | null;
  /** A one-time message for the next page (e.g. a step run out of order). */
  notice: string | null;
}

declare module 'express-session' {
  interface SessionData {
    playground: PlaygroundState;
    /** The example's own CSRF token for its forms, one per session (a new login is a new session). */
    csrfToken: string;
  }
}

/** This session's playground state, created on first use. */
export function playgroundState(req: Request): PlaygroundState {
  req.session.playground ??= {
    kind: 'public',
    clients: {},
    reveal: false,
    web: null,
    device: null,
    clientCredentials: null,
    notice: null,
  };
  return req.session.playground;
}

/** Every secret the state holds, so pages can mask each one wherever it appears. */
export function secretsOf(state: PlaygroundState): string[] {
  const secrets: (string | null | undefined)[] = [
    state.clients.confidential?.clientSecret,
    state.web?.codeVerifier,
    state.web?.code,
    state.web?.oldRefreshToken,
    ...tokenSecrets(state.web?.tokens),
    state.device?.authorization?.deviceCode,
    ...tokenSecrets(state.device?.tokens),
    ...tokenSecrets(state.clientCredentials?.tokens),
  ];
  for (const flow of [state.web, state.device, state.clientCredentials]) {
    for (const step of Object.values(flow?.steps ?? {})) {
      for (const exchange of step.exchanges) secrets.push(...secretsInBody(exchange.response?.body));
    }
  }
  return [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8))];
}

function tokenSecrets(tokens: TokenSet | null | undefined): (string | null)[] {
  return tokens ? [tokens.accessToken, tokens.refreshToken] : [];
}

const SECRET_FIELDS = ['access_token', 'refresh_token', 'device_code', 'client_secret', 'code'];

/** Tokens in a JSON answer (also one the flow did not keep, e.g. a token answer it refused). */
function secretsInBody(body: string | undefined): string[] {
  if (body === undefined || !body.startsWith('{')) return [];
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null) return [];
    return SECRET_FIELDS.map((field) => (value as Record<string, unknown>)[field]).filter(
      (v): v is string => typeof v === 'string',
    );
  } catch {
    return [];
  }
}
