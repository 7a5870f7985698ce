/**
 * The device authorization grant (RFC 8628) as a device and a browser drive it: the device asks
 * for a code (§3.1) and polls (§3.4); the user types the code at the verification URI and decides
 * (§3.3).
 */
import { DEVICE_GRANT } from './fixtures';
import { postAsClient, token } from './flows';
import { hiddenFields } from './html';
import type { ClientCredentials } from './oauth';
import { type Answer, field, summarize, type UserAgent } from './user-agent';

export interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** §3.1: the device asks for a device code; fails the test unless it gets one. */
export async function requestDeviceCode(
  agent: UserAgent,
  client: ClientCredentials,
  scope?: string,
): Promise<DeviceCode> {
  const answer = await postAsClient(
    agent,
    '/oauth/device/code',
    client,
    scope === undefined ? {} : { scope },
  );
  if (answer.status !== 200) throw new Error(`device code request failed: ${summarize(answer)}`);
  const { body } = answer;
  return {
    device_code: field(answer, 'device_code'),
    user_code: field(answer, 'user_code'),
    verification_uri: field(answer, 'verification_uri'),
    verification_uri_complete: field(answer, 'verification_uri_complete'),
    expires_in: Number(body.expires_in),
    interval: Number(body.interval),
  };
}

/** §3.4: one poll of the token endpoint with the device code. */
export function pollDevice(agent: UserAgent, client: ClientCredentials, deviceCode: string): Promise<Answer> {
  return token(agent, client, { grant_type: DEVICE_GRANT, device_code: deviceCode });
}

/** §3.3: opens the code form and posts the code as typed; the consent page when it is right. */
export async function enterUserCode(browser: UserAgent, typed: string): Promise<Answer> {
  const form = await browser.send('/oauth/device');
  if (form.status !== 200) throw new Error(`device page failed: ${summarize(form)}`);
  return browser.send('/oauth/device', {
    form: { csrf_token: hiddenFields(form.text).csrf_token ?? '', user_code: typed },
  });
}

/** §3.3: the code as typed, then `decision` on the consent page. Returns the final page. */
export async function decideDevice(
  browser: UserAgent,
  typed: string,
  decision: 'approve' | 'deny',
): Promise<Answer> {
  const consent = await enterUserCode(browser, typed);
  if (consent.status !== 200) throw new Error(`device code entry failed: ${summarize(consent)}`);
  return browser.send('/oauth/device', { form: { ...hiddenFields(consent.text), decision } });
}
