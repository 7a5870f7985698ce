import { Router } from 'express';
import {
  bindConsentCsrf,
  prepareConsent,
  recordDecision,
  redirectWithAuthorization,
  requireAuthorizationLogin,
  skipConsentIfAllowed,
  validateAuthorizationRequest,
  verifyClientAndRedirect,
} from './endpoints/authorize';
import { answering, mountRoutes, type Route } from './endpoints/chain';
import { answerAuthorization, answerBearer, answerJson, jsonErrorFallback } from './endpoints/error-styles';
import { introspectToken, requireConfidentialCaller } from './endpoints/introspection';
import { serveMetadata } from './endpoints/metadata';
import { registerClient } from './endpoints/registration';
import { resourceMetadataRouter, resourcesOnIssuerOrigin } from './endpoints/resource-metadata';
import { revokePresentedToken } from './endpoints/revocation';
import { checkConsentCsrf, showConsent } from './endpoints/steps/page-steps';
import {
  authenticateClient,
  clientRequest,
  cors,
  noStore,
  pageHeaders,
  preflight,
  readParameters,
  readQuery,
} from './endpoints/steps/request-steps';
import { capIssuedTokens, findGrantType, runGrant, sendTokens } from './endpoints/token';
import { describeBearerToken } from './endpoints/token-info';
import { type WellKnownDocument, wellKnownRouter } from './endpoints/well-known';
import { limitAddress, limitClient } from './limits/limit-steps';
import type { ProviderContext } from './provider-context';

/**
 * The OAuth endpoints under `basePath`, as a table: each route's protocol steps in order, grouped
 * by how their errors are answered. GET and POST `/authorize` share their opening; token,
 * revocation, introspection and device authorization share `noStore → limitAddress →
 * readParameters → authenticateClient → limitClient` (after `cors` where browsers call them). The grant token endpoint looks the
 * grant type up before the client authenticates: an unknown one is refused whoever asks. The
 * grant registry adds the routes of enabled grants (the device flow's).
 */
export function oauthRoutes(provider: ProviderContext): Route[] {
  const base = provider.options.basePath;
  const authorizeOpening = [verifyClientAndRedirect, validateAuthorizationRequest, requireAuthorizationLogin];
  // biome-ignore format: a table, one route a line
  return [
    ...answering(answerAuthorization, {
      [`GET ${base}/authorize`]: [pageHeaders, readQuery, ...authorizeOpening, skipConsentIfAllowed, prepareConsent, bindConsentCsrf, showConsent],
      [`POST ${base}/authorize`]: [pageHeaders, readParameters, ...authorizeOpening, checkConsentCsrf, recordDecision, redirectWithAuthorization],
    }),
    ...answering(answerJson, {
      [`OPTIONS ${base}/token`]: [preflight],
      [`POST ${base}/token`]: [cors, noStore, limitAddress('token'), readParameters, findGrantType, authenticateClient, limitClient('token'), runGrant, capIssuedTokens, sendTokens],
      [`OPTIONS ${base}/revoke`]: [preflight],
      [`POST ${base}/revoke`]: [cors, ...clientRequest('revocation'), revokePresentedToken],
      [`POST ${base}/introspect`]: [...clientRequest('introspection'), requireConfidentialCaller, introspectToken],
    }),
    ...answering(answerBearer, {
      [`GET ${base}/token/info`]: [noStore, describeBearerToken],
    }),
    // RFC 7591, off by default: the route exists only when registration is on.
    ...(provider.options.dynamicRegistration.enabled
      ? answering(answerJson, {
          [`OPTIONS ${base}/register`]: [preflight],
          [`POST ${base}/register`]: [cors, noStore, registerClient],
        })
      : []),
    ...provider.grantTypes.routes(base),
    ...answering(answerJson, {
      [`GET ${AS_METADATA}`]: [serveMetadata],
    }),
  ];
}

const AS_METADATA = '/.well-known/oauth-authorization-server';

/**
 * RFC 8414 §3.1: an issuer with a path (`https://host/auth`) has its metadata at the well-known
 * suffix inserted before that path (`/.well-known/oauth-authorization-server/auth`), which a
 * router mounted at the app root serves besides the plain form.
 */
function issuerPathMetadata(provider: ProviderContext): WellKnownDocument[] {
  const path = new URL(provider.options.issuer).pathname;
  return path === '/' ? [] : [{ path: `${AS_METADATA}${path}`, steps: [serveMetadata] }];
}

/** The plain form's document is a route above; this only adds its CORS preflight (GET is taken first). */
const metadataPreflight: WellKnownDocument = { path: AS_METADATA, steps: [serveMetadata] };

/** The router hosts mount at their app's root: the route table, then a JSON fallback for errors. */
export function oauthRouter(provider: ProviderContext): Router {
  const router = Router();
  mountRoutes(router, provider, oauthRoutes(provider));
  router.use(resourceMetadataRouter(provider, resourcesOnIssuerOrigin(provider)));
  router.use(wellKnownRouter(provider, [...issuerPathMetadata(provider), metadataPreflight]));
  router.use(jsonErrorFallback(provider));
  return router;
}
