import * as oauth from 'oauth4webapi';
import type { Provider } from '../../../lib';
import { demoClient } from './demo-clients';
import type { ClientKind, DemoClient, Finding, PlaygroundState, StepRecord, TokenSet } from './state';
import { describeClientError, type WireRecorder } from './wire';

/** What every step works with: the provider's services, the issuer it is reached at, whose session. */
export interface FlowContext {
  provider: Provider;
  issuer: string;
  userId: string;
  state: PlaygroundState;
}

/** The demo client of this kind for this user, registered or reused, remembered in the session. */
export async function useClient(ctx: FlowContext, kind: ClientKind): Promise<DemoClient> {
  const client = await demoClient(ctx.provider, ctx.issuer, ctx.userId, kind, ctx.state.clients[kind]);
  ctx.state.clients[kind] = client;
  return client;
}

/**
 * The client as oauth4webapi sees it, and how it authenticates at the token endpoint: HTTP Basic
 * with the secret for the confidential client (RFC 6749 §2.3.1), `client_id` alone for the
 * public one (it proves itself with PKCE instead).
 */
export function clientOf(demo: DemoClient): { client: oauth.Client; auth: oauth.ClientAuth } {
  return {
    client: { client_id: demo.clientId },
    auth: demo.clientSecret === null ? oauth.None() : oauth.ClientSecretBasic(demo.clientSecret),
  };
}

/** RFC 8414 §3: the client reads the endpoints from the server's metadata instead of hard-coding them. */
export async function discover(recorder: WireRecorder, issuer: string): Promise<oauth.AuthorizationServer> {
  const issuerUrl = new URL(issuer);
  const response = await recorder.capture('Authorization server metadata', () =>
    oauth.discoveryRequest(issuerUrl, { ...recorder.options, algorithm: 'oauth2' }),
  );
  const server = await oauth.processDiscoveryResponse(issuerUrl, response);
  recorder.conclude(
    'oauth4webapi: the metadata names this issuer (RFC 8414 §3.3), so the client trusts its endpoints',
  );
  return server;
}

export function tokenSetOf(answer: oauth.TokenEndpointResponse): TokenSet {
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? null,
    scope: answer.scope ?? '',
    expiresIn: answer.expires_in ?? null,
  };
}

/**
 * Runs a step's protocol work and returns its record: what went over the wire and what the page
 * concludes. An error it did not expect (the provider down, an answer oauth4webapi refuses)
 * becomes a failed finding on the step instead of an error page.
 */
export async function runStep(
  recorder: WireRecorder,
  work: (findings: Finding[]) => Promise<void>,
): Promise<StepRecord> {
  const findings: Finding[] = [];
  try {
    await work(findings);
  } catch (error) {
    const text = describeClientError(error);
    recorder.conclude(text);
    findings.push({ ok: false, text });
  }
  return { exchanges: recorder.exchanges, findings };
}

/**
 * RFC 6750 §2.1: a call to the example's API with the token in the `Authorization: Bearer` header.
 * A 401 or 403 answer carries a `WWW-Authenticate` challenge (§3), which oauth4webapi raises.
 */
export async function callApi(
  recorder: WireRecorder,
  accessToken: string,
  method: 'GET' | 'POST',
  url: string,
  json?: unknown,
): Promise<Response | null> {
  const headers = new Headers({ accept: 'application/json' });
  if (json !== undefined) headers.set('content-type', 'application/json');
  try {
    const response = await recorder.capture(`${method} ${new URL(url).pathname}`, () =>
      oauth.protectedResourceRequest(
        accessToken,
        method,
        new URL(url),
        headers,
        json === undefined ? undefined : JSON.stringify(json),
        recorder.options,
      ),
    );
    const scopes = response.headers.get('x-oauth-scopes');
    recorder.conclude(
      `${response.status} ${response.statusText}${scopes === null ? '' : ` — X-OAuth-Scopes: ${scopes || '(none)'}`}`,
    );
    return response;
  } catch (error) {
    if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
    recorder.conclude(describeClientError(error));
    return null;
  }
}
