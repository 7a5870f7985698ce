import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidClientError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationPatch, ApplicationRecord, StorageAdapter } from '../storage/storage-adapter';
import { secretMatchesHash, sha256Hex } from '../tokens/hash';
import type { ApplicationInput } from './application-input';

/** A newly created application and its secret, which is never retrievable again. */
export interface CreatedApplication {
  application: ApplicationRecord;
  /** `null` for public clients. */
  clientSecret: string | null;
}

/**
 * Registers and manages OAuth applications. Used by the settings API and by host code (admin
 * scripts). Secrets are returned once and stored only as SHA-256 hashes.
 */
export class ApplicationService {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly adapter: StorageAdapter,
    private readonly events: ProviderEvents,
  ) {}

  /** Registers an application owned by `ownerId` (or by nobody, for host-created clients). */
  async create(input: ApplicationInput, ownerId: string | null): Promise<CreatedApplication> {
    const now = new Date();
    const clientSecret = input.confidential ? this.options.tokens.generate('client_secret') : null;
    const application: ApplicationRecord = {
      id: randomUUID(),
      clientId: randomBytes(16).toString('hex'),
      clientSecretHash: clientSecret === null ? null : sha256Hex(clientSecret),
      name: input.name,
      homepageUrl: input.homepageUrl,
      redirectUris: [...input.redirectUris],
      confidential: input.confidential,
      scopes: [...input.scopes],
      ownerId,
      createdAt: now,
      updatedAt: now,
    };
    const stored = await this.adapter.createApplication(application);
    this.events.emit('application.created', { clientId: stored.clientId, applicationId: stored.id, ownerId });
    return { application: stored, clientSecret };
  }

  findById(id: string): Promise<ApplicationRecord | null> {
    return this.adapter.findApplicationById(id);
  }

  findByClientId(clientId: string): Promise<ApplicationRecord | null> {
    return this.adapter.findApplicationByClientId(clientId);
  }

  /** The application if it exists and `ownerId` owns it; `null` otherwise (no existence leak). */
  async findOwned(id: string, ownerId: string): Promise<ApplicationRecord | null> {
    const application = await this.adapter.findApplicationById(id);
    return application !== null && application.ownerId === ownerId ? application : null;
  }

  listOwned(ownerId: string): Promise<ApplicationRecord[]> {
    return this.adapter.listApplicationsByOwner(ownerId);
  }

  update(
    id: string,
    patch: Omit<ApplicationPatch, 'updatedAt' | 'clientSecretHash'>,
  ): Promise<ApplicationRecord | null> {
    return this.adapter.updateApplication(id, { ...patch, updatedAt: new Date() });
  }

  /** Issues a new secret; the old one stops working at once. */
  async resetSecret(id: string): Promise<string | null> {
    const secret = this.options.tokens.generate('client_secret');
    const updated = await this.adapter.updateApplication(id, {
      clientSecretHash: sha256Hex(secret),
      updatedAt: new Date(),
    });
    if (updated === null) return null;
    this.events.emit('client.secret_reset', { clientId: updated.clientId, applicationId: id });
    return secret;
  }

  /** Revokes every token issued to the application; returns how many. */
  async revokeAllTokens(id: string): Promise<number> {
    const count = await this.adapter.revokeTokens({ applicationId: id }, new Date());
    const application = await this.adapter.findApplicationById(id);
    this.events.emit('token.revoked', {
      reason: 'application',
      clientId: application?.clientId ?? null,
      userId: null,
      count,
    });
    return count;
  }

  /** Revokes every token of the application, then deletes it with its grants. */
  async delete(id: string): Promise<boolean> {
    const application = await this.adapter.findApplicationById(id);
    if (application === null) return false;
    await this.revokeAllTokens(id);
    const deleted = await this.adapter.deleteApplication(id);
    if (deleted)
      this.events.emit('application.deleted', { clientId: application.clientId, applicationId: id });
    return deleted;
  }

  /**
   * RFC 6749 §2.3.1 client authentication. A confidential client must present its secret, always
   * (also with PKCE); a public client must not present one.
   */
  async authenticate(clientId: string, clientSecret: string | null): Promise<ApplicationRecord> {
    const application = await this.adapter.findApplicationByClientId(clientId);
    if (application === null) throw new InvalidClientError('Client authentication failed');
    if (application.confidential) {
      const hash = application.clientSecretHash;
      if (clientSecret === null || hash === null || !secretMatchesHash(clientSecret, hash)) {
        throw new InvalidClientError('Client authentication failed');
      }
    } else if (clientSecret !== null && clientSecret !== '') {
      throw new InvalidClientError('Public clients do not have a secret; send client_id and PKCE only');
    }
    return application;
  }
}
