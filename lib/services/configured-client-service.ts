import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type CheckedClient, FIELDS_STORED_AS_GIVEN } from '../clients/configured-clients';
import { ConfigurationError } from '../errors/configuration-error';
import type { ProviderEvents } from '../events/provider-events';
import type { ApplicationPatch, ApplicationRecord, StorageAdapter } from '../storage/storage-adapter';

/** The fields a configured client sets; those that changed are rewritten at start-up. */
const CONFIGURED_FIELDS = [
  ...FIELDS_STORED_AS_GIVEN,
  'trust',
] as const satisfies readonly (keyof CheckedClient & keyof ApplicationPatch)[];

/**
 * Stores the clients of the `clients` option (`createProvider({ clients })`) by their
 * `client_id`: created the first time, rewritten when the entry changed (a new secret, other
 * redirect URIs), left alone otherwise, so restarting never duplicates one and never writes when
 * nothing changed. Two processes starting at once both end with the one record. Removing an
 * entry from the configuration leaves its application stored (`provider.applications.delete()`
 * removes it).
 */
export class ConfiguredClientService {
  constructor(
    private readonly adapter: StorageAdapter,
    private readonly events: ProviderEvents,
  ) {}

  /** Stores every configured client, in order. */
  async applyAll(clients: readonly CheckedClient[]): Promise<void> {
    for (const [index, client] of clients.entries()) await this.apply(client, index);
  }

  /** Stores one configured client (`index` names it in errors: `clients[1].clientId`). */
  async apply(client: CheckedClient, index: number): Promise<ApplicationRecord> {
    const existing = await this.adapter.findApplicationByClientId(client.clientId);
    if (existing !== null) return this.#reconcile(existing, client, index);
    const now = new Date();
    const record: ApplicationRecord = {
      id: randomUUID(),
      ...client,
      ownerId: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      const stored = await this.adapter.createApplication(record);
      this.events.emit('application.created', {
        clientId: stored.clientId,
        applicationId: stored.id,
        ownerId: null,
      });
      return stored;
    } catch (error) {
      // Another process stored it first (client ids are unique): reconcile with that one.
      const raced = await this.adapter.findApplicationByClientId(client.clientId);
      if (raced === null) throw error;
      return this.#reconcile(raced, client, index);
    }
  }

  async #reconcile(
    existing: ApplicationRecord,
    client: CheckedClient,
    index: number,
  ): Promise<ApplicationRecord> {
    // A user's (or a request's) registration never turns into a host app by naming its client_id.
    if (existing.trust !== 'first-party' && existing.trust !== 'host') {
      throw new ConfigurationError(
        `clients[${index}].clientId`,
        `"${client.clientId}" is the client_id of an application registered by a ${existing.trust === 'user' ? 'user' : 'request'}`,
      );
    }
    const patch: ApplicationPatch = {};
    for (const field of CONFIGURED_FIELDS) {
      if (!isDeepStrictEqual(existing[field], client[field]))
        Object.assign(patch, { [field]: client[field] });
    }
    if (Object.keys(patch).length === 0) return existing;
    const updated = await this.adapter.updateApplication(existing.id, { ...patch, updatedAt: new Date() });
    // Deleted meanwhile: store it again.
    return updated ?? this.apply(client, index);
  }
}
