import { type HttpError, TooManyAttemptsError, UnknownUserCodeError } from '../errors/http-error';
import { InvalidRequestError } from '../errors/oauth-error';
import { issueCsrfToken } from '../http/csrf';
import { message } from '../messages/catalog';
import { DECISIONS, FORM_FIELDS } from '../views/form-contract';
import type { EndpointCall } from './endpoint-call';
import { answerPage } from './error-styles';
import { requireLogin, showConsent } from './steps/page-steps';
import { approvedSelection, consentChoices, requestedPages } from './steps/resource-choice';

/**
 * The steps of `GET/POST /oauth/device` (RFC 8628 §3.3): the logged-in user enters the user code,
 * sees the consent page for the device's application, and approves or denies. Wrong codes are
 * limited per user (§5.1, in `DeviceService`).
 */

function devicePage({ req, provider }: EndpointCall): string {
  return `${req.baseUrl}${provider.options.basePath}/device`;
}

/** The code form (the `deviceCode` view), with why the last code was refused if it was. */
async function sendCodeForm(call: EndpointCall, status = 200, error: HttpError | null = null): Promise<void> {
  const { req, res, provider, user } = call;
  const t = await provider.pages.languages.forRequest(req);
  await provider.pages.send(
    req,
    res,
    'deviceCode',
    {
      action: devicePage(call),
      fields: { csrf_token: issueCsrfToken(req, res, user.id, provider.options) },
      error: error === null ? null : t.say(error.translatable ?? error.description),
    },
    status,
  );
}

/** A visitor who is not logged in comes back to the code form after logging in. */
export const requireDeviceLogin = requireLogin(devicePage);

/** Without a code in the address (`verification_uri`), the form that asks for one. */
export async function askForUserCode(call: EndpointCall): Promise<void> {
  if (call.params.user_code === undefined) await sendCodeForm(call);
}

/** The live device authorization the typed code names. */
export async function findPendingDevice(call: EndpointCall): Promise<void> {
  call.device = await call.provider.devices.findPending(call.params.user_code ?? '', call.user.id);
}

/**
 * The consent page for the device's application and scopes, showing the user code to compare
 * with the device's screen (RFC 8628 §5.4: a device far away may be asking); it posts the code back.
 * Resource-scoped scopes get the same "all or only these" choice as the authorization page ("all"
 * preselected: RFC 8628 has no `authorization_details` to name resources with).
 */
export async function prepareDeviceConsent(call: EndpointCall): Promise<void> {
  const { req, params, provider, user, device } = call;
  const more = req.method === 'POST' && params.decision === DECISIONS.more;
  const pages = requestedPages(params, more);
  const scopes = device.device.scopes;
  call.consent = {
    client: device.client,
    scopes,
    redirectUri: null,
    userCode: device.userCode,
    rememberedScopes: [],
    resourceChoices: await consentChoices(provider.options.scopes, user, scopes, null, params, pages),
    fields: { user_code: device.userCode, [FORM_FIELDS.resourcePages]: String(pages) },
    action: devicePage(call),
  };
}

/**
 * A posted code without a decision is the code form's submission: show its consent page; "show
 * more" shows it again with one more page of resources, keeping what the user ticked.
 */
export async function showConsentUntilDecided(call: EndpointCall): Promise<void> {
  const { decision } = call.params;
  if (decision !== undefined && decision !== DECISIONS.more) return;
  await prepareDeviceConsent(call);
  await showConsent(call);
}

/** The user's decision, recorded once for the device to find at its next poll. */
export async function recordDeviceDecision(call: EndpointCall): Promise<void> {
  const { req, res, params, provider, user, device } = call;
  if (params.decision !== 'approve' && params.decision !== 'deny') {
    throw new InvalidRequestError(message('problem.decision'));
  }
  const approved = params.decision === 'approve';
  // Every chosen resource must be the user's, as on the authorization page.
  const selection = approved
    ? await approvedSelection(provider.options.scopes, user, device.device.scopes, null, params)
    : null;
  await provider.devices.decide(device, user.id, approved, selection);
  await provider.pages.send(req, res, 'deviceDone', { approved });
}

/** The code form's errors: a wrong code or too many of them show the form again, with the reason. */
export async function answerDeviceCodeError(error: unknown, call: EndpointCall): Promise<void> {
  if (error instanceof UnknownUserCodeError || error instanceof TooManyAttemptsError) {
    call.res.set(error.headers);
    await sendCodeForm(call, error.status, error);
    return;
  }
  await answerPage(error, call);
}
