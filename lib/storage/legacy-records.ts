import type { ApplicationRecord, ApplicationTrust } from './storage-adapter';

/**
 * The trust of an application record stored before trust levels existed (no `trust` field): the
 * host's when nobody owns it, a user's otherwise. The storage contract fixes this rule, so every
 * adapter's reader applies it the same way.
 *
 * @internal
 */
export function legacyTrust(ownerId: string | null): ApplicationTrust {
  return ownerId === null ? 'host' : 'user';
}

/** Every trust level, for adapters that narrow what they read back. */
export const TRUST_LEVELS: readonly ApplicationTrust[] = ['first-party', 'host', 'user', 'dynamic'];

/** An application record as an older provider version may have stored it: without trust fields. */
export type LegacyApplicationRecord = Omit<ApplicationRecord, 'trust' | 'skipConsent'> &
  Partial<Pick<ApplicationRecord, 'trust' | 'skipConsent'>>;

/** The record with the contract's reading of absent trust fields (`legacyTrust`, `skipConsent: false`). */
export function withTrustDefaults(record: LegacyApplicationRecord): ApplicationRecord {
  return {
    ...record,
    trust: record.trust ?? legacyTrust(record.ownerId),
    skipConsent: record.skipConsent ?? false,
  };
}
