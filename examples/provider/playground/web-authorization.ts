import * as oauth from 'oauth4webapi';
import { playgroundCallback } from './demo-clients';
import { clientOf, discover, type FlowContext, runStep, tokenSetOf, useClient } from './flow-context';
import type { Finding, WebFlowState } from './state';
import { StepRefusedError } from './step-refused-error';
import { describeClientError, WireRecorder } from './wire';

/**
 * The authorization code flow up to the tokens, one step per request, each sent by oauth4webapi
 * over real HTTP to the issuer and recorded: authorization request → (consent in the browser) →
 * callback → token request. What follows with the tokens is in `web-tokens.ts`.
 */

/** This session's web flow; a step before step 1 is refused. */
export function webFlow(ctx: FlowContext): WebFlowState {
  const web = ctx.state.web;
  if (web === null) throw new StepRefusedError('Start with step 1: build the authorization request.');
  return web;
}

/**
 * RFC 6749 §4.1.1 with RFC 7636 §4.1–4.3: a random `state` ties the answer to this request
 * (§10.12, CSRF); the `code_verifier` stays here and only its S256 `code_challenge` travels.
 */
export async function buildAuthorizationRequest(ctx: FlowContext, scopes: string[]): Promise<void> {
  const client = await useClient(ctx, ctx.state.kind);
  const recorder = new WireRecorder(ctx.issuer);
  const server = await discover(recorder, ctx.issuer);
  const state = oauth.generateRandomState();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  if (typeof server.authorization_endpoint !== 'string')
    throw new StepRefusedError('The server metadata names no authorization_endpoint.');
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: playgroundCallback(ctx.issuer),
    // No scope ticked: the parameter is left out and the provider applies its default (§3.3).
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  ctx.state.web = {
    client,
    scopes,
    state,
    codeVerifier,
    codeChallenge,
    authorizationUrl: url.href,
    server,
    callbackQuery: null,
    code: null,
    tokens: null,
    oldRefreshToken: null,
    steps: { authorize: { exchanges: recorder.exchanges, findings: [] } },
  };
}

/**
 * RFC 6749 §4.1.2 and RFC 9207 §2.4: the browser comes back with `code`, `state` and `iss`. The
 * client accepts the code only if `state` is the one it sent and `iss` names its issuer (a mix-up
 * defence); oauth4webapi's `validateAuthResponse` checks both, and the page shows each check.
 */
export function receiveCallback(ctx: FlowContext, query: URLSearchParams): void {
  const web = webFlow(ctx);
  const findings: Finding[] = [];
  const state = query.get('state');
  const iss = query.get('iss');
  findings.push({
    ok: state === web.state,
    text:
      state === web.state
        ? '`state` is the one this session sent'
        : '`state` does not match this session’s request',
  });
  findings.push({
    ok: iss === web.server.issuer,
    text:
      iss === web.server.issuer
        ? `\`iss\` is this issuer, ${web.server.issuer}`
        : `\`iss\` is not ${web.server.issuer}`,
  });
  web.callbackQuery = query.toString();
  web.code = null;
  web.tokens = null;
  web.oldRefreshToken = null;
  web.steps = { authorize: web.steps.authorize };
  try {
    const validated = oauth.validateAuthResponse(web.server, clientOf(web.client).client, query, web.state);
    web.code = validated.get('code');
    findings.push({ ok: true, text: 'oauth4webapi accepted the response: the code may be exchanged' });
  } catch (error) {
    findings.push({ ok: false, text: describeClientError(error) });
  }
  web.steps.callback = { exchanges: [], findings };
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.5: the code, the same redirect URI and the verifier. */
export async function exchangeCode(ctx: FlowContext): Promise<void> {
  const web = webFlow(ctx);
  if (web.code === null || web.callbackQuery === null)
    throw new StepRefusedError('The token request needs the code from the callback (steps 2 and 3).');
  const { client, auth } = clientOf(web.client);
  const recorder = new WireRecorder(ctx.issuer);
  web.steps.token = await runStep(recorder, async (findings) => {
    // validateAuthResponse again: oauth4webapi sends only parameters it validated itself.
    const callback = oauth.validateAuthResponse(
      web.server,
      client,
      new URLSearchParams(web.callbackQuery ?? ''),
      web.state,
    );
    const response = await recorder.capture('Token request', () =>
      oauth.authorizationCodeGrantRequest(
        web.server,
        client,
        auth,
        callback,
        playgroundCallback(ctx.issuer),
        web.codeVerifier,
        recorder.options,
      ),
    );
    web.tokens = tokenSetOf(await oauth.processAuthorizationCodeResponse(web.server, client, response));
    recorder.conclude('oauth4webapi accepted the token response');
    findings.push({ ok: true, text: `Granted scope: ${web.tokens.scope || '(none)'}` });
  });
}
