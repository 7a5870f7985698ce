import type { Step } from '../endpoints/chain';
import type { LimitedEndpoint } from './limiter';

/**
 * The limits as steps of the endpoints' chains. The address is `req.ip`: behind a proxy it is the
 * proxy's address unless the host sets Express's `trust proxy` to read `X-Forwarded-For`, which
 * the host, not the library, knows it may trust.
 */

/** Requests per client address to `endpoint`, counted before the body is read (cheapest first). */
export function limitAddress(endpoint: LimitedEndpoint): Step {
  return function limitAddress({ req, provider }) {
    const address = req.ip;
    if (address === undefined || address === '') return;
    return provider.limiter.consume(`${endpoint}.address`, { kind: 'address', value: address });
  };
}

/** Requests per authenticated client to `endpoint`. */
export function limitClient(endpoint: LimitedEndpoint): Step {
  return function limitClient({ client, provider }) {
    const { clientId } = client;
    return provider.limiter.consume(`${endpoint}.client`, { kind: 'client', value: clientId, clientId });
  };
}
