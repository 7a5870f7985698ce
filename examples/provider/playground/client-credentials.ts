import * as oauth from 'oauth4webapi';
import {
  callApi,
  clientOf,
  discover,
  type FlowContext,
  runStep,
  tokenSetOf,
  useClient,
} from './flow-context';
import type { TokenSet } from './state';
import { StepRefusedError } from './step-refused-error';
import { WireRecorder } from './wire';

/**
 * RFC 6749 §4.4: the confidential client asks for a token for itself — no user, no browser, no
 * refresh token (§4.4.3) — with a machine scope such as `ci:status`.
 */
export async function requestClientToken(ctx: FlowContext, scopes: string[]): Promise<void> {
  const demo = await useClient(ctx, 'confidential');
  const { client, auth } = clientOf(demo);
  const recorder = new WireRecorder(ctx.issuer);
  const server = await discover(recorder, ctx.issuer);
  let tokens: TokenSet | null = null;
  const token = await runStep(recorder, async (findings) => {
    const response = await recorder.capture('Token request', () =>
      oauth.clientCredentialsGrantRequest(
        server,
        client,
        auth,
        scopes.length > 0 ? { scope: scopes.join(' ') } : {},
        recorder.options,
      ),
    );
    const issued = tokenSetOf(await oauth.processClientCredentialsResponse(server, client, response));
    tokens = issued;
    recorder.conclude('oauth4webapi accepted the token response');
    findings.push({
      ok: issued.refreshToken === null,
      text:
        issued.refreshToken === null
          ? 'No refresh token: the client simply asks again (RFC 6749 §4.4.3)'
          : 'The answer carries a refresh token',
    });
  });
  ctx.state.clientCredentials = { client: demo, server, tokens, steps: { token } };
}

/**
 * RFC 6750 §2.1: the machine token reports a commit status (`ci:status`); `/api/user` refuses it,
 * because a client_credentials token belongs to no user.
 */
export async function useClientToken(ctx: FlowContext): Promise<void> {
  const flow = ctx.state.clientCredentials;
  const tokens = flow?.tokens ?? null;
  if (!flow || tokens === null) throw new StepRefusedError('Request a token first (step 1).');
  const recorder = new WireRecorder(ctx.issuer);
  flow.steps.api = await runStep(recorder, async () => {
    await callApi(recorder, tokens.accessToken, 'POST', `${ctx.issuer}/api/statuses`, {
      sha: '3f2c1e9a7b4d5c6e8f9a0b1c2d3e4f5a6b7c8d9e',
      state: 'success',
      context: 'ci/playground',
      description: 'All checks passed',
    });
    await callApi(recorder, tokens.accessToken, 'GET', `${ctx.issuer}/api/user`);
  });
}
