import * as oauth from 'oauth4webapi';
import { callApi, clientOf, type FlowContext, runStep, tokenSetOf } from './flow-context';
import type { Finding, TokenSet, WebFlowState } from './state';
import { StepRefusedError } from './step-refused-error';
import { webFlow } from './web-authorization';
import { describeClientError, WireRecorder } from './wire';

/**
 * The web flow's tokens at work: API calls → introspection → refresh with rotation → revocation
 * → replay of the replaced refresh token, each over real HTTP and recorded.
 */

/** RFC 6750 §2.1: the access token on the example's API; `X-OAuth-Scopes` says what it carries. */
export async function callTheApi(ctx: FlowContext): Promise<void> {
  const tokens = requireTokens(ctx);
  const recorder = new WireRecorder(ctx.issuer);
  webFlow(ctx).steps.api = await runStep(recorder, async () => {
    await callApi(recorder, tokens.accessToken, 'GET', `${ctx.issuer}/api/user`);
    await callApi(recorder, tokens.accessToken, 'GET', `${ctx.issuer}/api/repos`);
  });
}

/** RFC 7662 §2.1: the confidential client asks whether the access token is active. */
export async function introspect(ctx: FlowContext): Promise<void> {
  const web = webFlow(ctx);
  const tokens = requireTokens(ctx);
  const recorder = new WireRecorder(ctx.issuer);
  web.steps.introspect = await runStep(recorder, async (findings) => {
    await introspectInto(recorder, findings, web, tokens.accessToken, 'Introspection', true);
  });
}

async function introspectInto(
  recorder: WireRecorder,
  findings: Finding[],
  web: WebFlowState,
  token: string,
  title: string,
  expectActive: boolean,
): Promise<void> {
  if (web.client.clientSecret === null) {
    findings.push({
      ok: null,
      text: 'Introspection (RFC 7662 §2.1) needs a confidential client; this flow runs with the public one. Pick the confidential client on the overview and run the flow again to see it.',
    });
    return;
  }
  const { client, auth } = clientOf(web.client);
  const response = await recorder.capture(title, () =>
    oauth.introspectionRequest(web.server, client, auth, token, recorder.options),
  );
  const answer = await oauth.processIntrospectionResponse(web.server, client, response);
  recorder.conclude(`oauth4webapi: active = ${answer.active}`);
  findings.push({
    ok: answer.active === expectActive,
    text: `${title}: the token is ${answer.active ? 'active' : 'not active'}`,
  });
}

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every refresh returns a new refresh token and
 * the one it replaces stops working.
 */
export async function refresh(ctx: FlowContext): Promise<void> {
  const web = webFlow(ctx);
  const tokens = requireTokens(ctx);
  const old = tokens.refreshToken;
  if (old === null) throw new StepRefusedError('This token answer carried no refresh token.');
  const { client, auth } = clientOf(web.client);
  const recorder = new WireRecorder(ctx.issuer);
  web.steps.refresh = await runStep(recorder, async (findings) => {
    const response = await recorder.capture('Refresh request', () =>
      oauth.refreshTokenGrantRequest(web.server, client, auth, old, recorder.options),
    );
    const fresh = tokenSetOf(await oauth.processRefreshTokenResponse(web.server, client, response));
    recorder.conclude('oauth4webapi accepted the refresh response');
    web.tokens = fresh;
    web.oldRefreshToken = old;
    const rotated = fresh.refreshToken !== null && fresh.refreshToken !== old;
    findings.push({
      ok: rotated,
      text: rotated
        ? 'Rotation: the answer carries a new refresh token; the one sent is now spent'
        : 'The refresh token was not rotated',
    });
    findings.push({
      ok: fresh.accessToken !== tokens.accessToken,
      text: 'A new access token replaces the first one',
    });
  });
}

/**
 * RFC 7009 §2.1: the client revokes its access token; introspection (RFC 7662) then calls it
 * inactive and the API refuses it with 401 `invalid_token` (RFC 6750 §3.1).
 */
export async function revoke(ctx: FlowContext): Promise<void> {
  const web = webFlow(ctx);
  const tokens = requireTokens(ctx);
  const { client, auth } = clientOf(web.client);
  const recorder = new WireRecorder(ctx.issuer);
  web.steps.revoke = await runStep(recorder, async (findings) => {
    await introspectInto(recorder, findings, web, tokens.accessToken, 'Introspection before', true);
    const response = await recorder.capture('Revocation request', () =>
      oauth.revocationRequest(web.server, client, auth, tokens.accessToken, {
        ...recorder.options,
        additionalParameters: { token_type_hint: 'access_token' },
      }),
    );
    await oauth.processRevocationResponse(response);
    recorder.conclude('oauth4webapi: revoked (RFC 7009 §2.2 answers 200 either way)');
    if (web.client.clientSecret !== null)
      await introspectInto(recorder, findings, web, tokens.accessToken, 'Introspection after', false);
    const api = await callApi(recorder, tokens.accessToken, 'GET', `${ctx.issuer}/api/user`);
    findings.push({
      ok: api === null,
      text:
        api === null ? 'The API refuses the revoked access token' : 'The API still accepts the revoked token',
    });
  });
}

/**
 * RFC 9700 §4.14.2: a replaced refresh token used again means it leaked, so the provider revokes
 * the whole grant — the current refresh token stops working too.
 */
export async function replayOldRefreshToken(ctx: FlowContext): Promise<void> {
  const web = webFlow(ctx);
  const old = web.oldRefreshToken;
  const current = web.tokens?.refreshToken ?? null;
  if (old === null || current === null)
    throw new StepRefusedError('Refresh first (step 7): the replay sends the refresh token it replaced.');
  const { client, auth } = clientOf(web.client);
  const recorder = new WireRecorder(ctx.issuer);
  web.steps.replay = await runStep(recorder, async (findings) => {
    for (const [title, token] of [
      ['Replay of the replaced refresh token', old],
      ['Refresh with the current refresh token', current],
    ] as const) {
      const response = await recorder.capture(title, () =>
        oauth.refreshTokenGrantRequest(web.server, client, auth, token, recorder.options),
      );
      try {
        await oauth.processRefreshTokenResponse(web.server, client, response);
        recorder.conclude('oauth4webapi accepted the refresh response');
        findings.push({ ok: false, text: `${title}: accepted` });
      } catch (error) {
        if (!(error instanceof oauth.ResponseBodyError)) throw error;
        recorder.conclude(describeClientError(error));
        findings.push({ ok: error.error === 'invalid_grant', text: `${title}: refused with ${error.error}` });
      }
    }
    const bothRefused = findings.every((finding) => finding.ok === true);
    findings.push({
      ok: bothRefused,
      text: bothRefused
        ? 'The replay revoked the whole grant: the current refresh token died with the old one'
        : 'The grant survived the replay',
    });
  });
}

function requireTokens(ctx: FlowContext): TokenSet {
  const tokens = webFlow(ctx).tokens;
  if (tokens === null) throw new StepRefusedError('Exchange the code for tokens first (step 4).');
  return tokens;
}
