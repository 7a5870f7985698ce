import type { CheckedClient } from '../clients/configured-clients';
import type { ResolvedOptions } from './resolve-options';

/**
 * What `provider.options` shows host code: the resolved configuration without its secrets. The
 * CSRF key and the storage adapter stay inside the provider, so logging the options
 * (`console.log(provider.options)`) prints no key, and host code reaches storage only through
 * the services.
 */
export interface ProviderOptionsView
  extends Readonly<
    Omit<ResolvedOptions, 'csrfKey' | 'adapter' | 'defaultScopes' | 'corsOrigins' | 'clients'>
  > {
  readonly defaultScopes: readonly string[];
  readonly corsOrigins: '*' | readonly string[];
  /** The configured clients without their secret hashes (a weak secret's hash can be guessed). */
  readonly clients: readonly Readonly<Omit<CheckedClient, 'clientSecretHash'>>[];
}

/**
 * A frozen copy of the options without `csrfKey`, `adapter` and the configured clients' secret
 * hashes; changing it changes nothing.
 */
export function optionsView(options: ResolvedOptions): ProviderOptionsView {
  const { csrfKey: _csrfKey, adapter: _adapter, ...visible } = options;
  const clients = visible.clients.map(({ clientSecretHash: _hash, ...client }) =>
    Object.freeze({ ...client, redirectUris: [...client.redirectUris], scopes: [...client.scopes] }),
  );
  return Object.freeze({
    ...visible,
    clients: Object.freeze(clients),
    defaultScopes: Object.freeze([...visible.defaultScopes]),
    grantTypes: new Set(visible.grantTypes),
    corsOrigins: visible.corsOrigins === '*' ? '*' : Object.freeze([...visible.corsOrigins]),
  });
}
