import { type Masking, maskedHtml } from '../mask';
import type { DeviceFlowState } from '../state';
import { stepResults } from './exchange-view';
import { type Html, html } from './html';
import { actionForm, rfc, type StepStatus, scopeChoices, step } from './parts';

export interface DeviceFlowView {
  device: DeviceFlowState | null;
  kind: 'public' | 'confidential';
  scopes: readonly { name: string; description: string }[];
  csrfToken: string;
  masking: Masking;
}

function status(done: boolean, ready: boolean): StepStatus {
  return done ? 'done' : ready ? 'current' : 'waiting';
}

/** RFC 8628, the device authorization grant, in four steps. */
export function deviceFlowView(view: DeviceFlowView): Html {
  const { device, csrfToken, masking } = view;
  const authorization = device?.authorization ?? null;
  const tokens = device?.tokens ?? null;
  const steps = device?.steps ?? {};
  const at = (path: string) => `/playground/device/${path}`;
  const pollStatus = status(tokens !== null, authorization !== null);
  const apiStatus = status(steps.api !== undefined, tokens !== null);

  const start = step(
    {
      id: 'step-start',
      number: 1,
      title: 'Ask for a device code',
      status: status(authorization !== null, true),
      rfcs: [
        rfc(8628, '3.1', 'Device Authorization Request'),
        rfc(8628, '3.2', 'Device Authorization Response'),
      ],
      explain: html`<p>A device with no browser or keyboard to speak of — a command-line tool, a TV — asks the provider for a <code>device_code</code>, which it keeps, and a short <code>user_code</code>, which it shows to the user together with where to enter it. This run uses the <strong>${view.kind}</strong> demo client.</p>`,
    },
    html`${actionForm(at('start'), csrfToken, device === null ? 'Start the device flow' : 'Start over', {
      id: 'start-device-flow',
      primary: device === null,
      fields: scopeChoices(view.scopes, device?.scopes ?? ['user'], 'device-scope'),
    })}
${stepResults(steps.start, masking, 1)}`,
  );

  const enter = step(
    {
      id: 'step-enter',
      number: 2,
      title: 'Enter the code on the verification page',
      status: status(tokens !== null, authorization !== null),
      rfcs: [rfc(8628, '3.3', 'User Interaction')],
      explain: html`<p>The user goes to the verification page on any device where they can sign in — here, a new tab of this browser — types the code and approves. The complete link carries the code already, for devices that can show a QR code.</p>`,
    },
    authorization === null
      ? html`<p class="muted">Start the flow first.</p>`
      : html`<div class="user-code"><span class="muted">Your code</span><strong id="user-code">${authorization.userCode}</strong></div>
<p><a class="button" id="verification-uri" href="${authorization.verificationUri}" target="_blank" rel="noopener">Open ${authorization.verificationUri}</a>
${authorization.verificationUriComplete === null ? '' : html`<a class="button primary" id="verification-uri-complete" href="${authorization.verificationUriComplete}" target="_blank" rel="noopener">Open the complete link (code filled in) →</a>`}</p>`,
  );

  const poll = step(
    {
      id: 'step-poll',
      number: 3,
      title: 'Poll the token endpoint',
      status: pollStatus,
      rfcs: [
        rfc(8628, '3.4', 'Device Access Token Request'),
        rfc(8628, '3.5', 'Device Access Token Response'),
      ],
      explain: html`<p>Meanwhile the device polls the token endpoint with its <code>device_code</code>, at most every <code>interval</code> seconds${authorization ? html` (here ${authorization.interval} s)` : ''}. Before you decide, the answer is <code>authorization_pending</code>; after you approve, the tokens. Poll now, before entering the code, to see the pending answer.</p>`,
    },
    html`${actionForm(at('poll'), csrfToken, 'Poll', { id: 'poll', primary: pollStatus === 'current', disabled: authorization === null || tokens !== null })}
${stepResults(steps.poll, masking)}`,
  );

  const api = step(
    {
      id: 'step-device-api',
      number: 4,
      title: 'Call the API with the device’s token',
      status: apiStatus,
      rfcs: [rfc(6750, '2.1')],
      explain: html`<p>The device’s access token is a user token like any other: <code>/api/user</code> answers with the user who approved.</p>`,
    },
    html`${actionForm(at('api'), csrfToken, 'Call /api/user', { id: 'device-call-api', primary: apiStatus === 'current', disabled: tokens === null })}
${stepResults(steps.api, masking)}`,
  );

  return html`<h1>Device flow</h1>
<p class="lede">How a device that cannot show a web page gets a token: it shows a code, the user approves in a browser elsewhere, the device polls. ${tokens ? html`Access token: <code>${maskedHtml(tokens.accessToken, masking)}</code>` : ''}</p>
${[start, enter, poll, api]}`;
}
