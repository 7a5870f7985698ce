import { HttpError } from '../errors/http-error';
import { OAuthError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import type { Limiter } from '../limits/limiter';
import { message } from '../messages/catalog';
import type { ResolvedOptions } from '../options/resolve-options';
import { ClientMetadataProblem, checkClientMetadata } from '../registration/client-metadata';
import type { ApplicationService } from '../services/application-service';
import type { DynamicClientService } from '../services/dynamic-client-service';
import type { ApplicationRecord } from '../storage/storage-adapter';
import { DocumentFetchError, fetchDocument } from './fetch-document';

/** How many document URLs the process remembers as fresh; past it the oldest are forgotten. */
const MAX_FRESH_ENTRIES = 10_000;

/**
 * The clients of authorization requests whose `client_id` is a client metadata document URL
 * (draft-ietf-oauth-client-id-metadata-document §3–4): fetched through the SSRF-guarded
 * fetcher, checked like a registration (plus the draft's rules: `client_id` equal to the URL,
 * `client_name` and `redirect_uris` present, public clients only), and stored as a `dynamic`
 * application keyed by the URL, so codes and tokens reference it. A document is used for its
 * `Cache-Control` lifetime within `cacheSeconds` in this process, then fetched again. Any other
 * `client_id` is looked up as always.
 */
export class ClientDocumentResolver {
  /** Document URL → when this process fetches it again (ms). */
  readonly #fresh = new Map<string, number>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly applications: ApplicationService,
    private readonly dynamicClients: DynamicClientService,
    private readonly limiter: Limiter,
    private readonly events: ProviderEvents,
  ) {}

  /**
   * §3: a client identifier URL has the `https` scheme and a path, and no fragment, credentials
   * or dot segments. With the local-development option, `http://127.0.0.1:<port>/…` too.
   */
  documentUrl(clientId: string): URL | null {
    const settings = this.options.clientMetadataDocuments;
    if (!settings.enabled || !/^https?:\/\//i.test(clientId)) return null;
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      return null;
    }
    const https = url.protocol === 'https:';
    const localHttp =
      url.protocol === 'http:' && settings.fetch.allowHttpLoopback && url.hostname === '127.0.0.1';
    if (!https && !localHttp) return null;
    if (url.pathname === '/' || url.hash !== '' || clientId.includes('#')) return null;
    if (url.username !== '' || url.password !== '' || /\/\.\.?(\/|$)/.test(clientId)) return null;
    return url;
  }

  /**
   * The application of `clientId` for an authorization request from `address`: a stored one, or
   * for a document URL the document's client (fetched when this process has no fresh copy).
   * Throws `invalid_client` (not redirectable: the 400 page) when the document cannot be used.
   */
  async find(clientId: string, address: string | undefined): Promise<ApplicationRecord | null> {
    const url = this.documentUrl(clientId);
    if (url === null) return this.applications.findByClientId(clientId);
    const freshUntil = this.#fresh.get(clientId);
    if (freshUntil !== undefined && freshUntil > Date.now()) {
      const stored = await this.applications.findByClientId(clientId);
      if (stored !== null) return stored;
    }
    try {
      return await this.#fetchAndStore(clientId, url, address);
    } catch (error) {
      if (error instanceof HttpError && !(error instanceof OAuthError && error.code === 'invalid_client'))
        throw error;
      throw this.#refusal(clientId, error);
    }
  }

  async #fetchAndStore(clientId: string, url: URL, address: string | undefined): Promise<ApplicationRecord> {
    const settings = this.options.clientMetadataDocuments;
    if (settings.allow !== null && !(await settings.allow(new URL(url.href)))) {
      throw new DocumentRefusal('not_allowed', null);
    }
    // Fetches are what an anonymous caller makes us do: counted per address (429 past the limit).
    if (address !== undefined && address !== '') {
      await this.limiter.consume('client_document.address', { kind: 'address', value: address });
    }
    const fetched = await fetchDocument(url, settings.fetch);
    const checked = this.#check(clientId, fetched.body);
    const application = await this.dynamicClients.storeDocumentClient(clientId, checked);
    const { min, max } = settings.cacheSeconds;
    const seconds = Math.min(max, Math.max(min, fetched.maxAgeSeconds ?? min));
    this.#remember(clientId, Date.now() + seconds * 1000);
    return application;
  }

  /** §4.1: the document describes this very client, by name, with its redirect URIs, and is public. */
  #check(clientId: string, body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DocumentRefusal('invalid_document', 'body');
    }
    const fields = body as Record<string, unknown>;
    if (fields.client_id !== clientId) throw new DocumentRefusal('invalid_document', 'client_id');
    if (typeof fields.client_name !== 'string') throw new DocumentRefusal('invalid_document', 'client_name');
    // §4.1: a document must not carry a secret, and its client authenticates with none (or keys, which we do not take).
    if (fields.client_secret !== undefined) throw new DocumentRefusal('invalid_document', 'client_secret');
    try {
      const checked = checkClientMetadata(body, {
        scopes: this.options.scopes,
        allowHttpRedirectUris: this.options.allowHttpRedirectUris,
        scopeCap: this.options.clientMetadataDocuments.scopes,
        allowConfidential: false,
        refreshTokens: true,
      });
      return checked.input;
    } catch (error) {
      if (error instanceof ClientMetadataProblem) throw new DocumentRefusal('invalid_document', error.field);
      throw error;
    }
  }

  #remember(clientId: string, until: number): void {
    this.#fresh.delete(clientId);
    if (this.#fresh.size >= MAX_FRESH_ENTRIES) {
      const oldest = this.#fresh.keys().next();
      if (oldest.done !== true) this.#fresh.delete(oldest.value);
    }
    this.#fresh.set(clientId, until);
  }

  /** The refusal's event (never the document's content) and its answer, `invalid_client`. */
  #refusal(clientId: string, error: unknown): OAuthError {
    let reason: string;
    let field: string | null = null;
    if (error instanceof DocumentFetchError) reason = error.reason;
    else if (error instanceof DocumentRefusal) {
      reason = error.reason;
      field = error.field;
    } else {
      // A storage failure or a host hook that threw: reported, and the client refused.
      this.options.onError(error);
      reason = 'internal';
    }
    this.events.emit('registration.refused', {
      via: 'metadata_document',
      clientId: clientId.slice(0, 2000),
      field,
      reason,
    });
    const description =
      reason === 'not_allowed'
        ? message('problem.clientDocumentRefused')
        : field !== null
          ? message('problem.clientDocumentInvalid', { field })
          : message('problem.clientDocumentUnreachable');
    return new OAuthError('invalid_client', 400, description);
  }

  /** Forgets every fresh document (tests; a host that changed `allow`). */
  forget(): void {
    this.#fresh.clear();
  }
}

/** A document that was fetched but cannot be used, or a URL the host does not allow. */
class DocumentRefusal extends Error {
  constructor(
    readonly reason: 'not_allowed' | 'invalid_document',
    readonly field: string | null,
  ) {
    super(reason);
    this.name = 'DocumentRefusal';
  }
}
