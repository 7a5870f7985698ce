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
import type { DeviceAuthorization, DeviceFlowState, Exchange } from './state';
import { StepRefusedError } from './step-refused-error';
import { describeClientError, WireRecorder } from './wire';

/** Polls shown on the page; older ones are dropped so a patient user's session stays small. */
const POLLS_KEPT = 6;

function flow(ctx: FlowContext): DeviceFlowState & { authorization: DeviceAuthorization } {
  const device = ctx.state.device;
  if (device === null || device.authorization === null)
    throw new StepRefusedError('Start the device flow first (step 1).');
  return { ...device, authorization: device.authorization };
}

/**
 * RFC 8628 §3.1–3.2: the device (here: the playground) asks for a device code and a short user
 * code, and learns where the user should enter it.
 */
export async function startDeviceFlow(ctx: FlowContext, scopes: string[]): Promise<void> {
  const demo = await useClient(ctx, ctx.state.kind);
  const { client, auth } = clientOf(demo);
  const recorder = new WireRecorder(ctx.issuer);
  const server = await discover(recorder, ctx.issuer);
  let authorization: DeviceAuthorization | null = null;
  const start = await runStep(recorder, async () => {
    const response = await recorder.capture('Device authorization request', () =>
      oauth.deviceAuthorizationRequest(
        server,
        client,
        auth,
        scopes.length > 0 ? { scope: scopes.join(' ') } : {},
        recorder.options,
      ),
    );
    const answer = await oauth.processDeviceAuthorizationResponse(server, client, response);
    recorder.conclude('oauth4webapi accepted the device authorization response');
    authorization = {
      deviceCode: answer.device_code,
      userCode: answer.user_code,
      verificationUri: answer.verification_uri,
      verificationUriComplete: answer.verification_uri_complete ?? null,
      interval: answer.interval ?? 5,
    };
  });
  ctx.state.device = { client: demo, scopes, server, authorization, tokens: null, steps: { start } };
}

/**
 * RFC 8628 §3.4–3.5: the device polls the token endpoint with its device code. Until the user
 * decides, the answer is `authorization_pending`; polling faster than `interval` earns
 * `slow_down`; after approval, the tokens.
 */
export async function pollForTokens(ctx: FlowContext): Promise<void> {
  const device = flow(ctx);
  if (device.tokens !== null)
    throw new StepRefusedError('The tokens have arrived; the device code is spent.');
  const { client, auth } = clientOf(device.client);
  const recorder = new WireRecorder(ctx.issuer);
  const earlier: Exchange[] = device.steps.poll?.exchanges ?? [];
  let tokens = null;
  const poll = await runStep(recorder, async (findings) => {
    const response = await recorder.capture(`Poll ${earlier.length + 1}`, () =>
      oauth.deviceCodeGrantRequest(
        device.server,
        client,
        auth,
        device.authorization.deviceCode,
        recorder.options,
      ),
    );
    try {
      const issued = tokenSetOf(await oauth.processDeviceCodeResponse(device.server, client, response));
      tokens = issued;
      recorder.conclude('oauth4webapi accepted the token response');
      findings.push({ ok: true, text: `The user approved: tokens for scope ${issued.scope || '(none)'}` });
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError)) throw error;
      recorder.conclude(describeClientError(error));
      findings.push({ ok: null, text: pollAdvice(error.error, device.authorization.interval) });
    }
  });
  const stored = ctx.state.device;
  if (stored === null) return;
  stored.tokens = tokens;
  // Newest first: the answer the user is waiting for is at the top.
  stored.steps.poll = {
    exchanges: [...poll.exchanges, ...earlier].slice(0, POLLS_KEPT),
    findings: poll.findings,
  };
}

function pollAdvice(error: string, interval: number): string {
  switch (error) {
    case 'authorization_pending':
      return '`authorization_pending`: the user has not decided yet. Enter the code (step 2), then poll again.';
    case 'slow_down':
      return `\`slow_down\`: this poll came sooner than the ${interval} s interval; a device then waits 5 s longer between polls (RFC 8628 §3.5).`;
    case 'access_denied':
      return '`access_denied`: the user denied the device. Start again to retry.';
    case 'expired_token':
      return '`expired_token`: the device code expired. Start again.';
    default:
      return `\`${error}\`: the device flow ended. Start again.`;
  }
}

/** RFC 6750 §2.1: the device's token on the API, like any other user token. */
export async function callApiWithDeviceToken(ctx: FlowContext): Promise<void> {
  const device = ctx.state.device;
  const tokens = device?.tokens ?? null;
  if (device === null || tokens === null)
    throw new StepRefusedError('Poll until the tokens arrive first (step 3).');
  const recorder = new WireRecorder(ctx.issuer);
  device.steps.api = await runStep(recorder, async () => {
    await callApi(recorder, tokens.accessToken, 'GET', `${ctx.issuer}/api/user`);
  });
}
