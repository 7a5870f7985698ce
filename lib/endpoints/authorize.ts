import { HttpError } from '../errors/http-error';
import { AccessDeniedError, InvalidRequestError } from '../errors/oauth-error';
import type { ProviderEventMap } from '../events/provider-events';
import { GRANT_TYPES } from '../grants/grant-type-names';
import type { Parameters } from '../http/parse-body';
import { type MessageKey, message } from '../messages/catalog';
import { redirectLocation, sendRedirect } from '../respond/redirect';
import { tokenResponseFields } from '../respond/token-response';
import { expandSelection } from '../scopes/resource-access';
import type { ResourceSelection } from '../storage/storage-adapter';
import { DECISIONS, FORM_FIELDS } from '../views/form-contract';
import {
  AUTHORIZATION_PARAMETERS,
  validateAuthorizationRequest as validateRequest,
  verifyClientAndRedirect as verifyClient,
} from './authorization-request';
import { requireAuthorizationLogin as requireTrustedLogin, skipConsentByTrust } from './authorize-trust';
import type { EndpointCall } from './endpoint-call';
import { consentBinding, showConsent } from './steps/page-steps';
import { approvedSelection, consentChoices, requestedPages } from './steps/resource-choice';

/**
 * The steps of `GET` and `POST /oauth/authorize` (RFC 6749 §4.1.1–4.1.2, §4.2.1–4.2.2). Both verify
 * the client and redirect URI first (even for a visitor who is not logged in: no login page for a
 * phishing URL), then the rest of the request, then the user. `GET` then skips consent when the
 * client's trust allows it, or shows the consent page; `POST` is the consent decision,
 * CSRF-checked and re-validated from scratch.
 */

/** The authorization request's parameters, to post back from the consent form or return to after login. */
function authorizationParameters(params: Parameters): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = params[name];
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/** The failures of the authorization request that are reported as events (never the values). */
const PKCE_FAILURES: Partial<Record<MessageKey, ProviderEventMap['authorization.pkce_failed']['reason']>> = {
  'problem.pkceRequired': 'missing_challenge',
  'problem.methodWithoutChallenge': 'missing_challenge',
  'problem.pkceMethod': 'unsupported_method',
  'problem.pkceChallengeFormat': 'malformed_challenge',
};

function failureKey(error: unknown): MessageKey | null {
  return error instanceof HttpError ? (error.translatable?.key ?? null) : null;
}

/**
 * RFC 6749 §4.1.2.1, before anything else: the client must exist and the redirect URI must match
 * a registered one exactly. From here on, redirectable errors go back to that URI. A redirect URI
 * that matches none (or is missing where one is needed) is reported as an event.
 */
export async function verifyClientAndRedirect(call: EndpointCall): Promise<void> {
  const { req, params, provider } = call;
  try {
    // A client metadata document URL is fetched and checked here (its failures are the 400 page).
    const verified = await verifyClient(params, provider.options, provider.grantTypes, (id) =>
      provider.clientDocuments.find(id, req.ip),
    );
    call.client = verified.client;
    call.redirect = verified.target;
    call.verifiedClient = verified;
  } catch (error) {
    const key = failureKey(error);
    const missing =
      key === 'problem.missingParameter' &&
      params.client_id !== undefined &&
      params.redirect_uri === undefined;
    if (key === 'problem.redirectUriMismatch' || missing) {
      provider.events.emit('authorization.redirect_mismatch', {
        clientId: params.client_id ?? '',
        stage: 'authorize',
        reason: missing ? 'missing' : 'not_registered',
      });
    }
    throw error;
  }
}

/** RFC 6749 §4.1.1: response type, scopes and (RFC 7636 §4.3) PKCE; PKCE failures are reported. */
export function validateAuthorizationRequest(call: EndpointCall): void {
  const { params, provider } = call;
  try {
    call.authorization = validateRequest(params, call.verifiedClient, provider.options, provider.grantTypes);
  } catch (error) {
    const key = failureKey(error);
    const reason = key === null ? undefined : PKCE_FAILURES[key];
    if (reason !== undefined) {
      provider.events.emit('authorization.pkce_failed', {
        clientId: call.verifiedClient.client.clientId,
        userId: null,
        stage: 'authorize',
        reason,
      });
    }
    throw error;
  }
}

/** The login step of both (`prompt` honoured): a POST comes back to the GET address of the same request. */
export const requireAuthorizationLogin = requireTrustedLogin(
  ({ req, params, provider }) =>
    `${req.baseUrl}${provider.options.basePath}/authorize?${new URLSearchParams(authorizationParameters(params)).toString()}`,
);

/**
 * RFC 6749 §4.1.2: a code bound to client, redirect URI and PKCE challenge, in the redirect.
 * Implicit grant (§4.2.2, opt-in): an access token in the fragment, never a refresh token.
 */
export async function redirectWithAuthorization(call: EndpointCall): Promise<void> {
  const { res, provider, authorization: request, user, grant } = call;
  const subject = {
    applicationId: request.client.id,
    userId: user.id,
    grantId: grant.id,
    familyId: null,
    scopes: request.scopes,
    resourceSelection: call.approvedSelection ?? inheritedSelection(call),
    audience: request.resources,
  };
  if (request.responseType === 'token') {
    const issued = await provider.tokens.issueTokens(subject, false);
    await provider.tokens.capIssued(issued.records);
    provider.events.emit('token.issued', {
      grantType: GRANT_TYPES.implicit,
      clientId: request.client.clientId,
      userId: user.id,
      scopes: issued.scopes,
      accessTokenId: issued.records[0]?.id ?? '',
    });
    const fields = tokenResponseFields(issued);
    const params = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)]));
    sendRedirect(res, redirectLocation(request.target, params));
    return;
  }
  const code = await provider.tokens.issueCode(subject, {
    redirectUri: request.redirectUriSent ? request.target.redirectUri : null,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
  });
  sendRedirect(res, redirectLocation(request.target, { code }));
}

/**
 * Remembered consent: the grant's resources for the requested scopes, narrowed to the ones the
 * request named (a covering grant allows them all, see `grantCovers`).
 */
function inheritedSelection(call: EndpointCall): ResourceSelection | null {
  const { provider, authorization, grant } = call;
  const fromGrant = expandSelection(provider.options.scopes, grant.scopes, grant.resourceSelection, [
    ...provider.options.scopes.expand(authorization.scopes),
  ]);
  const selection = { ...(fromGrant ?? {}), ...(authorization.resourceSelection ?? {}) };
  return Object.keys(selection).length === 0 ? null : selection;
}

/**
 * A first-party app with `skipConsent`, or a remembered consent the client's trust lets us reuse,
 * gets its answer at once (`prompt` honoured; see `authorize-trust.ts`).
 */
export const skipConsentIfAllowed = skipConsentByTrust(redirectWithAuthorization);

/**
 * The consent page posts the request back with its normalized scopes, and offers "all or only
 * these" for each resource-scoped scope (pre-selected by `authorization_details`).
 */
export async function prepareConsent(call: EndpointCall): Promise<void> {
  const { req, params, provider, authorization, user } = call;
  const fields = authorizationParameters(params);
  fields.scope = authorization.scopes.join(' ');
  const more = req.method === 'POST' && params.decision === DECISIONS.more;
  const pages = requestedPages(params, more);
  fields[FORM_FIELDS.resourcePages] = String(pages);
  if (authorization.resources.length > 0) fields.resource = authorization.resources.join(' ');
  call.consent = {
    client: authorization.client,
    scopes: authorization.scopes,
    redirectUri: authorization.target.redirectUri,
    userCode: null,
    rememberedScopes: call.rememberedScopes,
    resourceChoices: await consentChoices(
      provider.options.scopes,
      user,
      authorization.scopes,
      authorization.resourceSelection,
      params,
      pages,
    ),
    fields,
    action: `${req.baseUrl}${provider.options.basePath}/authorize`,
  };
}

/** The consent page's CSRF token is bound to the client, redirect URI and scopes it shows. */
export function bindConsentCsrf(call: EndpointCall): void {
  call.consent = { ...call.consent, csrfBinding: consentBinding(call.authorization) };
}

/** The user's decision (RFC 6749 §4.1.2.1 `access_denied`); an approval grows the user's grant. */
export async function recordDecision(call: EndpointCall): Promise<void> {
  const { params, provider, user, authorization } = call;
  if (params.decision === 'deny' || params.decision === 'approve') call.userDecided = true;
  if (params.decision === 'deny') {
    provider.events.emit('authorization.denied', {
      userId: user.id,
      clientId: authorization.client.clientId,
    });
    throw new AccessDeniedError(message('problem.userDenied'), { redirectable: true });
  }
  if (params.decision === DECISIONS.more) {
    // "Show more" without JavaScript: the same page again, one more page of resources listed,
    // keeping what the user ticked. Nothing is granted.
    await prepareConsent(call);
    bindConsentCsrf(call);
    await showConsent(call);
    return;
  }
  if (params.decision !== 'approve') {
    throw new InvalidRequestError(message('problem.decision'), { redirectable: true });
  }
  const { client, scopes, resources, resourceSelection } = authorization;
  const selection = await approvedSelection(provider.options.scopes, user, scopes, resourceSelection, params);
  call.approvedSelection = selection;
  call.grant = await provider.grants.approve(user.id, client, scopes, resources, selection);
}
