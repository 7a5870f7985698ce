import { type FetchSettings, type HostResolver, systemResolver } from '../client-documents/fetch-document';
import { ConfigurationError } from '../errors/configuration-error';

/**
 * The options of clients that arrive unregistered: `dynamicRegistration` (RFC 7591) and
 * `clientMetadataDocuments` (draft-ietf-oauth-client-id-metadata-document). Both are off by
 * default; each check returns the resolved form the provider uses.
 */

/** `dynamicRegistration`: RFC 7591 registration at `POST {basePath}/register`. */
export interface DynamicRegistrationOptions {
  /** Serve the registration endpoint (and advertise it in the metadata). */
  enabled: boolean;
  /** Let a registration ask for a confidential client (`client_secret_basic`/`_post`); default `false`. */
  allowConfidential?: boolean;
  /** The most a registered client may ask for (its `scope` is checked against them); default every declared scope users may hold. */
  scopes?: readonly string[];
  /** A registered client that got no token for this long after its registration, or since its last token expired, is deleted; default 86400 (a day). */
  unusedSeconds?: number;
}

/** Testing only: lets the document fetcher reach a local HTTPS server. Never in production. */
export interface ClientMetadataDocumentTesting {
  /** Extra CA certificates (PEM) the fetcher trusts, e.g. a test's self-signed one. */
  ca?: string | readonly string[];
  /** Fetch from loopback addresses (127.0.0.0/8, ::1); private, link-local and the rest stay refused. */
  allowLoopback?: boolean;
  /** Also accept plain `http://127.0.0.1:<port>/…` document URLs (local development). */
  allowHttpLoopback?: boolean;
  /** Resolve host names with this instead of DNS (tests map a name to an address). */
  resolve?: HostResolver;
  /** A shorter deadline than the 5 s (milliseconds, 100 to 5000). */
  timeoutMs?: number;
}

/** `clientMetadataDocuments`: `client_id`s that are `https:` URLs of a JSON client description. */
export interface ClientMetadataDocumentOptions {
  /** Accept them (and advertise `client_id_metadata_document_supported`). */
  enabled: boolean;
  /** The host's say on which document URLs to trust (an allow-list of domains, say); default every URL. */
  allow?: (url: URL) => boolean | Promise<boolean>;
  /** A fetched document is used this long: its `Cache-Control: max-age` within `[min, max]`; default `{ min: 300, max: 86400 }`. */
  cacheSeconds?: { min: number; max: number };
  /** The most such a client may ask for; default every declared scope users may hold. */
  scopes?: readonly string[];
  /** Such a client with no live token for this long is deleted (it is fetched again when it returns); default 86400. */
  unusedSeconds?: number;
  /** Testing only (see {@link ClientMetadataDocumentTesting}). */
  testing?: ClientMetadataDocumentTesting;
}

export interface ResolvedDynamicRegistration {
  enabled: boolean;
  allowConfidential: boolean;
  scopes: readonly string[] | null;
  unusedSeconds: number;
}

export interface ResolvedClientMetadataDocuments {
  enabled: boolean;
  allow: ((url: URL) => boolean | Promise<boolean>) | null;
  cacheSeconds: { min: number; max: number };
  scopes: readonly string[] | null;
  unusedSeconds: number;
  fetch: FetchSettings;
}

const DAY = 86_400;
const FETCH_TIMEOUT_MS = 5000;
/** The draft recommends a small limit; 5 KiB holds any honest client description. */
const MAX_DOCUMENT_BYTES = 5 * 1024;

function record(value: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(name, `must be an object: { ${known.join(', ')} }`);
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!known.includes(key))
      throw new ConfigurationError(`${name}.${key}`, `is not an option (known: ${known.join(', ')})`);
  }
  return given;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigurationError(name, 'must be true or false');
  return value;
}

function whole(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function scopeList(value: unknown, name: string): readonly string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => typeof s === 'string' && s !== '')) {
    throw new ConfigurationError(name, 'must be a non-empty array of scope names');
  }
  return Object.freeze([...value]);
}

const REGISTRATION_KEYS = ['enabled', 'allowConfidential', 'scopes', 'unusedSeconds'];

/** `dynamicRegistration`, resolved (off when left out). */
export function resolveDynamicRegistration(value: unknown, name: string): ResolvedDynamicRegistration {
  if (value === undefined || value === false) {
    return Object.freeze({ enabled: false, allowConfidential: false, scopes: null, unusedSeconds: DAY });
  }
  const given = record(value, name, REGISTRATION_KEYS);
  return Object.freeze({
    enabled: flag(given.enabled, `${name}.enabled`, false),
    allowConfidential: flag(given.allowConfidential, `${name}.allowConfidential`, false),
    scopes: scopeList(given.scopes, `${name}.scopes`),
    unusedSeconds: whole(given.unusedSeconds, `${name}.unusedSeconds`, DAY, 60, 365 * DAY),
  });
}

const DOCUMENT_KEYS = ['enabled', 'allow', 'cacheSeconds', 'scopes', 'unusedSeconds', 'testing'];
const TESTING_KEYS = ['ca', 'allowLoopback', 'allowHttpLoopback', 'resolve', 'timeoutMs'];

function fetchSettings(value: unknown, name: string): FetchSettings {
  const strict: FetchSettings = {
    timeoutMs: FETCH_TIMEOUT_MS,
    maxBytes: MAX_DOCUMENT_BYTES,
    resolve: systemResolver,
    allowLoopback: false,
    allowHttpLoopback: false,
    ca: null,
  };
  if (value === undefined) return Object.freeze(strict);
  const given = record(value, name, TESTING_KEYS);
  const { ca, resolve } = given;
  const certificates = ca === undefined ? null : typeof ca === 'string' ? [ca] : ca;
  if (
    certificates !== null &&
    (!Array.isArray(certificates) || !certificates.every((c) => typeof c === 'string'))
  ) {
    throw new ConfigurationError(`${name}.ca`, 'must be a PEM string or an array of them');
  }
  if (resolve !== undefined && typeof resolve !== 'function') {
    throw new ConfigurationError(`${name}.resolve`, 'must be a function (hostname) => Promise<string[]>');
  }
  return Object.freeze({
    ...strict,
    timeoutMs: whole(given.timeoutMs, `${name}.timeoutMs`, FETCH_TIMEOUT_MS, 100, FETCH_TIMEOUT_MS),
    resolve: (resolve as HostResolver | undefined) ?? systemResolver,
    allowLoopback: flag(given.allowLoopback, `${name}.allowLoopback`, false),
    allowHttpLoopback: flag(given.allowHttpLoopback, `${name}.allowHttpLoopback`, false),
    ca: certificates === null ? null : Object.freeze([...(certificates as string[])]),
  });
}

function cacheBounds(value: unknown, name: string): { min: number; max: number } {
  if (value === undefined) return Object.freeze({ min: 300, max: DAY });
  const given = record(value, name, ['min', 'max']);
  const min = whole(given.min, `${name}.min`, 300, 0, 30 * DAY);
  const max = whole(given.max, `${name}.max`, DAY, 0, 30 * DAY);
  if (min > max) throw new ConfigurationError(name, 'min must not exceed max');
  return Object.freeze({ min, max });
}

/** `clientMetadataDocuments`, resolved (off when left out). */
export function resolveClientMetadataDocuments(
  value: unknown,
  name: string,
): ResolvedClientMetadataDocuments {
  const given =
    value === undefined || value === false ? { enabled: false } : record(value, name, DOCUMENT_KEYS);
  const { allow } = given;
  if (allow !== undefined && typeof allow !== 'function') {
    throw new ConfigurationError(
      `${name}.allow`,
      'must be a function (url: URL) => boolean | Promise<boolean>',
    );
  }
  return Object.freeze({
    enabled: flag(given.enabled, `${name}.enabled`, false),
    allow: (allow as ResolvedClientMetadataDocuments['allow'] | undefined) ?? null,
    cacheSeconds: cacheBounds(given.cacheSeconds, `${name}.cacheSeconds`),
    scopes: scopeList(given.scopes, `${name}.scopes`),
    unusedSeconds: whole(given.unusedSeconds, `${name}.unusedSeconds`, DAY, 60, 365 * DAY),
    fetch: fetchSettings(given.testing, `${name}.testing`),
  });
}
