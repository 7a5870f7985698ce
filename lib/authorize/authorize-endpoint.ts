import type { RequestHandler, Response } from 'express';
import { ERROR_STYLE, MAX_REDIRECT_LENGTH, redirectWithParameters } from '../errors/error-responder';
import { AccessDeniedError, ForgedFormError, InvalidRequestError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import { asyncHandler } from '../http/async-handler';
import { issueCsrfToken, verifyCsrfToken } from '../http/csrf';
import { currentUser, loginRedirectUrl } from '../http/current-user';
import { type Parameters, queryParameters, readParameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationService } from '../services/application-service';
import type { GrantService } from '../services/grant-service';
import type { TokenService } from '../services/token-service';
import { tokenResponseFields } from '../token/token-response';
import { renderConsentPage } from '../views/consent-page';
import { setPageSecurityHeaders } from '../views/html';
import {
  AUTHORIZATION_PARAMETERS,
  type AuthorizationRequest,
  validateAuthorizationRequest,
  verifyClientAndRedirect,
} from './authorization-request';

export interface AuthorizeServices {
  options: ResolvedOptions;
  applications: ApplicationService;
  grants: GrantService;
  tokens: TokenService;
  events: ProviderEvents;
}

/** Redirects, unless the address is too long for a user agent to follow (a 400 page then). */
function redirect(res: Response, location: string): void {
  if (location.length > MAX_REDIRECT_LENGTH) {
    throw new InvalidRequestError('The authorization request is too long (a shorter state will do)');
  }
  res.redirect(302, location);
}

/** The GET address of this authorization request; `mountPath` is where the host mounted our router. */
function authorizeUrl(options: ResolvedOptions, mountPath: string, params: Parameters): string {
  const query = new URLSearchParams();
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = params[name];
    if (value !== undefined) query.set(name, value);
  }
  return `${mountPath}${options.basePath}/authorize?${query.toString()}`;
}

/**
 * RFC 6749 §4.1.2: issue a code bound to client, redirect URI and PKCE challenge, and redirect.
 * Implicit grant (§4.2.2, opt-in): an access token in the fragment, never a refresh token.
 */
async function redirectWithAuthorization(
  res: Response,
  request: AuthorizationRequest,
  grantId: string,
  userId: string,
  services: AuthorizeServices,
) {
  const subject = {
    applicationId: request.client.id,
    userId,
    grantId,
    familyId: null,
    scopes: request.scopes,
  };
  res.set('Cache-Control', 'no-store');
  if (request.responseType === 'token') {
    const issued = await services.tokens.issueTokens(subject, false);
    services.events.emit('token.issued', {
      grantType: 'implicit',
      clientId: request.client.clientId,
      userId,
      scopes: issued.scopes,
      accessTokenId: issued.records[0]?.id ?? '',
    });
    const fields = tokenResponseFields(issued);
    const params = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
    redirect(res, redirectWithParameters(request.target, params));
    return;
  }
  const code = await services.tokens.issueCode(subject, {
    redirectUri: request.redirectUriSent ? request.target.redirectUri : null,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
  });
  redirect(res, redirectWithParameters(request.target, { code }));
}

async function verifiedRequest(params: Parameters, res: Response, services: AuthorizeServices) {
  res.locals[ERROR_STYLE.html] = true;
  const verified = await verifyClientAndRedirect(params, services.options, (id) =>
    services.applications.findByClientId(id),
  );
  res.locals[ERROR_STYLE.redirect] = verified.target;
  return validateAuthorizationRequest(params, verified, services.options);
}

/**
 * `GET /oauth/authorize`: verify the client and redirect URI first (even for a visitor who is not
 * logged in: no login page for a phishing URL), then the rest of the request, then the user, then
 * skip consent if an earlier grant covers the scopes, or show the consent page.
 */
export function showAuthorization(services: AuthorizeServices): RequestHandler {
  return asyncHandler(async function showAuthorization(req, res) {
    setPageSecurityHeaders(res);
    // Set before parsing: a malformed query (a repeated parameter) gets the HTML error page too.
    res.locals[ERROR_STYLE.html] = true;
    const params = queryParameters(req);
    const request = await verifiedRequest(params, res, services);
    const { options } = services;
    const user = await currentUser(req, options);
    if (user === null) {
      redirect(res, loginRedirectUrl(options, req.originalUrl));
      return;
    }
    const grant = await services.grants.findCovering(user.id, request.client.id, request.scopes);
    if (grant !== null) {
      await redirectWithAuthorization(res, request, grant.id, user.id, services);
      return;
    }
    const fields: Record<string, string> = {};
    for (const name of AUTHORIZATION_PARAMETERS) {
      const value = params[name];
      if (value !== undefined) fields[name] = value;
    }
    fields.scope = request.scopes.join(' ');
    fields.csrf_token = issueCsrfToken(req, res, user.id, options);
    const data = {
      user,
      application: {
        name: request.client.name,
        homepageUrl: request.client.homepageUrl,
        clientId: request.client.clientId,
      },
      scopes: request.scopes.map((name) => ({ name, description: options.scopes.describe(name) })),
      fields,
      action: `${req.baseUrl}${options.basePath}/authorize`,
    };
    res
      .status(200)
      .type('html')
      .send((options.renderConsent ?? renderConsentPage)(data));
  });
}

/** `POST /oauth/authorize`: the consent decision, CSRF-checked and re-validated from scratch. */
export function decideAuthorization(services: AuthorizeServices): RequestHandler {
  return asyncHandler(async function decideAuthorization(req, res) {
    setPageSecurityHeaders(res);
    res.locals[ERROR_STYLE.html] = true;
    const params = await readParameters(req, services.options.bodyLimit);
    const request = await verifiedRequest(params, res, services);
    const { options } = services;
    const user = await currentUser(req, options);
    if (user === null) {
      redirect(res, loginRedirectUrl(options, authorizeUrl(options, req.baseUrl, params)));
      return;
    }
    if (!verifyCsrfToken(req, user.id, params.csrf_token, options)) {
      throw new ForgedFormError();
    }
    if (params.decision === 'deny') {
      services.events.emit('authorization.denied', { userId: user.id, clientId: request.client.clientId });
      throw new AccessDeniedError('The user denied the request', { redirectable: true });
    }
    if (params.decision !== 'approve') {
      throw new InvalidRequestError('decision must be "approve" or "deny"', { redirectable: true });
    }
    const grant = await services.grants.approve(user.id, request.client, request.scopes);
    await redirectWithAuthorization(res, request, grant.id, user.id, services);
  });
}
