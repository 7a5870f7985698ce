import { InvalidTokenError } from '../errors/oauth-error';
import type { ProviderContext } from '../provider-context';
import { metadataUrlOf } from '../resources/resource-metadata';
import type { Resource } from '../resources/resource-registry';
import type { ChallengedResource } from '../respond/bearer';
import type { TokenRecord } from '../storage/storage-adapter';
import type { OAuthContext } from './oauth-context';

/**
 * A guard bound to one declared resource (RFC 8707 audience, RFC 9728 challenges): everything
 * it needs per request, computed once when the guard is built, so the hot path only compares
 * strings on the token record it already read.
 */
export interface ResourceBinding extends ChallengedResource {
  readonly resource: Resource;
  /** RFC 9728 §5.1: `resource_metadata` of every 401 and 403 challenge. */
  readonly metadataUrl: string;
  /** The answer to a token for another resource, or without audience where one is required. */
  readonly wrongAudience: InvalidTokenError;
}

/** The binding of a guard for `uri`; a `TypeError` when `uri` is not a declared resource. */
export function resourceBinding(provider: ProviderContext, uri: string): ResourceBinding {
  const resource = typeof uri === 'string' ? provider.options.resources.find(uri) : null;
  if (resource === null) {
    throw new TypeError(
      `express-oauth-provider: "${String(uri)}" is not a resource declared in the resources option`,
    );
  }
  return Object.freeze({
    resource,
    metadataUrl: metadataUrlOf(resource.uri).href,
    scopes: resource.scopes,
    wrongAudience: new InvalidTokenError('The access token was not issued for this resource'),
  });
}

/**
 * RFC 8707 §2 / RFC 9068 §4: a resource accepts a token whose audience names it, and a token
 * issued without `resource` (empty audience) unless it demands an audience.
 */
export function acceptsAudience(binding: ResourceBinding, token: TokenRecord): boolean {
  const { uri, audienceRequired } = binding.resource;
  return token.audience.length === 0 ? !audienceRequired : token.audience.includes(uri);
}

/** Which resource's guard accepted a `req.oauth`, for a `requireScope` that runs after it. */
const accepted = new WeakMap<OAuthContext, ResourceBinding>();

export function rememberResource(context: OAuthContext, binding: ResourceBinding): void {
  accepted.set(context, binding);
}

/** The binding of the guard that accepted this context, or `null`. */
export function resourceOf(context: OAuthContext | undefined): ResourceBinding | null {
  return context === undefined ? null : (accepted.get(context) ?? null);
}
