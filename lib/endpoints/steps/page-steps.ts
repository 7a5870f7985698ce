import { ForgedFormError } from '../../errors/http-error';
import { issueBoundCsrfToken, issueCsrfToken, verifyBoundCsrfToken, verifyCsrfToken } from '../../http/csrf';
import { currentUser, loginRedirectUrl } from '../../http/current-user';
import type { ConsentPageData } from '../../options/provider-options';
import { sendRedirect } from '../../respond/redirect';
import type { AuthorizationRequest } from '../authorization-request';
import type { Step } from '../chain';
import type { EndpointCall } from '../endpoint-call';
import { describeConsent } from './consent-data';

/**
 * The steps every page shares: authorization, device and settings pages all need the host's
 * logged-in user and check the CSRF token of what they post; consent and device show one
 * consent page.
 */

/**
 * The host's logged-in user, or a redirect to its login page with a way back: the page itself
 * for a GET, and for a POST (whose body cannot be replayed) the address `returnAfterPost` names.
 */
export function requireLogin(returnAfterPost: (call: EndpointCall) => string): Step {
  return async function requireLogin(call) {
    const { req, res, provider } = call;
    const user = await currentUser(req, provider.options);
    if (user !== null) {
      call.user = user;
      return;
    }
    const returnTo = req.method === 'POST' ? returnAfterPost(call) : req.originalUrl;
    sendRedirect(res, loginRedirectUrl(provider.options, returnTo));
  };
}

/** A posted form must carry the CSRF token bound to this browser and this user (403 otherwise). */
export function checkCsrf(call: EndpointCall): void {
  const { req, user, provider } = call;
  if (!verifyCsrfToken(req, user.id, call.postedCsrfToken(), provider.options)) throw new ForgedFormError();
}

/**
 * What a consent page's CSRF token is bound to: what the page shows and its form posts back and
 * the decision approves (the client, whose trust the page describes; the redirect URI, whose host
 * it names; the scopes; the response type, a code or a token in the fragment; the resources,
 * RFC 8707, that the approval adds to the grant's audience; and the resources
 * `authorization_details` named, RFC 9396, which the page pre-selects).
 */
export function consentBinding(request: AuthorizationRequest): string {
  const { client, target, scopes, responseType, resources, resourceSelection } = request;
  return [
    'consent',
    client.clientId,
    target.redirectUri,
    scopes.join(' '),
    responseType,
    resources.join(' '),
    resourceSelection === null ? '' : JSON.stringify(resourceSelection),
  ].join('\u0000');
}

/**
 * The consent decision (`POST /authorize`) must carry the token of a consent page shown to this
 * browser and user for this very client, redirect URI and scopes (403 otherwise): a token read
 * from one page approves no other request.
 */
export function checkConsentCsrf(call: EndpointCall): void {
  const { req, user, provider, authorization } = call;
  const token = call.postedCsrfToken();
  if (!verifyBoundCsrfToken(req, user.id, consentBinding(authorization), token, provider.options)) {
    throw new ForgedFormError();
  }
}

/**
 * The consent page (the `consent` view: the host's, or ours): who asks and who registered it, where
 * the browser goes next, for what, approve or deny. Its form posts `consent.fields` and a fresh
 * CSRF token back to `consent.action`.
 */
export async function showConsent(call: EndpointCall): Promise<void> {
  const { req, res, provider, user, consent } = call;
  const { options } = provider;
  const t = await provider.pages.languages.forRequest(req);
  const data: ConsentPageData = {
    ...(await describeConsent(provider, consent, t)),
    user,
    fields: {
      ...consent.fields,
      csrf_token:
        consent.csrfBinding === undefined
          ? issueCsrfToken(req, res, user.id, options)
          : issueBoundCsrfToken(req, res, user.id, consent.csrfBinding, options),
    },
    action: consent.action,
  };
  await provider.pages.send(req, res, 'consent', data);
}
