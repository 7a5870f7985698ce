import { issueCsrfToken } from '../../http/csrf';
import { readFormFields } from '../../http/read-form';
import { accessTokenRefused } from '../../http/session-guards';
import type { EndpointCall } from '../endpoint-call';
import { checkCsrf } from './page-steps';

/**
 * The steps the settings and admin sections share: each page is drawn in a frame (mount path,
 * signed-in user, a fresh CSRF token, the highlighted entry) and each `POST` is a form.
 */

/** The frame of a section page; the error page of the section keeps it too. */
export function sectionFrame<Active>(call: EndpointCall, active: Active) {
  const { req, res, provider, user } = call;
  return {
    baseUrl: req.baseUrl,
    csrfToken: issueCsrfToken(req, res, user.id, provider.options),
    username: user.username ?? user.id,
    active,
  };
}

/**
 * Every section `POST` is a form whose `csrf_token` matches this browser and this user (403
 * otherwise); an access token in it is refused, since pages act for a browser session only.
 */
export async function readPostedForm(call: EndpointCall): Promise<void> {
  if (call.req.method !== 'POST') return;
  call.form = await readFormFields(call.req, call.provider.options.bodyLimit);
  if (call.form.one('access_token') !== undefined) throw accessTokenRefused();
  checkCsrf(call);
}
