/**
 * Contract checks run by {@link MemoryAdapter} on every write. The memory adapter is the one the
 * core's tests run against, so a record that breaks the storage contract (an `undefined` where
 * `null` belongs, a scope string instead of an array, a plaintext secret instead of a hash) fails
 * the test that wrote it, with a `TypeError` naming the rule, instead of surfacing later as a
 * mystery in the Mongo adapter.
 *
 * @internal
 */

import { TRUST_LEVELS } from '../../lib/storage/legacy-records';
import type {
  ApplicationPageRequest,
  ApplicationPatch,
  ApplicationRecord,
  GrantRecord,
  ResourceSelection,
  TokenFilter,
  TokenKind,
  TokenPruning,
  TokenRecord,
} from '../../lib/storage/storage-adapter';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const TOKEN_KINDS: ReadonlySet<string> = new Set<TokenKind>([
  'access',
  'refresh',
  'code',
  'device',
  'personal',
]);

// `Record<keyof X, true>` makes the compiler fail here when a field is added to the contract.
const APPLICATION_FIELDS: Record<keyof ApplicationRecord, true> = {
  id: true,
  clientId: true,
  clientSecretHash: true,
  name: true,
  homepageUrl: true,
  redirectUris: true,
  confidential: true,
  scopes: true,
  ownerId: true,
  trust: true,
  skipConsent: true,
  createdAt: true,
  updatedAt: true,
};
/** Fields a record stored before they existed lacks; the adapter fills them in (see the contract). */
const LEGACY_APPLICATION_FIELDS: ReadonlySet<string> = new Set<keyof ApplicationRecord>([
  'trust',
  'skipConsent',
]);
const PATCH_FIELDS: Record<keyof ApplicationPatch, true> = {
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
const GRANT_FIELDS: Record<keyof GrantRecord, true> = {
  id: true,
  userId: true,
  applicationId: true,
  scopes: true,
  resourceSelection: true,
  audience: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
};
const TOKEN_FIELDS: Record<keyof TokenRecord, true> = {
  id: true,
  kind: true,
  hash: true,
  applicationId: true,
  userId: true,
  grantId: true,
  familyId: true,
  scopes: true,
  resourceSelection: true,
  audience: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  consumedAt: true,
  lastUsedAt: true,
  name: true,
  redirectUri: true,
  codeChallenge: true,
  codeChallengeMethod: true,
};
const FILTER_FIELDS: Record<keyof TokenFilter, true> = {
  id: true,
  kind: true,
  userId: true,
  applicationId: true,
  grantId: true,
  familyId: true,
};

function fail(where: string, rule: string): never {
  throw new TypeError(`MemoryAdapter.${where}: ${rule}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every contract field present (and not `undefined`), no field the contract does not define;
 * `legacy` fields may be absent, as in a record an older provider version wrote.
 */
function checkFields(
  where: string,
  value: unknown,
  fields: object,
  legacy: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  if (!isPlainObject(value)) fail(where, 'the record must be a plain object');
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(fields, key))
      fail(where, `unknown field \`${key}\` (records hold only contract fields)`);
  }
  for (const key of Object.keys(fields)) {
    if (value[key] === undefined && !(legacy.has(key) && !Object.hasOwn(value, key)))
      fail(where, `\`${key}\` is undefined; missing values must be null`);
  }
  return value;
}

function id(where: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') fail(where, `\`${name}\` must be a non-empty string`);
}
function nullableId(where: string, name: string, value: unknown): void {
  if (value !== null) id(where, name, value);
}
function text(where: string, name: string, value: unknown): void {
  if (typeof value !== 'string') fail(where, `\`${name}\` must be a string`);
}
function nullableText(where: string, name: string, value: unknown): void {
  if (value !== null && typeof value !== 'string') fail(where, `\`${name}\` must be a string or null`);
}
function hash(where: string, name: string, value: unknown): void {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    fail(where, `\`${name}\` must be 64 lowercase hex characters (a SHA-256 hex digest, never a secret)`);
  }
}
function strings(where: string, name: string, value: unknown): void {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    fail(where, `\`${name}\` must be an array of strings (never a space-separated string)`);
  }
}

/** A valid `Date` instance. Exported for the arguments of `touch*`, `revokeTokens` and so on. */
export function assertDate(where: string, name: string, value: unknown): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    fail(where, `\`${name}\` must be a valid Date`);
}
function nullableDate(where: string, name: string, value: unknown): void {
  if (value !== null) assertDate(where, name, value);
}

/**
 * An application record as the contract defines it. A record without `trust` and `skipConsent`
 * (written by a provider from before trust levels) passes too: the adapter fills them in.
 */
export function assertApplication(where: string, value: unknown): asserts value is ApplicationRecord {
  const r = checkFields(where, value, APPLICATION_FIELDS, LEGACY_APPLICATION_FIELDS);
  id(where, 'id', r.id);
  id(where, 'clientId', r.clientId);
  if (r.clientSecretHash !== null) hash(where, 'clientSecretHash', r.clientSecretHash);
  text(where, 'name', r.name);
  text(where, 'homepageUrl', r.homepageUrl);
  strings(where, 'redirectUris', r.redirectUris);
  if (Array.isArray(r.redirectUris) && r.redirectUris.length === 0) {
    fail(where, '`redirectUris` must hold at least one URI');
  }
  if (typeof r.confidential !== 'boolean') fail(where, '`confidential` must be a boolean');
  if (!r.confidential && r.clientSecretHash !== null) {
    fail(where, 'a public application (`confidential: false`) must have `clientSecretHash: null`');
  }
  strings(where, 'scopes', r.scopes);
  nullableId(where, 'ownerId', r.ownerId);
  if (r.trust !== undefined && !TRUST_LEVELS.some((level) => level === r.trust)) {
    fail(where, `\`trust\` must be one of ${TRUST_LEVELS.join(', ')}`);
  }
  if (r.skipConsent !== undefined && typeof r.skipConsent !== 'boolean')
    fail(where, '`skipConsent` must be a boolean');
  if (r.skipConsent === true && r.trust !== 'first-party')
    fail(where, '`skipConsent` may be true only for a `first-party` application');
  assertDate(where, 'createdAt', r.createdAt);
  assertDate(where, 'updatedAt', r.updatedAt);
}

export function assertPatch(where: string, value: unknown): asserts value is ApplicationPatch {
  if (!isPlainObject(value)) fail(where, 'the patch must be a plain object');
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(PATCH_FIELDS, key)) fail(where, `\`${key}\` cannot be changed by updateApplication`);
  }
  // The merged record is checked with assertApplication; here only what a merge would hide.
  if (value.clientSecretHash !== undefined && value.clientSecretHash !== null) {
    hash(where, 'clientSecretHash', value.clientSecretHash);
  }
}

/** A page request: a whole `limit` of at least 1, and a cursor with a valid date and an id. */
export function assertPage(where: string, value: unknown): asserts value is ApplicationPageRequest {
  if (!isPlainObject(value)) fail(where, 'the page request must be a plain object');
  if (typeof value.limit !== 'number' || !Number.isInteger(value.limit) || value.limit < 1) {
    fail(where, '`limit` must be a whole number of at least 1');
  }
  const after = value.after;
  if (after === undefined) return;
  if (!isPlainObject(after)) fail(where, '`after` must be { createdAt, id }');
  assertDate(where, 'after.createdAt', after.createdAt);
  id(where, 'after.id', after.id);
}

export function assertGrant(where: string, value: unknown): asserts value is GrantRecord {
  const r = checkFields(where, value, GRANT_FIELDS);
  id(where, 'id', r.id);
  id(where, 'userId', r.userId);
  id(where, 'applicationId', r.applicationId);
  strings(where, 'scopes', r.scopes);
  nullableSelection(where, 'resourceSelection', r.resourceSelection);
  strings(where, 'audience', r.audience);
  assertDate(where, 'createdAt', r.createdAt);
  assertDate(where, 'updatedAt', r.updatedAt);
  nullableDate(where, 'lastUsedAt', r.lastUsedAt);
}

/** A resource selection: `null`, or a plain object of string lists (never `undefined`). */
export function nullableSelection(
  where: string,
  name: string,
  value: unknown,
): asserts value is ResourceSelection | null {
  if (value === null) return;
  if (!isPlainObject(value)) fail(where, `\`${name}\` must be null or { scope: [ids] }`);
  for (const [scope, ids] of Object.entries(value)) strings(where, `${name}.${scope}`, ids);
}

export function assertKind(where: string, value: unknown): asserts value is TokenKind {
  if (typeof value !== 'string' || !TOKEN_KINDS.has(value)) {
    fail(where, '`kind` must be one of access, refresh, code, device, personal');
  }
}

export function assertToken(where: string, value: unknown): asserts value is TokenRecord {
  const r = checkFields(where, value, TOKEN_FIELDS);
  id(where, 'id', r.id);
  assertKind(where, r.kind);
  hash(where, 'hash', r.hash);
  for (const name of ['applicationId', 'userId', 'grantId', 'familyId'] as const)
    nullableId(where, name, r[name]);
  strings(where, 'scopes', r.scopes);
  nullableSelection(where, 'resourceSelection', r.resourceSelection);
  strings(where, 'audience', r.audience);
  assertDate(where, 'createdAt', r.createdAt);
  nullableDate(where, 'expiresAt', r.expiresAt);
  if (r.expiresAt instanceof Date && r.expiresAt.getTime() <= r.createdAt.getTime()) {
    fail(where, '`expiresAt` must be after `createdAt` (or null for a record that never expires)');
  }
  for (const name of ['revokedAt', 'consumedAt', 'lastUsedAt'] as const) nullableDate(where, name, r[name]);
  for (const name of ['name', 'redirectUri', 'codeChallenge'] as const) nullableText(where, name, r[name]);
  if (
    r.codeChallengeMethod !== null &&
    r.codeChallengeMethod !== 'S256' &&
    r.codeChallengeMethod !== 'plain'
  ) {
    fail(where, "`codeChallengeMethod` must be 'S256', 'plain' or null");
  }
  if ((r.codeChallenge === null) !== (r.codeChallengeMethod === null)) {
    fail(where, '`codeChallenge` and `codeChallengeMethod` must both be set or both be null');
  }
  if (r.kind !== 'code' && (r.redirectUri !== null || r.codeChallenge !== null)) {
    fail(where, '`redirectUri` and `codeChallenge` belong to authorization codes only');
  }
  if (r.kind === 'personal' && (r.applicationId !== null || r.grantId !== null)) {
    fail(where, 'a personal access token has `applicationId: null` and `grantId: null`');
  }
  if (r.kind !== 'personal' && r.name !== null) fail(where, '`name` is for personal access tokens only');
}

/**
 * Checks a token filter and returns it without its `undefined` fields. `revokeTokens` passes
 * `allowEmpty: false`: `{ grantId: undefined }` is as empty as `{}` and must not revoke everything.
 */
export function checkFilter(where: string, value: unknown, allowEmpty: boolean): TokenFilter {
  if (!isPlainObject(value)) fail(where, 'the filter must be a plain object');
  const filter: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!Object.hasOwn(FILTER_FIELDS, key)) fail(where, `unknown filter field \`${key}\``);
    if (field === undefined) continue;
    if (key === 'kind') assertKind(where, field);
    else id(where, `filter.${key}`, field);
    filter[key] = field;
  }
  if (!allowEmpty && Object.keys(filter).length === 0) {
    fail(where, 'an empty filter would revoke every token; pass at least one criterion');
  }
  return filter;
}

/** Checks `pruneTokens`' argument; its filter must name a criterion, as `revokeTokens`' must. */
export function checkPruning(where: string, value: unknown): TokenPruning {
  if (!isPlainObject(value)) fail(where, 'the pruning must be a plain object');
  const filter = checkFilter(where, value.filter, false);
  assertKind(where, value.kind);
  nullableId(where, 'applicationId', value.applicationId);
  nullableId(where, 'userId', value.userId);
  strings(where, 'scopes', value.scopes);
  strings(where, 'except', value.except);
  assertDate(where, 'at', value.at);
  if (!Number.isInteger(value.keep) || (value.keep as number) < 0)
    fail(where, '`keep` must be an integer of 0 or more');
  return { ...(value as unknown as TokenPruning), filter };
}
