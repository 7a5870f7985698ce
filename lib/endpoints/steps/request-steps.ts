import { authenticateClient as authenticatePresentedClient } from '../../clients/authenticate-client';
import { presentedClient } from '../../clients/client-credentials';
import { answerPreflight, setCorsHeaders } from '../../http/cors';
import { queryParameters, readParameters as readBodyParameters } from '../../http/parse-body';
import { limitAddress, limitClient } from '../../limits/limit-steps';
import type { LimitedEndpoint } from '../../limits/limiter';
import { preventCaching, setPageHeaders } from '../../respond/headers';
import type { Step } from '../chain';
import type { EndpointCall } from '../endpoint-call';

/**
 * The opening steps of our endpoints. Token, revocation, introspection and device authorization
 * start with `cors` (not introspection: resource servers call it, not browsers), `noStore`,
 * `readParameters`, `authenticateClient`; the pages start with `pageHeaders`.
 */

/** CORS for the endpoints browser clients call directly (PKCE SPAs). */
export function cors({ req, res, provider }: EndpointCall): void {
  setCorsHeaders(req, res, provider.options.corsOrigins);
}

/** The answer to a CORS preflight (`OPTIONS`) for those endpoints. */
export function preflight({ req, res, provider }: EndpointCall): void {
  answerPreflight(req, res, provider.options.corsOrigins);
}

/** RFC 6749 §5.1, RFC 7009, RFC 7662, RFC 8628 §3.2: answers that carry credentials are never cached. */
export function noStore({ res }: EndpointCall): void {
  preventCaching(res);
}

/** Security headers of every page: CSP without script, no framing, no caching, no referrer. */
export function pageHeaders({ res }: EndpointCall): void {
  setPageHeaders(res);
}

/**
 * RFC 6749 §3.2: POST parameters, form-encoded or JSON, each at most once (§3.1); the host's
 * body parser may have read them already.
 */
export async function readParameters(call: EndpointCall): Promise<void> {
  call.params = await readBodyParameters(call.req, call.provider.options.bodyLimit);
}

/** RFC 6749 §3.1: the query of a GET, from the raw URL, each parameter at most once. */
export function readQuery(call: EndpointCall): void {
  call.params = queryParameters(call.req);
}

/**
 * RFC 6749 §2.3: HTTP Basic or body credentials; a confidential client always needs its secret,
 * a public one sends only `client_id`.
 */
export async function authenticateClient(call: EndpointCall): Promise<void> {
  call.client = await authenticatePresentedClient(presentedClient(call.req, call.params), call.provider);
}

/**
 * The opening every endpoint a client calls with its credentials shares: nothing cached, the
 * caller's address within its limit, the parameters read, the client authenticated and within
 * its limit. Browser-called ones put `cors` before it.
 */
export function clientRequest(endpoint: LimitedEndpoint): readonly Step[] {
  return [noStore, limitAddress(endpoint), readParameters, authenticateClient, limitClient(endpoint)];
}
