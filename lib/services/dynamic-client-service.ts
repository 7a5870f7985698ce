import { randomBytes, randomUUID } from 'node:crypto';
import type { ProviderEvents } from '../events/provider-events';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationRecord, StorageAdapter } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import type { ApplicationInput } from '../validation/application-input';
import type { ApplicationService, CreatedApplication } from './application-service';

/**
 * Applications that arrive by request (`dynamic` trust): RFC 7591 registrations and the clients
 * of client metadata documents. Nobody vets them, so the consent page shows every time with the
 * "unverified" label, errors before the decision are not redirected (issue 9's rules), and the
 * unused ones are deleted (`purgeUnused`).
 */
export class DynamicClientService {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly adapter: StorageAdapter,
    private readonly applications: ApplicationService,
    private readonly events: ProviderEvents,
  ) {}

  /** RFC 7591 §3.2.1: stores a registration; a confidential client's secret is returned once. */
  async register(input: ApplicationInput): Promise<CreatedApplication> {
    const clientSecret = input.confidential ? this.options.tokens.generate('client_secret') : null;
    const application = await this.#create(randomBytes(16).toString('hex'), input, clientSecret);
    return { application, clientSecret };
  }

  /**
   * The application of a client metadata document, keyed by its URL (the `client_id`): created
   * on first use, refreshed from the document when it was fetched again. Two first uses racing
   * end with one record (the `client_id` is unique in every adapter).
   */
  async storeDocumentClient(clientId: string, input: ApplicationInput): Promise<ApplicationRecord> {
    const existing = await this.adapter.findApplicationByClientId(clientId);
    if (existing !== null) {
      if (existing.trust !== 'dynamic') return existing;
      const { name, homepageUrl, redirectUris, scopes } = input;
      const patch = { name, homepageUrl, redirectUris, scopes, updatedAt: new Date() };
      return (await this.adapter.updateApplication(existing.id, patch)) ?? existing;
    }
    try {
      return await this.#create(clientId, input, null);
    } catch (error) {
      const raced = await this.adapter.findApplicationByClientId(clientId);
      if (raced !== null) return raced;
      throw error;
    }
  }

  async #create(
    clientId: string,
    input: ApplicationInput,
    secret: string | null,
  ): Promise<ApplicationRecord> {
    const now = new Date();
    const stored = await this.adapter.createApplication({
      id: randomUUID(),
      clientId,
      clientSecretHash: secret === null ? null : sha256Hex(secret),
      name: input.name,
      homepageUrl: input.homepageUrl,
      redirectUris: input.redirectUris,
      confidential: input.confidential,
      scopes: input.scopes,
      ownerId: null,
      trust: 'dynamic',
      skipConsent: false,
      createdAt: now,
      updatedAt: now,
    });
    this.events.emit('application.created', {
      clientId: stored.clientId,
      applicationId: stored.id,
      ownerId: null,
    });
    return stored;
  }

  /** Whether a `dynamic` application came from a client metadata document (its id is its URL). */
  static isDocumentClient(application: ApplicationRecord): boolean {
    return /^https?:\/\//.test(application.clientId);
  }

  /**
   * Deletes `dynamic` applications unused for longer than their option's `unusedSeconds`: the
   * last moment one of their tokens was or will be valid (or their registration, if they never
   * got one) lies further back. A document client deleted this way is fetched again on its next
   * authorization. Returns how many were deleted.
   */
  async purgeUnused(now: Date): Promise<number> {
    const registration = this.options.dynamicRegistration;
    const documents = this.options.clientMetadataDocuments;
    if (!registration.enabled && !documents.enabled) return 0;
    let deleted = 0;
    let after: string | null = null;
    do {
      const page = await this.applications.list({ limit: 100, after });
      for (const application of page.applications) {
        if (application.trust !== 'dynamic') continue;
        const unusedSeconds = DynamicClientService.isDocumentClient(application)
          ? documents.unusedSeconds
          : registration.unusedSeconds;
        if (await this.#usedSince(application, now.getTime() - unusedSeconds * 1000)) continue;
        if (await this.applications.delete(application.id)) deleted += 1;
      }
      after = page.next;
    } while (after !== null);
    return deleted;
  }

  async #usedSince(application: ApplicationRecord, cutoff: number): Promise<boolean> {
    if (application.createdAt.getTime() > cutoff) return true;
    const tokens = await this.adapter.listTokens({ applicationId: application.id });
    return tokens.some((token) => {
      const end = token.revokedAt ?? token.expiresAt;
      return end === null || end.getTime() > cutoff;
    });
  }
}
