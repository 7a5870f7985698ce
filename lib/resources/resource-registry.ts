import { InvalidTargetError, type OAuthErrorOptions } from '../errors/oauth-error';
import { canonicalResource, resourceValues } from './resource-uri';

/** One protected resource the host declares (the `resources` option). */
export interface ResourceDefinition {
  /** A human name: RFC 9728 `resource_name`, and the consent page. */
  name?: string;
  /** The scopes this resource understands: RFC 9728 `scopes_supported`, and its 401 challenge. */
  scopes?: readonly string[];
  /**
   * Refuse tokens issued without `resource` (an empty audience) at this resource. Default
   * `false`: such tokens keep working here, as they did before audiences existed.
   */
  audienceRequired?: boolean;
}

/** A declared resource, resolved. */
export interface Resource {
  /** The identifier as declared: what `aud` and the metadata's `resource` say. */
  readonly uri: string;
  readonly name: string | null;
  readonly scopes: readonly string[];
  readonly audienceRequired: boolean;
}

/**
 * The host's protected resources (RFC 8707, RFC 9728), built once from the `resources` option.
 * Every `resource` parameter is resolved here to a declared identifier, so audiences stored on
 * codes, grants and tokens are always the declared spelling, whatever the client sent.
 */
export class ResourceRegistry {
  readonly #byCanonical = new Map<string, Resource>();
  readonly #byUri = new Map<string, Resource>();

  constructor(definitions: Readonly<Record<string, ResourceDefinition>>) {
    for (const [uri, definition] of Object.entries(definitions)) {
      const resource: Resource = Object.freeze({
        uri,
        name: definition.name ?? null,
        scopes: Object.freeze([...(definition.scopes ?? [])]),
        audienceRequired: definition.audienceRequired === true,
      });
      this.#byCanonical.set(canonicalResource(uri) ?? uri, resource);
      this.#byUri.set(uri, resource);
    }
  }

  /** Every declared resource, in the option's order. */
  get all(): Resource[] {
    return [...this.#byUri.values()];
  }

  /** The declared resource `value` names (any spelling RFC 8707 comparison tolerates), or `null`. */
  find(value: string): Resource | null {
    const canonical = canonicalResource(value);
    return canonical === null ? null : (this.#byCanonical.get(canonical) ?? null);
  }

  /** The declared resource with exactly this identifier (a stored audience), or `null`. */
  byUri(uri: string): Resource | null {
    return this.#byUri.get(uri) ?? null;
  }

  /**
   * RFC 8707 §2: the `resource` parameter of a request as declared identifiers (each once, in
   * the order sent). A value that is not an absolute URI without fragment, or names no declared
   * resource, is `invalid_target`. Not sent: `[]`.
   */
  parse(parameter: string | undefined, errorOptions?: OAuthErrorOptions): string[] {
    const uris = new Set<string>();
    for (const value of resourceValues(parameter)) {
      const resource = this.find(value);
      if (resource === null) {
        throw new InvalidTargetError(
          `The resource ${JSON.stringify(value.slice(0, 200))} is not a resource of this server`,
          errorOptions,
        );
      }
      uris.add(resource.uri);
    }
    return [...uris];
  }

  /**
   * RFC 8707 §2.2: the audience of a token requested with `resource` from a code or refresh
   * token issued for `granted`: the named resources when they stay within `granted` (see
   * `covers`), else `invalid_target`; `granted` itself when `resource` was not sent.
   */
  narrow(granted: readonly string[], parameter: string | undefined): string[] {
    const requested = this.parse(parameter);
    if (requested.length === 0) return [...granted];
    if (!this.covers(granted, requested)) {
      throw new InvalidTargetError('The requested resource was not authorized for this grant');
    }
    return requested;
  }

  /**
   * Whether an audience of `requested` stays within `granted` (RFC 8707 §2.2: a token request, or
   * a refresh, may narrow the audience, never widen it). An empty `granted` (no `resource` at the
   * authorization) stands for every resource that does not demand an audience, so it can narrow
   * to one of those, but never to a resource with `audienceRequired`.
   */
  covers(granted: readonly string[], requested: readonly string[]): boolean {
    if (granted.length > 0) return requested.every((uri) => granted.includes(uri));
    return requested.every((uri) => this.#byUri.get(uri)?.audienceRequired === false);
  }
}
