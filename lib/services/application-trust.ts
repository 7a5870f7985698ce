import { InvalidFieldError } from '../errors/invalid-field-error';
import type { ApplicationTrust } from '../storage/storage-adapter';

/**
 * How far host code trusts an application it creates. Only host code sets these: the settings
 * pages and API always create `trust: 'user'` applications.
 */
export interface ApplicationTrustInput {
  /** Default: `host` without an owner, `user` with one. `dynamic` is for registration requests. */
  trust?: Extract<ApplicationTrust, 'first-party' | 'host' | 'user'>;
  /** Skip the consent page; first-party applications only. Default: `true` for first-party. */
  skipConsent?: boolean;
}

/** The stored trust fields of an application host code creates, checked. */
export function trustFields(ownerId: string | null, input: ApplicationTrustInput) {
  const trust = input.trust ?? (ownerId === null ? 'host' : 'user');
  if (trust !== 'first-party' && trust !== 'host' && trust !== 'user') {
    throw new InvalidFieldError('trust', 'must be "first-party", "host" or "user"');
  }
  if (input.skipConsent !== undefined && typeof input.skipConsent !== 'boolean') {
    throw new InvalidFieldError('skipConsent', 'must be true or false');
  }
  if (input.skipConsent === true && trust !== 'first-party') {
    throw new InvalidFieldError('skipConsent', 'is for first-party applications only');
  }
  return { trust, skipConsent: trust === 'first-party' && input.skipConsent !== false };
}
