import type { ResolvedOptions } from './resolve-options';

/**
 * What `provider.options` shows host code: the resolved configuration without its secrets. The
 * CSRF key and the storage adapter stay inside the provider, so logging the options
 * (`console.log(provider.options)`) prints no key, and host code reaches storage only through
 * the services.
 */
export interface ProviderOptionsView
  extends Readonly<Omit<ResolvedOptions, 'csrfKey' | 'adapter' | 'defaultScopes' | 'corsOrigins'>> {
  readonly defaultScopes: readonly string[];
  readonly corsOrigins: '*' | readonly string[];
}

/** A frozen copy of the options without `csrfKey` and `adapter`; changing it changes nothing. */
export function optionsView(options: ResolvedOptions): ProviderOptionsView {
  const { csrfKey: _csrfKey, adapter: _adapter, ...visible } = options;
  return Object.freeze({
    ...visible,
    defaultScopes: Object.freeze([...visible.defaultScopes]),
    grantTypes: new Set(visible.grantTypes),
    corsOrigins: visible.corsOrigins === '*' ? '*' : Object.freeze([...visible.corsOrigins]),
  });
}
