import { randomBytes, randomUUID } from 'node:crypto';
import { LimitExceededError } from '../errors/http-error';
import { InvalidFieldError } from '../errors/invalid-field-error';
import { ClientAuthenticationError, InvalidRequestError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import { message } from '../messages/catalog';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationPatch, ApplicationRecord, StorageAdapter } from '../storage/storage-adapter';
import { secretMatchesHash, sha256Hex } from '../tokens/hash';
import {
  type ApplicationInput,
  type ApplicationRules,
  type ApplicationUpdate,
  checkApplicationInput,
  checkApplicationUpdate,
  privateUseProblem,
} from '../validation/application-input';
import { orThrow } from '../validation/fields';
import { ApplicationCache } from './application-cache';
import { decodeCursor, encodeCursor } from './application-cursor';
import { type ApplicationTrustInput, trustFields } from './application-trust';

/** A newly created application and its secret, which is never retrievable again. */
export interface CreatedApplication {
  application: ApplicationRecord;
  /** `null` for public clients. */
  clientSecret: string | null;
}

/** One page of every application, and the cursor of the next (`null` after the last). */
export interface ApplicationPage {
  applications: ApplicationRecord[];
  next: string | null;
}

/** The most applications one page of `list()` holds, and how many it holds by default. */
export const APPLICATION_PAGE_LIMIT = { max: 100, default: 50 } as const;

/**
 * Registers and manages OAuth applications. Used by the settings API and by host code (admin
 * scripts). Secrets are returned once and stored only as SHA-256 hashes.
 */
export class ApplicationService {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly adapter: StorageAdapter,
    private readonly events: ProviderEvents,
    private readonly guardCache: ApplicationCache = new ApplicationCache(0),
  ) {}

  private get rules(): ApplicationRules {
    return { scopes: this.options.scopes, allowHttpRedirectUris: this.options.allowHttpRedirectUris };
  }

  /**
   * Registers an application owned by `ownerId` (or by nobody, for host-created clients). The
   * input is checked exactly as the settings API checks it: an `InvalidFieldError` names the
   * first field in the way, before anything is stored. Its trust is `host` without an owner and
   * `user` with one, unless `trust` says otherwise (`first-party` only from host code).
   *
   * @example
   * ```ts
   * const { application, clientSecret } = await provider.applications.create(
   *   { name: 'CI', homepageUrl: 'https://ci.example', redirectUris: ['https://ci.example/cb'], confidential: true, scopes: [] },
   *   null,
   * );
   * const mobile = await provider.applications.create(
   *   { name: 'ACME mobile', homepageUrl: 'https://acme.example', redirectUris: ['com.acme.mobile:/oauth2redirect'], confidential: false, scopes: [] },
   *   null,
   *   { trust: 'first-party' }, // skips the consent page
   * );
   * ```
   */
  async create(
    input: ApplicationInput,
    ownerId: string | null,
    trustInput: ApplicationTrustInput = {},
  ): Promise<CreatedApplication> {
    const checked = orThrow(checkApplicationInput(input, this.rules));
    const trust = trustFields(ownerId, trustInput);
    if (ownerId !== null) await this.refuseOverCap(ownerId);
    const now = new Date();
    const clientSecret = checked.confidential ? this.options.tokens.generate('client_secret') : null;
    const application: ApplicationRecord = {
      id: randomUUID(),
      clientId: randomBytes(16).toString('hex'),
      clientSecretHash: clientSecret === null ? null : sha256Hex(clientSecret),
      name: checked.name,
      homepageUrl: checked.homepageUrl,
      redirectUris: checked.redirectUris,
      confidential: checked.confidential,
      scopes: checked.scopes,
      ownerId,
      ...trust,
      createdAt: now,
      updatedAt: now,
    };
    const stored = await this.adapter.createApplication(application);
    this.events.emit('application.created', { clientId: stored.clientId, applicationId: stored.id, ownerId });
    return { application: stored, clientSecret };
  }

  /**
   * `limits.applicationsPerUser`: a user registers at most that many (checked before each
   * registration, so concurrent ones may pass it by their number). Host code creating an
   * application without an owner is not counted.
   */
  private async refuseOverCap(ownerId: string): Promise<void> {
    const cap = this.options.limits.applicationsPerUser;
    if (cap === null || (await this.adapter.listApplicationsByOwner(ownerId)).length < cap) return;
    this.events.emit('limit.exceeded', {
      limit: 'applications.user',
      keyKind: 'user',
      clientId: null,
      userId: ownerId,
      address: null,
    });
    throw new LimitExceededError(message('problem.applicationCap', { max: cap }));
  }

  findById(id: string): Promise<ApplicationRecord | null> {
    return this.adapter.findApplicationById(id);
  }

  /**
   * `findById` for the bearer guard: served from the guard's cache (`applicationCacheSeconds`),
   * so a protected request reads only its token in the steady state. The record is frozen.
   */
  findForGuard(id: string): Promise<ApplicationRecord | null> {
    return this.guardCache.get(id, () => this.adapter.findApplicationById(id));
  }

  /** What `findForGuard` would answer from its cache right now, without waiting: `undefined` if it would read storage. */
  cachedForGuard(id: string): ApplicationRecord | null | undefined {
    return this.guardCache.peek(id);
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

  /**
   * Every application, whoever owns it (host-created ones included), oldest first, a page at a
   * time: pass the `next` cursor of one page as `after` to get the following one.
   *
   * @example
   * ```ts
   * for (let page = await provider.applications.list(); ; page = await provider.applications.list({ after: page.next })) {
   *   for (const application of page.applications) console.log(application.clientId, application.name);
   *   if (page.next === null) break;
   * }
   * ```
   */
  async list(request: { limit?: number; after?: string | null } = {}): Promise<ApplicationPage> {
    const limit = request.limit ?? APPLICATION_PAGE_LIMIT.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > APPLICATION_PAGE_LIMIT.max) {
      throw new InvalidRequestError(message('problem.badLimit', { max: APPLICATION_PAGE_LIMIT.max }));
    }
    const after =
      request.after === undefined || request.after === null ? undefined : decodeCursor(request.after);
    // One more than asked says whether there is a next page.
    const found = await this.adapter.listApplications(
      after === undefined ? { limit: limit + 1 } : { limit: limit + 1, after },
    );
    const applications = found.slice(0, limit);
    const last = applications[applications.length - 1];
    return { applications, next: found.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  /**
   * Changes the fields `patch` gives, checked as `create` checks them; `null` if there is no such
   * application. `confidential` cannot change (an `InvalidFieldError` if it differs).
   */
  async update(id: string, patch: ApplicationUpdate): Promise<ApplicationRecord | null> {
    const { confidential, ...changes } = orThrow(checkApplicationUpdate(patch, this.rules));
    if (confidential !== undefined || changes.redirectUris !== undefined) {
      const current = await this.adapter.findApplicationById(id);
      if (current === null) return null;
      if (confidential !== undefined && current.confidential !== confidential) {
        throw new InvalidFieldError('confidential', message('field.confidentialFixed'));
      }
      const problem = privateUseProblem(changes.redirectUris ?? [], current.confidential);
      if (problem !== null) throw problem;
    }
    const stored: ApplicationPatch = { ...changes, updatedAt: new Date() };
    return this.adapter.updateApplication(id, stored);
  }

  /**
   * Changes how far the application is trusted (host code only; the settings never do): e.g.
   * marks an application the host created as `first-party`, whose consent is then skipped
   * unless `skipConsent: false`. `null` if there is no such application.
   *
   * @example
   * ```ts
   * await provider.applications.setTrust(application.id, { trust: 'first-party' });
   * ```
   */
  async setTrust(
    id: string,
    input: Required<Pick<ApplicationTrustInput, 'trust'>> & ApplicationTrustInput,
  ): Promise<ApplicationRecord | null> {
    const current = await this.adapter.findApplicationById(id);
    if (current === null) return null;
    const fields = trustFields(current.ownerId, input);
    return this.adapter.updateApplication(id, { ...fields, updatedAt: new Date() });
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
    if (application === null) throw new ClientAuthenticationError('unknown_client');
    if (application.confidential) {
      const hash = application.clientSecretHash;
      if (clientSecret === null || hash === null) throw new ClientAuthenticationError('missing_secret');
      if (!secretMatchesHash(clientSecret, hash)) throw new ClientAuthenticationError('invalid_secret');
    } else if (clientSecret !== null && clientSecret !== '') {
      throw new ClientAuthenticationError(
        'unexpected_secret',
        'Public clients do not have a secret; send client_id and PKCE only',
      );
    }
    return application;
  }
}
