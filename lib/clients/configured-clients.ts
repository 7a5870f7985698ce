import { ConfigurationError } from '../errors/configuration-error';
import type { ApplicationTrust } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import { type ApplicationRules, checkApplicationInput } from '../validation/application-input';
import { problemOf } from '../validation/fields';

/**
 * An application the host declares in configuration (`createProvider({ clients: [...] })`),
 * with a `client_id` it chooses. Stored when the provider starts, by `clientId`: restarting never
 * duplicates it, and a changed entry (a new secret, other redirect URIs) replaces the stored one.
 *
 * @example
 * ```ts
 * createProvider({
 *   // …
 *   clients: [{
 *     clientId: 'acme-mobile',
 *     name: 'ACME mobile',
 *     redirectUris: ['com.acme.mobile:/oauth2redirect'],
 *     confidential: false,
 *     firstParty: true,
 *   }, {
 *     clientId: 'ci',
 *     clientSecretHash: process.env.CI_CLIENT_SECRET_SHA256, // no plain secret in the config
 *     name: 'CI',
 *     redirectUris: ['https://ci.example.com/oauth/callback'],
 *     scopes: ['ci:status'],
 *     confidential: true,
 *   }],
 * });
 * ```
 */
export interface ConfiguredClient {
  /** The `client_id`: 1 to 255 printable ASCII characters, no spaces (RFC 6749 §2.2). */
  clientId: string;
  /** A confidential client's secret, at least 16 characters; only its SHA-256 hash is kept. */
  clientSecret?: string;
  /** Instead of `clientSecret`: its SHA-256 hash, 64 lowercase hex characters. */
  clientSecretHash?: string;
  name: string;
  /** Shown (as a link) on the consent page; default none. */
  homepageUrl?: string;
  /** Checked as registrations are (https, loopback http, private-use schemes for public clients). */
  redirectUris: string[];
  /** The scopes it may request; default: every declared scope. */
  scopes?: string[];
  confidential: boolean;
  /** The host's own app (`trust: 'first-party'`); otherwise `trust: 'host'`. Default `false`. */
  firstParty?: boolean;
  /** Whether its authorizations skip the consent page; first-party only, default `true` for them. */
  skipConsent?: boolean;
}

/** A configured client, checked: what the provider stores (never the plain secret). */
export interface CheckedClient {
  clientId: string;
  clientSecretHash: string | null;
  name: string;
  homepageUrl: string;
  redirectUris: string[];
  scopes: string[];
  confidential: boolean;
  trust: Extract<ApplicationTrust, 'first-party' | 'host'>;
  skipConsent: boolean;
}

/** The fields of an entry that are stored under the same name (once checked). */
export const FIELDS_STORED_AS_GIVEN = [
  'clientSecretHash',
  'name',
  'homepageUrl',
  'redirectUris',
  'scopes',
  'confidential',
  'skipConsent',
] as const;
/** Every field an entry may have: those, its id, and what is stored otherwise (a secret's hash, `trust`). */
const FIELDS = new Set<string>(['clientId', 'clientSecret', 'firstParty', ...FIELDS_STORED_AS_GIVEN]);
const CLIENT_ID = /^[\x21-\x7E]{1,255}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function optionalBoolean(where: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ConfigurationError(where, 'must be true or false');
}

/** RFC 6749 §2.3.1: a confidential client has a secret; a public one has none. */
function secretHash(where: string, fields: Readonly<Record<string, unknown>>, confidential: boolean) {
  const { clientSecret, clientSecretHash } = fields;
  if (!confidential) {
    if (clientSecret !== undefined || clientSecretHash !== undefined) {
      throw new ConfigurationError(`${where}.clientSecret`, 'must be left out for a public client');
    }
    return null;
  }
  if (clientSecret !== undefined && clientSecretHash !== undefined) {
    throw new ConfigurationError(`${where}.clientSecret`, 'and clientSecretHash: give one, not both');
  }
  if (typeof clientSecretHash === 'string' && SHA256_HEX.test(clientSecretHash)) return clientSecretHash;
  if (clientSecretHash !== undefined) {
    throw new ConfigurationError(
      `${where}.clientSecretHash`,
      'must be the SHA-256 of the secret in lowercase hex (64 characters)',
    );
  }
  if (typeof clientSecret === 'string' && clientSecret.length >= 16) return sha256Hex(clientSecret);
  throw new ConfigurationError(
    `${where}.clientSecret`,
    'must be a string of at least 16 characters (or give clientSecretHash) for a confidential client',
  );
}

function checkClient(where: string, entry: unknown, rules: ApplicationRules): CheckedClient {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigurationError(
      where,
      'must be an object: { clientId, name, redirectUris, confidential, … }',
    );
  }
  const fields = entry as Readonly<Record<string, unknown>>;
  const unknownField = Object.keys(fields).find((key) => !FIELDS.has(key));
  if (unknownField !== undefined)
    throw new ConfigurationError(`${where}.${unknownField}`, 'is not a field of a client');
  if (typeof fields.clientId !== 'string' || !CLIENT_ID.test(fields.clientId)) {
    throw new ConfigurationError(
      `${where}.clientId`,
      'must be 1 to 255 printable ASCII characters without spaces',
    );
  }
  if (typeof fields.confidential !== 'boolean')
    throw new ConfigurationError(`${where}.confidential`, 'must be true or false');
  const firstParty = optionalBoolean(`${where}.firstParty`, fields.firstParty) ?? false;
  const skipConsent = optionalBoolean(`${where}.skipConsent`, fields.skipConsent);
  if (skipConsent === true && !firstParty) {
    throw new ConfigurationError(
      `${where}.skipConsent`,
      'is for first-party clients only (set firstParty: true)',
    );
  }
  const clientSecretHash = secretHash(where, fields, fields.confidential);
  const checked = checkApplicationInput(
    {
      name: fields.name,
      homepageUrl: fields.homepageUrl,
      redirectUris: fields.redirectUris,
      confidential: fields.confidential,
      scopes: fields.scopes,
    },
    rules,
    { homepageOptional: true },
  );
  if (!checked.ok) {
    // The validator's field names are the entry's: `redirectUris[0]` becomes `clients[1].redirectUris[0]`.
    const [problem] = checked.problems;
    if (problem === undefined) throw new ConfigurationError(where, 'is not a valid client');
    throw new ConfigurationError(`${where}.${problem.field}`, problemOf(problem));
  }
  return {
    clientId: fields.clientId,
    clientSecretHash,
    ...checked.value,
    trust: firstParty ? 'first-party' : 'host',
    skipConsent: firstParty && skipConsent !== false,
  };
}

/**
 * Checks the `clients` option at start-up: every entry as registrations are checked, plus its
 * `client_id` and secret; a `ConfigurationError` names the entry and field
 * (`clients[1].redirectUris[0]`). Client ids must be distinct.
 */
export function checkConfiguredClients(value: unknown, rules: ApplicationRules): CheckedClient[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigurationError('clients', 'must be an array of clients');
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const client = checkClient(`clients[${index}]`, entry, rules);
    if (seen.has(client.clientId)) {
      throw new ConfigurationError(`clients[${index}].clientId`, `repeats "${client.clientId}"`);
    }
    seen.add(client.clientId);
    return client;
  });
}
