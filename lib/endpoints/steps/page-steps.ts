import { ForgedFormError } from '../../errors/http-error';
import { issueCsrfToken, verifyCsrfToken } from '../../http/csrf';
import { currentUser, loginRedirectUrl } from '../../http/current-user';
import type { ConsentPageData } from '../../options/provider-options';
import { sendRedirect } from '../../respond/redirect';
import type { Step } from '../chain';
import type { EndpointCall } from '../endpoint-call';

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
 * The consent page (the `consent` view: the host's, or ours): who asks, for what, approve or
 * deny. Its form posts `consent.fields` and a fresh CSRF token back to `consent.action`.
 */
export async function showConsent(call: EndpointCall): Promise<void> {
  const { req, res, provider, user, consent } = call;
  const { options } = provider;
  const t = await provider.pages.languages.forRequest(req);
  const data: ConsentPageData = {
    user,
    application: {
      name: consent.client.name,
      homepageUrl: consent.client.homepageUrl,
      clientId: consent.client.clientId,
    },
    scopes: consent.scopes.map((name) => ({
      name,
      description: t.scope(name, options.scopes.describe(name)),
    })),
    resourceChoices: consent.resourceChoices ?? [],
    fields: { ...consent.fields, csrf_token: issueCsrfToken(req, res, user.id, options) },
    action: consent.action,
  };
  await provider.pages.send(req, res, 'consent', data);
}
