import type { ErrorRequestHandler } from 'express';
import type { HttpError } from '../errors/http-error';
import { OAuthError } from '../errors/oauth-error';
import { answerGuardError } from '../guards/authenticate';
import type { ProviderContext } from '../provider-context';
import { sendJsonError, toHttpError } from '../respond/json';
import { MAX_REDIRECT_LENGTH, redirectIfItFits, redirectLocation } from '../respond/redirect';
import { isPrivateUseRedirect } from '../validation/application-input';
import { withoutBidiControls } from '../views/bidi';
import { safeHref } from '../views/layout';
import type { EndpointCall } from './endpoint-call';
import { redirectHostOf } from './steps/consent-data';

/**
 * How each kind of route answers an error; the route tables name one per route, as
 * node-oidc-provider's `initialize_app.js` does. Unexpected failures reach `onError` and answer a
 * detail-free `server_error`.
 */

/** RFC 6749 §5.2: token, revocation, introspection, device authorization, settings API. */
export function answerJson(error: unknown, { res, provider }: EndpointCall): void {
  sendJsonError(res, toHttpError(error, provider.onError));
}

/** RFC 6750 §3: a protected resource's challenge and JSON body (token info). */
export function answerBearer(error: unknown, { res, provider }: EndpointCall): void {
  answerGuardError(res, error, provider);
}

/** An HTML error page with the error's own status (the device pages). */
export function answerPage(error: unknown, { req, res, provider }: EndpointCall): Promise<void> {
  return provider.pages.sendError(req, res, toHttpError(error, provider.onError));
}

/**
 * RFC 9700 §4.11.2: before the user has decided, an error goes back to the redirect URI only for
 * applications the host vouches for (`first-party`, `host`); anyone can register a `user`
 * application, and redirecting its errors would make this site an open redirector. After the
 * decision (a deny, a failure issuing the code) errors redirect as RFC 6749 §4.1.2.1 has them, and
 * `errorRedirects: 'all'` restores that for every error.
 */
function redirectsErrors(call: EndpointCall): boolean {
  const trust = call.clientOrNull()?.trust;
  return (
    call.provider.options.errorRedirects === 'all' ||
    call.userDecided ||
    trust === 'first-party' ||
    trust === 'host'
  );
}

/** The link back from the return page: only to what a redirect could reach (http(s), a native app's scheme). */
function returnLink(redirectUri: string, location: string): string | null {
  return safeHref(redirectUri) !== null || isPrivateUseRedirect(redirectUri) ? location : null;
}

/**
 * The authorization endpoint (RFC 6749 §4.1.2.1): once the client and redirect URI are verified,
 * errors the RFC lets the client see go back to it — for an unverified application before the
 * user's decision, as a page with a link back instead; everything else — a bad client or
 * redirect URI (never redirect to an unverified address), a forged form, a redirect too long to
 * follow — is the HTML page.
 */
export async function answerAuthorization(error: unknown, call: EndpointCall): Promise<void> {
  const failure: HttpError = toHttpError(error, call.provider.onError);
  const target = call.redirect;
  const client = call.clientOrNull();
  if (failure instanceof OAuthError && failure.redirectable && target !== null && client !== null) {
    const location = redirectLocation(target, {
      error: failure.code,
      error_description: failure.description,
    });
    if (redirectsErrors(call)) {
      if (redirectIfItFits(call.res, location)) return;
    } else if (location.length <= MAX_REDIRECT_LENGTH) {
      await call.provider.pages.sendError(call.req, call.res, failure, {
        view: 'error',
        returnTo: {
          application: withoutBidiControls(client.name),
          host: redirectHostOf(target.redirectUri),
          url: returnLink(target.redirectUri, location),
        },
      });
      return;
    }
  }
  await call.provider.pages.sendError(call.req, call.res, failure);
}

/**
 * A router's last handler, for errors that reach Express instead of a route's error style (the
 * settings API's content-type check runs before any route): the RFC 6749 §5.2 JSON answer.
 */
export function jsonErrorFallback(provider: ProviderContext): ErrorRequestHandler {
  return function answerUnroutedError(err: unknown, _req, res, next): void {
    if (res.headersSent) next(err);
    else sendJsonError(res, toHttpError(err, provider.onError));
  };
}
