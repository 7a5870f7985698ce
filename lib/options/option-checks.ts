import type { ConfiguredClient } from '../clients/configured-clients';
import { ConfigurationError } from '../errors/configuration-error';
import type { ResourceTypes } from '../scopes/resource-types';
import type { ScopeDefinitions } from '../scopes/scope-registry';
import type { StorageAdapter } from '../storage/storage-adapter';

/**
 * The checks the options schema is built from. Each takes the raw value a host passed (typed or
 * not: JavaScript hosts pass anything) and returns it, or throws a `ConfigurationError` naming the
 * option and saying what is wrong.
 */
export type OptionCheck<T> = (value: unknown, name: string) => T;

/**
 * Every method of the storage contract. A `Record` over `keyof StorageAdapter` makes the compiler
 * fail here when the contract gains a method, so the start-up check can never fall behind it.
 */
const ADAPTER_METHODS: Readonly<Record<keyof StorageAdapter, 'required' | 'optional'>> = {
  createApplication: 'required',
  findApplicationById: 'required',
  findApplicationByClientId: 'required',
  listApplicationsByOwner: 'required',
  listApplications: 'required',
  updateApplication: 'required',
  deleteApplication: 'required',
  saveGrant: 'required',
  findGrant: 'required',
  findGrantById: 'required',
  listGrantsByUser: 'required',
  deleteGrant: 'required',
  touchGrant: 'required',
  insertToken: 'required',
  findTokenByHash: 'required',
  listTokens: 'required',
  revokeTokens: 'required',
  restrictTokens: 'required',
  consumeToken: 'required',
  touchToken: 'required',
  purgeExpired: 'required',
  pruneTokens: 'optional',
  createRateLimiter: 'optional',
};

/** An object with every required storage method (duck-typed: adapters are plain classes). */
export const storageAdapter: OptionCheck<StorageAdapter> = (value, name) => {
  if (typeof value !== 'object' || value === null) {
    throw new ConfigurationError(name, 'is required: a StorageAdapter (MemoryAdapter, MongoAdapter, …)');
  }
  const methods: Record<string, unknown> = value as Record<string, unknown>;
  for (const [method, presence] of Object.entries(ADAPTER_METHODS)) {
    const member = methods[method];
    if (typeof member === 'function' || (presence === 'optional' && member === undefined)) continue;
    throw new ConfigurationError(name, `must implement StorageAdapter (missing ${method}())`);
  }
  return value as StorageAdapter;
};

/**
 * A host hook. Its parameters cannot be checked at run time, so the check is `typeof` and the
 * signature is the one `ProviderOptions` declares (the caller's type parameter).
 */
export function hostFunction<F>(required: false): OptionCheck<F | undefined>;
export function hostFunction<F>(required: true): OptionCheck<F>;
export function hostFunction<F>(required: boolean): OptionCheck<F | undefined> {
  return (value, name) => {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'function') {
      throw new ConfigurationError(name, required ? 'is required: a function' : 'must be a function');
    }
    return value as F;
  };
}

export const boolean: OptionCheck<boolean | undefined> = (value, name) => {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ConfigurationError(name, 'must be true or false');
};

/** A whole number of seconds > 0 (or `null` when `nullable`: "never expires"). */
export function seconds(limits: { nullable: true; max?: number }): OptionCheck<number | null | undefined>;
export function seconds(limits: { nullable: false; max?: number }): OptionCheck<number | undefined>;
export function seconds(limits: { nullable: boolean; max?: number }): OptionCheck<number | null | undefined> {
  return (value, name) => {
    if (value === null && limits.nullable) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ConfigurationError(
        name,
        `must be a positive whole number of seconds${limits.nullable ? ' or null' : ''}`,
      );
    }
    if (limits.max !== undefined && value > limits.max) {
      throw new ConfigurationError(name, `must be at most ${limits.max} seconds (RFC 6749 §4.1.2)`);
    }
    return value;
  };
}

/** A whole number within `[min, max]`; `problem` says so in the option's own terms. */
export function wholeNumber(min: number, max: number, problem: string): OptionCheck<number | undefined> {
  return (value, name) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    throw new ConfigurationError(name, problem);
  };
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(choices: readonly T[]): OptionCheck<T | undefined> {
  return (value, name) => {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    throw new ConfigurationError(name, `must be ${choices.map((choice) => `"${choice}"`).join(' or ')}`);
  };
}

/** A string matching `pattern`; `problem` describes the pattern to a person. */
export function matching(pattern: RegExp, problem: string): OptionCheck<string | undefined> {
  return (value, name) => {
    if (typeof value === 'string' && pattern.test(value)) return value;
    throw new ConfigurationError(name, problem);
  };
}

/** A non-empty string; `hint` says what the option is for. */
export function requiredText(hint: string): OptionCheck<string> {
  return (value, name) => {
    if (typeof value === 'string' && value !== '') return value;
    throw new ConfigurationError(name, `is required (${hint})`);
  };
}

/** An array of strings (a lone string would otherwise be read character by character). */
export function stringList(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ConfigurationError(name, 'must be an array of strings');
  }
  return [...(value as string[])];
}

/** Serialized origin: `scheme://host[:port]`, no path, no trailing slash (RFC 6454 §6.2). */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@]+$/i;

/**
 * `'*'` or an array of exact origins. A string other than `'*'` is refused: matching an origin
 * with `includes()` on a string would accept any substring of it (`https://a.co` for
 * `https://a.com`).
 */
export const corsOrigins: OptionCheck<'*' | readonly string[] | undefined> = (value, name) => {
  if (value === '*') return value;
  if (!Array.isArray(value)) {
    throw new ConfigurationError(name, 'must be "*" or an array of origins like ["https://app.example.com"]');
  }
  const origins = stringList(name, value);
  for (const origin of origins) {
    if (!ORIGIN.test(origin)) {
      throw new ConfigurationError(
        name,
        `lists "${origin}", which is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
    }
  }
  return Object.freeze(origins);
};

export const issuer: OptionCheck<string> = (value, name) => {
  if (typeof value !== 'string')
    throw new ConfigurationError(name, 'is required (e.g. "https://example.com")');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(name, `must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(name, 'must be an http(s) URL');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigurationError(name, 'must not have a query or fragment (RFC 8414 §2)');
  }
  return value.replace(/\/+$/, '');
};

/** RFC 6749 §3.3 scope-token, without commas (GitHub-style comma lists are accepted on input). */
const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const scopeDefinitions: OptionCheck<ScopeDefinitions> = (value, name) => {
  if (typeof value !== 'object' || value === null || Object.keys(value).length === 0) {
    throw new ConfigurationError(name, 'must declare at least one scope: { name: { description } }');
  }
  const definitions = value as Record<string, unknown>;
  for (const [scope, definition] of Object.entries(definitions)) {
    if (!SCOPE_NAME.test(scope) || scope.includes(',')) {
      throw new ConfigurationError(
        `${name}.${scope}`,
        'is not a valid scope name (RFC 6749 §3.3, no commas)',
      );
    }
    const fields: Record<string, unknown> =
      typeof definition === 'object' && definition !== null ? (definition as Record<string, unknown>) : {};
    if (typeof fields.description !== 'string' || fields.description === '') {
      throw new ConfigurationError(`${name}.${scope}.description`, 'must be a non-empty string');
    }
    if (
      fields.resourceType !== undefined &&
      (typeof fields.resourceType !== 'string' || fields.resourceType === '')
    ) {
      throw new ConfigurationError(`${name}.${scope}.resourceType`, 'must name a key of resourceTypes');
    }
    if (fields.holders !== undefined) {
      const holders = stringList(`${name}.${scope}.holders`, fields.holders);
      const known = holders.every((holder) => holder === 'user' || holder === 'client');
      if (holders.length === 0 || !known || new Set(holders).size !== holders.length) {
        throw new ConfigurationError(
          `${name}.${scope}.holders`,
          "must be ['user'], ['client'] or ['user', 'client']",
        );
      }
    }
    if (fields.includes === undefined) continue;
    for (const included of stringList(`${name}.${scope}.includes`, fields.includes)) {
      if (!(included in definitions)) {
        throw new ConfigurationError(`${name}.${scope}.includes`, `names an undeclared scope "${included}"`);
      }
    }
  }
  return value as ScopeDefinitions;
};

/** `resourceTypes`: each a `{ name, list, authorizationDetails? }` (scopes are checked against it later). */
export const resourceTypes: OptionCheck<ResourceTypes | undefined> = (value, name) => {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(name, 'must be an object: { [type]: { name, list } }');
  }
  for (const [type, definition] of Object.entries(value)) {
    const where = `${name}.${type}`;
    const fields: Record<string, unknown> =
      typeof definition === 'object' && definition !== null ? (definition as Record<string, unknown>) : {};
    if (typeof fields.name !== 'string' || fields.name === '') {
      throw new ConfigurationError(
        `${where}.name`,
        'must be a non-empty string (the plural, e.g. "repositories")',
      );
    }
    if (typeof fields.list !== 'function') {
      throw new ConfigurationError(
        `${where}.list`,
        'must be a function (user, { cursor, limit }) => { items, next? }',
      );
    }
    const details = fields.authorizationDetails;
    if (details === undefined) continue;
    const actions: unknown =
      typeof details === 'object' && details !== null
        ? (details as Record<string, unknown>).actions
        : undefined;
    if (typeof actions !== 'object' || actions === null || Object.keys(actions).length === 0) {
      throw new ConfigurationError(
        `${where}.authorizationDetails.actions`,
        'must map action names to scopes',
      );
    }
    for (const [action, scope] of Object.entries(actions)) {
      if (typeof scope !== 'string') {
        throw new ConfigurationError(
          `${where}.authorizationDetails.actions.${action}`,
          'must be a scope name',
        );
      }
    }
  }
  return value as ResourceTypes;
};

/**
 * A `WWW-Authenticate` realm: printable ASCII without `"` and `\`, so it fits a quoted-string
 * (RFC 9110 §11.2) as it is.
 */
export const realm: OptionCheck<string | undefined> = (value, name) => {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,200}$/.test(value)) return value;
  throw new ConfigurationError(name, 'must be 1 to 200 printable ASCII characters without " or \\');
};

/**
 * The `clients` option's shape: an array. Each entry is checked by `checkConfiguredClients` in
 * `resolveOptions`, since its redirect URIs and scopes depend on other options.
 */
export const configuredClients: OptionCheck<readonly ConfiguredClient[] | undefined> = (value, name) => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ConfigurationError(name, 'must be an array of clients');
  return value as readonly ConfiguredClient[];
};

export const csrfSecret: OptionCheck<string | undefined> = (value, name) => {
  if (value === undefined || (typeof value === 'string' && value.length >= 16)) return value;
  throw new ConfigurationError(name, 'must be a string of at least 16 characters');
};
