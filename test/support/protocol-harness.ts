/**
 * Small helpers for the protocol tests of the revocation, introspection, token info, device and
 * opt-in grant endpoints, on top of `provider-harness.ts`: client authentication for any endpoint,
 * the device flow driven the way a device and a browser would, and fragment parsing.
 */
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { cookiesOf, hiddenFields, type RegisteredApp, USER_HEADER } from './provider-harness';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** The default grants plus the device grant. */
export const WITH_DEVICE_GRANT = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT];

/** `Authorization: Basic …` for a client id and secret (RFC 6749 §2.3.1: form-encoded, then base64). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

export type ClientAuth = 'basic' | 'body' | 'none';

/**
 * POSTs a form to an endpoint as `client`: HTTP Basic, body credentials, or (for `none`, and
 * always for public clients) `client_id` alone.
 */
export function postAsClient(
  app: Express,
  path: string,
  client: RegisteredApp,
  fields: Record<string, string>,
  auth: ClientAuth = 'basic',
): Promise<Response> {
  const call = request(app).post(path).type('form');
  if (client.clientSecret === null || auth === 'none') {
    return call.send({ ...fields, client_id: client.clientId });
  }
  if (auth === 'basic') {
    return call.set('Authorization', basicAuth(client.clientId, client.clientSecret)).send(fields);
  }
  return call.send({ ...fields, client_id: client.clientId, client_secret: client.clientSecret });
}

/** The parameters of a redirect's fragment (implicit grant, RFC 6749 §4.2.2). */
export function fragmentParams(response: Response): URLSearchParams {
  const location = response.headers.location;
  if (typeof location !== 'string') throw new Error(`expected a redirect, got ${response.status}`);
  const hash = new URL(location).hash;
  return new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
}

/** The JSON body of an answer as a record (supertest types it `any`). */
export function bodyOf(response: Response): Record<string, unknown> {
  const body: unknown = response.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

export interface DeviceCodeAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** RFC 8628 §3.1: the device asks for a device code; fails the test unless it gets one. */
export async function requestDeviceCode(
  app: Express,
  client: RegisteredApp,
  scope?: string,
): Promise<DeviceCodeAnswer> {
  const response = await postAsClient(
    app,
    '/oauth/device/code',
    client,
    scope === undefined ? {} : { scope },
  );
  if (response.status !== 200)
    throw new Error(`device code request failed: ${response.status} ${response.text}`);
  return response.body as DeviceCodeAnswer;
}

/** RFC 8628 §3.4: one poll of the token endpoint with the device code. */
export function pollDevice(app: Express, client: RegisteredApp, deviceCode: string): Promise<Response> {
  return postAsClient(app, '/oauth/token', client, { grant_type: DEVICE_GRANT, device_code: deviceCode });
}

/**
 * RFC 8628 §3.3 as the test host's browser: open the device page as `user`, post the code as
 * typed, then approve or deny on the consent page. Returns the final answer.
 */
export async function decideDevice(
  app: Express,
  typedCode: string,
  decision: 'approve' | 'deny',
  user = 'alice',
): Promise<Response> {
  const form = await request(app).get('/oauth/device').set(USER_HEADER, user);
  if (form.status !== 200) throw new Error(`device page failed: ${form.status}`);
  const cookie = cookiesOf(form);
  const consent = await request(app)
    .post('/oauth/device')
    .set(USER_HEADER, user)
    .set('Cookie', cookie)
    .type('form')
    .send({ csrf_token: hiddenFields(form.text).csrf_token ?? '', user_code: typedCode });
  if (consent.status !== 200) throw new Error(`device code entry failed: ${consent.status} ${consent.text}`);
  return request(app)
    .post('/oauth/device')
    .set(USER_HEADER, user)
    .set('Cookie', cookie)
    .type('form')
    .send({ ...hiddenFields(consent.text), decision });
}
