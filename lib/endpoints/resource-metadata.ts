import type { Router } from 'express';
import type { ProviderContext } from '../provider-context';
import { metadataUrlOf, protectedResourceMetadata } from '../resources/resource-metadata';
import type { Resource } from '../resources/resource-registry';
import type { EndpointCall } from './endpoint-call';
import { wellKnownRouter } from './well-known';

/**
 * `GET /.well-known/oauth-protected-resource<path>` (RFC 9728 §3): the resource's metadata,
 * public and readable from any origin (CORS `*`, no credentials involved).
 */
function serveResourceMetadata(resource: Resource) {
  return function serveProtectedResourceMetadata({ res, provider }: EndpointCall): void {
    res
      .set('Access-Control-Allow-Origin', '*')
      .set('Cache-Control', 'public, max-age=300')
      .json(protectedResourceMetadata(resource, provider.options));
  };
}

/** A router serving the metadata of `resources`, each at the path RFC 9728 §3.1 derives from it. */
export function resourceMetadataRouter(provider: ProviderContext, resources: readonly Resource[]): Router {
  return wellKnownRouter(
    provider,
    resources.map((resource) => ({
      path: metadataUrlOf(resource.uri).pathname,
      steps: [serveResourceMetadata(resource)],
    })),
  );
}

/** The declared resources on the issuer's origin: `provider.router` serves their metadata. */
export function resourcesOnIssuerOrigin(provider: ProviderContext): Resource[] {
  const origin = new URL(provider.options.issuer).origin;
  return provider.options.resources.all.filter((resource) => new URL(resource.uri).origin === origin);
}
