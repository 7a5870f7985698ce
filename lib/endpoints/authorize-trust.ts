import { SilentConsentRequiredError, SilentLoginRequiredError } from '../errors/oauth-error';
import { currentUser, loginRedirectUrl } from '../http/current-user';
import { sendRedirect } from '../respond/redirect';
import { grantCovers } from '../scopes/resource-access';
import type { ApplicationRecord } from '../storage/storage-adapter';
import type { EndpointCall } from './endpoint-call';

/**
 * The steps of `/oauth/authorize` that depend on who the client is and what it asked of the user
 * (`prompt`): the login, and whether the consent page is shown. What the page says is in
 * `steps/consent-data.ts`; where errors go, in `error-styles.ts`.
 */

/**
 * RFC 6749 §10.2, RFC 8252 §8.6: a remembered consent is reused silently only for a client that
 * proves who it is (confidential) or belongs to the host (first-party). Any local process can ask
 * with a public client's `client_id` and a loopback redirect URI, so a public client's user sees
 * the page every time.
 */
function remembersConsent(client: ApplicationRecord): boolean {
  return client.confidential || client.trust === 'first-party';
}

/** The authorization URL again, without `login` in `prompt`, so the login does not loop. */
function withoutLoginPrompt(originalUrl: string): string {
  const question = originalUrl.indexOf('?');
  if (question < 0) return originalUrl;
  const query = new URLSearchParams(originalUrl.slice(question + 1));
  const prompt = (query.get('prompt') ?? '').split(' ').filter((value) => value !== '' && value !== 'login');
  if (prompt.length === 0) query.delete('prompt');
  else query.set('prompt', prompt.join(' '));
  return `${originalUrl.slice(0, question)}?${query.toString()}`;
}

/**
 * The user, logged in, as the request asks (OpenID Connect Core §3.1.2.1 `prompt`): a visitor
 * who is not logged in goes to the host's login page, or with `prompt=none` gets `login_required`;
 * `prompt=login` sends even a logged-in user to the login page, coming back without it. A POST
 * (the consent form) comes back to the GET address of the same request, since its body cannot be
 * replayed.
 */
export function requireAuthorizationLogin(postReturnAddress: (call: EndpointCall) => string) {
  return async function requireAuthorizationLogin(call: EndpointCall): Promise<void> {
    const { req, res, provider, authorization } = call;
    const user = await currentUser(req, provider.options);
    const freshLogin = req.method === 'GET' && authorization.prompt.has('login');
    if (user !== null && !freshLogin) {
      call.user = user;
      return;
    }
    if (authorization.prompt.has('none'))
      throw new SilentLoginRequiredError(undefined, { redirectable: true });
    const returnTo = req.method === 'POST' ? postReturnAddress(call) : withoutLoginPrompt(req.originalUrl);
    sendRedirect(res, loginRedirectUrl(provider.options, returnTo));
  };
}

/**
 * Whether the consent page is needed, by the client's trust: a first-party application with
 * `skipConsent` never shows it (its grant is recorded, so the user can still revoke it); an
 * earlier consent covering the scopes (and any resources the request names) is reused for confidential and first-party clients;
 * `prompt=consent` always shows the page, and `prompt=none` turns a needed page into
 * `consent_required`. Answers with `issue` when no page is needed; otherwise notes the scopes
 * the user approved before, for the page to mark.
 */
export function skipConsentByTrust(issue: (call: EndpointCall) => Promise<void>) {
  return async function skipConsentByTrust(call: EndpointCall): Promise<void> {
    const { provider, user, authorization } = call;
    const { client, prompt, scopes, resources, resourceSelection } = authorization;
    if (prompt.has('consent')) return;
    const earlier = await provider.grants.find(user.id, client.id);
    // RFC 8707: an earlier consent covers the request only if it also named every resource asked
    // for; RFC 9396: and allowed every resource its authorization_details name.
    const covering =
      earlier !== null &&
      grantCovers(provider.options.scopes, earlier, scopes, resourceSelection) &&
      resources.every((uri) => earlier.audience.includes(uri))
        ? earlier
        : null;
    if (client.trust === 'first-party' && client.skipConsent) {
      call.grant =
        covering ?? (await provider.grants.approve(user.id, client, scopes, resources, resourceSelection));
      await issue(call);
      return;
    }
    if (covering !== null && remembersConsent(client)) {
      call.grant = covering;
      await issue(call);
      return;
    }
    if (prompt.has('none')) throw new SilentConsentRequiredError(undefined, { redirectable: true });
    call.rememberedScopes = earlier === null ? [] : [...provider.options.scopes.expand(earlier.scopes)];
  };
}
