import type { Route } from '../endpoints/chain';
import { ConfigurationError } from '../errors/configuration-error';
import type { ResolvedOptions } from '../options/resolve-options';
import { BUILT_IN_GRANTS } from './built-in-grants';
import type { GrantDescriptor, GrantHandler, GrantType } from './grant-type';
import { GRANT_TYPES, isGrantTypeName } from './grant-type-names';

/** RFC 6749 §8.3 / §4.5: a grant name or an absolute URI; printable ASCII, no spaces. */
const GRANT_NAME = /^[\x21-\x7E]+$/;

/** A grant the token endpoint serves. */
export type TokenGrant = GrantDescriptor & { readonly handler: GrantHandler };

function servesTokenRequests(descriptor: GrantDescriptor): descriptor is TokenGrant {
  return descriptor.handler !== undefined;
}

/**
 * The enabled grant types of one provider, from which the token endpoint's dispatch, the
 * authorization endpoint's response types, the device routes and the RFC 8414 metadata are all
 * derived, so none of them can disagree with another. Built-ins are enabled by the `grantTypes`
 * option; a host adds its own with `provider.registerGrantType()`.
 */
export class GrantTypeRegistry {
  /** Enabled grants in the order the metadata lists them: `grantTypes` order, then registrations. */
  readonly #enabled = new Map<string, GrantDescriptor>();

  constructor(options: ResolvedOptions) {
    for (const name of options.grantTypes) {
      const descriptor = isGrantTypeName(name) ? BUILT_IN_GRANTS[name] : undefined;
      if (descriptor === undefined) {
        throw new ConfigurationError('grantTypes', `lists unsupported grant type "${name}"`);
      }
      descriptor.requires?.(options);
      this.#enabled.set(name, descriptor);
    }
  }

  /** Enables a host-defined grant type at the token endpoint. */
  register(type: GrantType): void {
    const { name, parameters, handler } = type;
    if (typeof name !== 'string' || !GRANT_NAME.test(name)) {
      throw new TypeError('registerGrantType(): name must be a grant type name or an absolute URI');
    }
    if (isGrantTypeName(name) || this.#enabled.has(name)) {
      throw new TypeError(`registerGrantType(): "${name}" is already a grant type of this provider`);
    }
    if (typeof handler !== 'function') throw new TypeError('registerGrantType(): handler must be a function');
    if (!Array.isArray(parameters) || parameters.some((parameter) => typeof parameter !== 'string')) {
      throw new TypeError('registerGrantType(): parameters must be an array of parameter names');
    }
    this.#enabled.set(name, {
      name,
      parameters: [...parameters],
      handler,
      issuesRefreshTokens: type.issuesRefreshTokens === true,
    });
  }

  has(name: string): boolean {
    return this.#enabled.has(name);
  }

  /** The enabled grant the token endpoint serves under `grant_type`, or `null`. */
  tokenGrant(name: string): TokenGrant | null {
    const descriptor = this.#enabled.get(name);
    return descriptor !== undefined && servesTokenRequests(descriptor) ? descriptor : null;
  }

  /** The enabled grant answering `response_type` at the authorization endpoint, or `null`. */
  responseType(responseType: string): GrantDescriptor | null {
    for (const descriptor of this.#enabled.values()) {
      if (descriptor.responseType?.type === responseType) return descriptor;
    }
    return null;
  }

  /** Whether a refresh token may be issued for a grant that issues them (RFC 6749 §1.5). */
  issuesRefreshTokens(descriptor: GrantDescriptor, options: ResolvedOptions): boolean {
    return (
      descriptor.issuesRefreshTokens &&
      this.#enabled.has(GRANT_TYPES.refreshToken) &&
      options.accessTokenTtl !== null
    );
  }

  /** RFC 8414 `grant_types_supported`. */
  get names(): string[] {
    return [...this.#enabled.keys()];
  }

  /** RFC 8414 `response_types_supported`: `code` before `token`, whatever the option's order. */
  get responseTypes(): string[] {
    return Object.values(BUILT_IN_GRANTS)
      .filter((descriptor) => this.#enabled.has(descriptor.name))
      .flatMap((descriptor) => (descriptor.responseType === undefined ? [] : [descriptor.responseType.type]));
  }

  /** RFC 8414 `response_modes_supported`: `query` always, `fragment` when a response type uses it. */
  get responseModes(): string[] {
    const fragment = [...this.#enabled.values()].some((d) => d.responseType?.mode === 'fragment');
    return fragment ? ['query', 'fragment'] : ['query'];
  }

  /** The routes the enabled grants add. */
  routes(basePath: string): Route[] {
    return [...this.#enabled.values()].flatMap((descriptor) => descriptor.routes?.(basePath) ?? []);
  }

  /** The RFC 8414 fields the enabled grants add. */
  metadata(endpoints: string): Record<string, unknown> {
    return Object.assign({}, ...[...this.#enabled.values()].map((d) => d.metadata?.(endpoints) ?? {}));
  }
}
