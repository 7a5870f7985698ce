/**
 * The column map of each table: which column holds which record field, and how a value is
 * written and read on each dialect. It is the one place a field lives besides its migration:
 * adding a field to a record is one entry here plus one migration (`migrations.ts`), and the
 * compiler refuses a map that misses a field of the contract (`ColumnMap` demands every key).
 *
 * Rows come back as `unknown` and are narrowed field by field, so a row written by hand or by
 * an older version fails loudly, naming the table, column and what was expected.
 *
 * Stored shapes: PostgreSQL keeps dates as `timestamptz`, booleans as `boolean`, lists as
 * `text[]`; SQLite keeps dates as integer milliseconds since the epoch, booleans as 0 / 1, lists
 * as JSON text. Both keep millisecond precision exactly, which is all the contract asks for.
 *
 * @internal
 */

import { type LegacyApplicationRecord, TRUST_LEVELS } from '../../lib/storage/legacy-records';
import { copySelection, parseSelection } from '../../lib/storage/resource-selection';
import type {
  ApplicationPatch,
  GrantRecord,
  ResourceSelection,
  TokenFilter,
  TokenKind,
  TokenRecord,
} from '../../lib/storage/storage-adapter';

/** The SQL dialects this adapter speaks. */
export type SqlDialectName = 'postgres' | 'sqlite';

/** A row as the driver hands it over, or as it is given to a query. */
export type Row = Record<string, unknown>;

/** The database as Kysely sees it: table names are computed (a prefix), so rows are `Row`s. */
export type Tables = Record<string, Row>;

/** One record field: its column and its codec. */
export interface Column<T> {
  readonly name: string;
  encode(value: T, dialect: SqlDialectName): unknown;
  /** Narrows what the driver returned; `fail` throws a message naming the table and column. */
  decode(value: unknown, fail: (expected: string) => never): T;
}

/** Every field of record `R`, mapped to its column. */
export type ColumnMap<R> = { readonly [K in keyof R]-?: Column<R[K]> };

function nullable<T>(column: Column<T>): Column<T | null> {
  return {
    name: column.name,
    encode: (value, dialect) => (value === null ? null : column.encode(value, dialect)),
    decode: (value, fail) => (value === null || value === undefined ? null : column.decode(value, fail)),
  };
}

function text(name: string): Column<string> {
  return {
    name,
    encode: (value) => value,
    decode: (value, fail) => (typeof value === 'string' ? value : fail('a string')),
  };
}

function oneOf<const T extends string>(name: string, values: readonly T[]): Column<T> {
  return {
    name,
    encode: (value) => value,
    decode: (value, fail) => values.find((known) => known === value) ?? fail(`one of ${values.join(', ')}`),
  };
}

function boolean(name: string): Column<boolean> {
  return {
    name,
    encode: (value, dialect) => (dialect === 'sqlite' ? (value ? 1 : 0) : value),
    decode: (value, fail) => {
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      return fail('a boolean (or 0 / 1)');
    },
  };
}

/** A `Date` as the dialect stores it: itself (PostgreSQL), or milliseconds (SQLite). */
export function encodeDate(value: Date, dialect: SqlDialectName): Date | number {
  return dialect === 'sqlite' ? value.getTime() : new Date(value.getTime());
}

function date(name: string): Column<Date> {
  return {
    name,
    encode: encodeDate,
    decode: (value, fail) => {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
      return fail('a date (or milliseconds since the epoch)');
    },
  };
}

function list(name: string): Column<string[]> {
  const strings = (value: unknown, fail: (expected: string) => never): string[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? [...value]
      : fail('a list of strings');
  return {
    name,
    encode: (value, dialect) => (dialect === 'sqlite' ? JSON.stringify(value) : [...value]),
    decode: (value, fail) => {
      if (typeof value !== 'string') return strings(value, fail);
      try {
        return strings(JSON.parse(value), fail);
      } catch {
        return fail('a JSON list of strings');
      }
    },
  };
}

/**
 * A resource selection as JSON text on both dialects (sorted lists, so equal selections are equal
 * text: `restrictTokens` compares what it read). A row from before the column existed is `NULL`:
 * unrestricted, as the contract says.
 */
function selection(name: string): Column<ResourceSelection | null> {
  return {
    name,
    encode: (value) => (value === null ? null : JSON.stringify(copySelection(value))),
    decode: (value, fail) => {
      const selection = parseSelection(value);
      return selection === undefined ? fail('null or JSON { scope: [ids] }') : selection;
    },
  };
}

/**
 * A list column added after the first release (the audience, migration 0004): `NULL`, as in a
 * row an older provider version inserts during a rolling deploy, reads as the empty list.
 */
function listOrEmpty(name: string): Column<string[]> {
  const column = list(name);
  return {
    name,
    encode: column.encode,
    decode: (value, fail) => (value === null || value === undefined ? [] : column.decode(value, fail)),
  };
}

const KINDS: readonly TokenKind[] = ['access', 'refresh', 'code', 'device', 'personal'];

/**
 * A column an older provider version leaves out (a rolling deploy): `NULL` reads as absent, and
 * the reader applies the storage contract's default (`withTrustDefaults`).
 */
function absentAsNull<T>(column: Column<T>): Column<T | undefined> {
  return {
    name: column.name,
    encode: (value, dialect) => (value === undefined ? null : column.encode(value, dialect)),
    decode: (value, fail) => (value === null || value === undefined ? undefined : column.decode(value, fail)),
  };
}

/** An application row: its trust fields may be absent in a row an older version wrote. */
export const APPLICATION_COLUMNS: ColumnMap<LegacyApplicationRecord> = {
  id: text('id'),
  clientId: text('client_id'),
  clientSecretHash: nullable(text('client_secret_hash')),
  name: text('name'),
  homepageUrl: text('homepage_url'),
  redirectUris: list('redirect_uris'),
  confidential: boolean('confidential'),
  scopes: list('scopes'),
  ownerId: nullable(text('owner_id')),
  trust: absentAsNull(oneOf('trust', TRUST_LEVELS)),
  skipConsent: absentAsNull(boolean('skip_consent')),
  createdAt: date('created_at'),
  updatedAt: date('updated_at'),
};

/** The fields `updateApplication` may change (the compiler keeps it equal to `ApplicationPatch`). */
export const PATCH_FIELDS: Record<keyof ApplicationPatch, true> = {
  name: true,
  homepageUrl: true,
  redirectUris: true,
  scopes: true,
  clientSecretHash: true,
  confidential: true,
  trust: true,
  skipConsent: true,
  updatedAt: true,
};

export const GRANT_COLUMNS: ColumnMap<GrantRecord> = {
  id: text('id'),
  userId: text('user_id'),
  applicationId: text('application_id'),
  scopes: list('scopes'),
  resourceSelection: selection('resource_selection'),
  audience: listOrEmpty('audience'),
  createdAt: date('created_at'),
  updatedAt: date('updated_at'),
  lastUsedAt: nullable(date('last_used_at')),
};

export const TOKEN_COLUMNS: ColumnMap<TokenRecord> = {
  id: text('id'),
  kind: oneOf('kind', KINDS),
  hash: text('hash'),
  applicationId: nullable(text('application_id')),
  userId: nullable(text('user_id')),
  grantId: nullable(text('grant_id')),
  familyId: nullable(text('family_id')),
  scopes: list('scopes'),
  resourceSelection: selection('resource_selection'),
  audience: listOrEmpty('audience'),
  createdAt: date('created_at'),
  expiresAt: nullable(date('expires_at')),
  revokedAt: nullable(date('revoked_at')),
  consumedAt: nullable(date('consumed_at')),
  lastUsedAt: nullable(date('last_used_at')),
  name: nullable(text('name')),
  redirectUri: nullable(text('redirect_uri')),
  codeChallenge: nullable(text('code_challenge')),
  codeChallengeMethod: nullable(oneOf('code_challenge_method', ['S256', 'plain'] as const)),
};

/** The token filter's fields (the compiler keeps it equal to `TokenFilter`). */
export const FILTER_FIELDS: Record<keyof TokenFilter, true> = {
  id: true,
  kind: true,
  userId: true,
  applicationId: true,
  grantId: true,
  familyId: true,
};

const keysOf = <R>(map: ColumnMap<R>) => Object.keys(map) as (keyof R & string)[];

/** A record as a row: every field, encoded for the dialect. */
export function toRow<R>(map: ColumnMap<R>, record: R, dialect: SqlDialectName): Row {
  const row: Row = {};
  for (const key of keysOf(map)) row[map[key].name] = map[key].encode(record[key], dialect);
  return row;
}

/**
 * The given fields of a partial record as row values. A key whose value is `undefined` is left
 * out (it means "absent", as the contract says), so `{ name: undefined }` changes nothing.
 */
export function toPartialRow<R>(map: ColumnMap<R>, partial: Partial<R>, dialect: SqlDialectName): Row {
  const row: Row = {};
  for (const key of keysOf(map)) {
    const value = partial[key];
    if (value !== undefined) row[map[key].name] = map[key].encode(value, dialect);
  }
  return row;
}

/** A row read back as a record, every field narrowed from `unknown`. */
export function fromRow<R>(table: string, map: ColumnMap<R>, row: unknown): R {
  if (typeof row !== 'object' || row === null)
    throw new TypeError(`SqlAdapter: a ${table} row is not an object`);
  const values: Row = { ...row };
  const record: Partial<R> = {};
  for (const key of keysOf(map)) {
    const column = map[key];
    const fail = (expected: string): never => {
      throw new TypeError(
        `SqlAdapter: ${table} row ${String(values.id)}: \`${column.name}\` is not ${expected}`,
      );
    };
    record[key] = column.decode(values[column.name], fail);
  }
  // Every key of the map was set above, and the map has every key of R.
  return record as R;
}
