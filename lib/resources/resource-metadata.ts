import type { ResolvedOptions } from '../options/resolve-options';
import type { Resource } from './resource-registry';

/** RFC 9728 §3: the well-known suffix of protected-resource metadata. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 §3.1: the metadata address of a resource: the well-known suffix inserted between the
 * host and the path (a terminating slash removed), the query kept. An origin resource's is the
 * root form, `https://host/.well-known/oauth-protected-resource`.
 */
export function metadataUrlOf(uri: string): URL {
  const url = new URL(uri);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return new URL(`${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${url.search}`);
}

/** RFC 6750 §2: how the guards accept a bearer token, with the provider's defaults. */
export function bearerMethods(
  options: Pick<ResolvedOptions, 'allowBodyAccessToken' | 'allowQueryAccessToken'>,
) {
  return [
    'header',
    ...(options.allowBodyAccessToken ? ['body'] : []),
    ...(options.allowQueryAccessToken ? ['query'] : []),
  ];
}

/**
 * RFC 9728 §2: the metadata document of one resource. The provider is its only authorization
 * server; `scopes_supported` and `resource_name` come from the resource's declaration.
 */
export function protectedResourceMetadata(
  resource: Resource,
  options: ResolvedOptions,
): Record<string, unknown> {
  return {
    resource: resource.uri,
    authorization_servers: [options.issuer],
    ...(resource.scopes.length > 0 ? { scopes_supported: [...resource.scopes] } : {}),
    bearer_methods_supported: bearerMethods(options),
    ...(resource.name === null ? {} : { resource_name: resource.name }),
  };
}
