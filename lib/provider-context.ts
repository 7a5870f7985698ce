import type { ClientDocumentResolver } from './client-documents/document-resolver';
import type { ProviderEvents } from './events/provider-events';
import type { GrantTypeRegistry } from './grants/registry';
import type { Limiter } from './limits/limiter';
import type { ResolvedOptions } from './options/resolve-options';
import type { ApplicationService } from './services/application-service';
import type { DeviceService } from './services/device-service';
import type { DynamicClientService } from './services/dynamic-client-service';
import type { GrantService } from './services/grant-service';
import type { PersonalTokenService } from './services/personal-token-service';
import type { TokenService } from './services/token-service';
import type { PageRenderer } from './views/page-renderer';

/**
 * Everything one provider is made of, built once by `createProvider()` and handed to every
 * endpoint, guard and grant. It holds no storage adapter: the services got theirs when they were
 * built, and are the only way to storage.
 */
export interface ProviderContext {
  readonly options: ResolvedOptions;
  readonly applications: ApplicationService;
  readonly grants: GrantService;
  readonly tokens: TokenService;
  readonly personalTokens: PersonalTokenService;
  /** The device flow's records (RFC 8628). */
  readonly devices: DeviceService;
  /** Applications that arrive by request: RFC 7591 registrations, client metadata documents. */
  readonly dynamicClients: DynamicClientService;
  /** The authorization endpoint's client look-up, client metadata documents included. */
  readonly clientDocuments: ClientDocumentResolver;
  /** The enabled grant types, built-in and registered. */
  readonly grantTypes: GrantTypeRegistry;
  readonly events: ProviderEvents;
  /** The rate limits' counters (`limits`). */
  readonly limiter: Limiter;
  /** The view layer: every page is rendered and sent through it, in the request's language. */
  readonly pages: PageRenderer;
  /** Where unexpected errors and storage failures are reported (never with a secret). */
  readonly onError: (error: unknown) => void;
  /** Lets plain `http:` redirect URIs through for non-loopback hosts (development setups). */
  readonly allowHttpRedirectUris: boolean;
  /**
   * `undefined` once the provider has started (its configured clients are stored); otherwise a
   * promise of it, which retries a start that failed. Every endpoint waits for it first.
   */
  readonly whenStarted: () => Promise<void> | undefined;
}
