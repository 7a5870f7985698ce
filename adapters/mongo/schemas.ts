/**
 * Mongoose schemas, index specifications and document → record mapping for {@link MongoAdapter}.
 *
 * Documents store a record as it is, with the record's `id` as `_id` (a string): dates as BSON
 * dates, missing values as `null`, lists as arrays. What comes back from the database is
 * `unknown` until {@link toApplication} / {@link toGrant} / {@link toToken} have checked it, so a
 * document written by hand or by an older version fails loudly instead of leaking `undefined`.
 *
 * @internal
 */
import { type Connection, Schema, Types } from 'mongoose';
import { TRUST_LEVELS, withTrustDefaults } from '../../lib/storage/legacy-records';
import { copySelection, parseSelection } from '../../lib/storage/resource-selection';
import type {
  ApplicationPatch,
  ApplicationRecord,
  ApplicationTrust,
  GrantRecord,
  ResourceSelection,
  TokenFilter,
  TokenKind,
  TokenRecord,
} from '../../lib/storage/storage-adapter';

/**
 * No buffering: with the server down an operation fails at once (the core answers 503) instead
 * of waiting 10 s. No automatic index or collection creation: `ensureIndexes()` does that, so a
 * server without TTL indexes (FerretDB) degrades cleanly instead of emitting index errors.
 */
const OPTIONS = {
  id: false,
  versionKey: false,
  bufferCommands: false,
  autoIndex: false,
  autoCreate: false,
  strict: 'throw',
  minimize: false,
} as const;

const nullableString = { type: String, default: null };
/**
 * The insertion order: an ObjectId made when the document is first written. Within a process
 * they increase (a counter follows the seconds), so lists sorted by `createdAt, seq` return
 * records of the same millisecond in the order they were stored, as the contract asks. Documents
 * written before this field existed have none and sort first among their ties.
 */
const seq = { type: Schema.Types.ObjectId, default: null };
const nullableDate = { type: Date, default: null };

export const applicationSchema = new Schema(
  {
    _id: String,
    seq,
    clientId: String,
    clientSecretHash: nullableString,
    name: String,
    homepageUrl: String,
    redirectUris: [String],
    confidential: Boolean,
    scopes: [String],
    ownerId: nullableString,
    // Documents written before trust levels have neither: `toApplication` derives them.
    trust: nullableString,
    skipConsent: { type: Boolean, default: null },
    createdAt: Date,
    updatedAt: Date,
  },
  OPTIONS,
);

export const grantSchema = new Schema(
  {
    _id: String,
    seq,
    userId: String,
    applicationId: String,
    scopes: [String],
    resourceSelection: nullableString,
    // Documents written before audiences have none: `toGrant` reads that as empty.
    audience: { type: [String], default: undefined },
    createdAt: Date,
    updatedAt: Date,
    lastUsedAt: nullableDate,
  },
  OPTIONS,
);

export const tokenSchema = new Schema(
  {
    _id: String,
    seq,
    kind: String,
    hash: String,
    applicationId: nullableString,
    userId: nullableString,
    grantId: nullableString,
    familyId: nullableString,
    scopes: [String],
    resourceSelection: nullableString,
    audience: { type: [String], default: undefined },
    createdAt: Date,
    expiresAt: nullableDate,
    revokedAt: nullableDate,
    consumedAt: nullableDate,
    lastUsedAt: nullableDate,
    name: nullableString,
    redirectUri: nullableString,
    codeChallenge: nullableString,
    codeChallengeMethod: nullableString,
  },
  OPTIONS,
);

/**
 * `consume:<token id>` and `revoke:<token id>` documents, the locks of `strategies.ts` for servers
 * whose updates are not atomic (FerretDB): refusing a duplicate `_id` is atomic everywhere. The
 * same shape keeps a grant's last use on such servers (`grant-uses.ts`).
 */
export const claimSchema = new Schema({ _id: String, at: Date, selection: nullableString }, OPTIONS);

/**
 * Registers the models on the host's connection. Model name = collection name, so adapters with
 * different prefixes coexist; a second adapter with the same prefix replaces the models.
 */
export function registerModels(connection: Connection, prefix: string) {
  const name = (collection: string) => `${prefix}${collection}`;
  const replace = { overwriteModels: true };
  return {
    applications: connection.model(name('applications'), applicationSchema, name('applications'), replace),
    grants: connection.model(name('grants'), grantSchema, name('grants'), replace),
    tokens: connection.model(name('tokens'), tokenSchema, name('tokens'), replace),
    claims: connection.model(name('token_claims'), claimSchema, name('token_claims'), replace),
    grantUses: connection.model(name('grant_uses'), claimSchema, name('grant_uses'), replace),
  };
}

export type Models = ReturnType<typeof registerModels>;

// ---- queries ----------------------------------------------------------------------------------

/** Ids, hashes and filter values must be strings: an object would be read as a query operator. */
export function key(where: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`MongoAdapter.${where}: expected a string`);
  return value;
}

const FILTER_PATHS: ReadonlyMap<string, string> = new Map<keyof TokenFilter, string>([
  ['id', '_id'],
  ...(['kind', 'userId', 'applicationId', 'grantId', 'familyId'] as const).map((f) => [f, f] as const),
]);

/** The query for a token filter: `id` becomes `_id`; `undefined` fields are left out. */
export function tokenQuery(where: string, filter: TokenFilter): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [field, value] of Object.entries(filter)) {
    const path = FILTER_PATHS.get(field);
    if (path === undefined) throw new TypeError(`MongoAdapter.${where}: unknown filter field \`${field}\``);
    if (value !== undefined) query[path] = key(where, value);
  }
  return query;
}

/**
 * The query of a write over many tokens (`revokeTokens`, `restrictTokens`): a filter that names
 * nothing would reach every token, so it is refused.
 */
export function writeTokensQuery(where: string, filter: TokenFilter, verb: string): Record<string, string> {
  const query = tokenQuery(where, filter);
  if (Object.keys(query).length === 0) {
    throw new TypeError(`MongoAdapter.${where}: an empty filter would ${verb} every token`);
  }
  return query;
}

const PATCHABLE: ReadonlySet<string> = new Set<keyof ApplicationPatch>([
  'name',
  'homepageUrl',
  'redirectUris',
  'scopes',
  'clientSecretHash',
  'confidential',
  'trust',
  'skipConsent',
  'updatedAt',
]);

/** The `$set` of an application patch; like mongoose, an `undefined` value means "unchanged". */
export function patchUpdate(patch: ApplicationPatch): Record<string, unknown> {
  const $set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (!PATCHABLE.has(field))
      throw new TypeError(`MongoAdapter.updateApplication: \`${field}\` cannot be changed`);
    if (value !== undefined) $set[field] = value;
  }
  return $set;
}

// ---- narrowing --------------------------------------------------------------------------------

const KINDS: readonly TokenKind[] = ['access', 'refresh', 'code', 'device', 'personal'];

/** Reads fields of one document, throwing a message naming the collection, id and field. */
class Fields {
  readonly #doc: Record<string, unknown>;
  readonly #where: string;

  constructor(collection: string, doc: unknown) {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new TypeError(`MongoAdapter: a ${collection} document is not an object`);
    }
    this.#doc = Object.fromEntries(Object.entries(doc));
    this.#where = `${collection} document ${String(this.#doc._id)}`;
  }

  #fail(field: string, expected: string): never {
    throw new TypeError(`MongoAdapter: ${this.#where}: \`${field}\` is not ${expected}`);
  }

  string(field: string): string {
    const value = this.#doc[field];
    return typeof value === 'string' ? value : this.#fail(field, 'a string');
  }

  /** A missing field reads as `null`, like one stored as `null`. */
  stringOrNull(field: string): string | null {
    const value = this.#doc[field] ?? null;
    return value === null ? null : this.string(field);
  }

  boolean(field: string): boolean {
    const value = this.#doc[field];
    return typeof value === 'boolean' ? value : this.#fail(field, 'a boolean');
  }

  /** A missing field reads as `null`, like one stored as `null`. */
  booleanOrNull(field: string): boolean | null {
    return (this.#doc[field] ?? null) === null ? null : this.boolean(field);
  }

  /** An application's trust level; `null` when absent (a document from before trust levels). */
  trustOrNull(field: string): ApplicationTrust | null {
    const value = this.#doc[field] ?? null;
    if (value === null) return null;
    return TRUST_LEVELS.find((level) => level === value) ?? this.#fail(field, 'a trust level');
  }

  /** A fresh `Date`, never the driver's object. */
  date(field: string): Date {
    const value = this.#doc[field];
    return value instanceof Date ? new Date(value.getTime()) : this.#fail(field, 'a date');
  }

  dateOrNull(field: string): Date | null {
    const value = this.#doc[field] ?? null;
    return value === null ? null : this.date(field);
  }

  /** A fresh array of strings. */
  strings(field: string): string[] {
    const value = this.#doc[field];
    if (!Array.isArray(value)) return this.#fail(field, 'an array of strings');
    return value.map((item: unknown) =>
      typeof item === 'string' ? item : this.#fail(field, 'an array of strings'),
    );
  }

  /**
   * A resource selection, stored as JSON text (scope names may hold `.`, which a document key
   * may not). Missing, as in documents from before selections: `null`, unrestricted.
   */
  selection(field: string): ResourceSelection | null {
    const selection = parseSelection(this.#doc[field]);
    return selection === undefined ? this.#fail(field, 'null or JSON { scope: [ids] }') : selection;
  }

  /** A fresh array of strings; a missing field (a document from before it existed) reads as empty. */
  stringsOrEmpty(field: string): string[] {
    return (this.#doc[field] ?? null) === null ? [] : this.strings(field);
  }

  kind(field: string): TokenKind {
    const value = this.#doc[field];
    return KINDS.find((kind) => kind === value) ?? this.#fail(field, 'a token kind');
  }

  challengeMethod(field: string): 'S256' | 'plain' | null {
    const value = this.#doc[field] ?? null;
    if (value === null || value === 'S256' || value === 'plain') return value;
    return this.#fail(field, "'S256', 'plain' or null");
  }
}

export function toApplication(doc: unknown): ApplicationRecord {
  const f = new Fields('applications', doc);
  return withTrustDefaults({
    id: f.string('_id'),
    clientId: f.string('clientId'),
    clientSecretHash: f.stringOrNull('clientSecretHash'),
    name: f.string('name'),
    homepageUrl: f.string('homepageUrl'),
    redirectUris: f.strings('redirectUris'),
    confidential: f.boolean('confidential'),
    scopes: f.strings('scopes'),
    ownerId: f.stringOrNull('ownerId'),
    trust: f.trustOrNull('trust') ?? undefined,
    skipConsent: f.booleanOrNull('skipConsent') ?? undefined,
    createdAt: f.date('createdAt'),
    updatedAt: f.date('updatedAt'),
  });
}

export function toGrant(doc: unknown): GrantRecord {
  const f = new Fields('grants', doc);
  return {
    id: f.string('_id'),
    userId: f.string('userId'),
    applicationId: f.string('applicationId'),
    scopes: f.strings('scopes'),
    resourceSelection: f.selection('resourceSelection'),
    audience: f.stringsOrEmpty('audience'),
    createdAt: f.date('createdAt'),
    updatedAt: f.date('updatedAt'),
    lastUsedAt: f.dateOrNull('lastUsedAt'),
  };
}

export function toToken(doc: unknown): TokenRecord {
  const f = new Fields('tokens', doc);
  return {
    id: f.string('_id'),
    kind: f.kind('kind'),
    hash: f.string('hash'),
    applicationId: f.stringOrNull('applicationId'),
    userId: f.stringOrNull('userId'),
    grantId: f.stringOrNull('grantId'),
    familyId: f.stringOrNull('familyId'),
    scopes: f.strings('scopes'),
    resourceSelection: f.selection('resourceSelection'),
    audience: f.stringsOrEmpty('audience'),
    createdAt: f.date('createdAt'),
    expiresAt: f.dateOrNull('expiresAt'),
    revokedAt: f.dateOrNull('revokedAt'),
    consumedAt: f.dateOrNull('consumedAt'),
    lastUsedAt: f.dateOrNull('lastUsedAt'),
    name: f.stringOrNull('name'),
    redirectUri: f.stringOrNull('redirectUri'),
    codeChallenge: f.stringOrNull('codeChallenge'),
    codeChallengeMethod: f.challengeMethod('codeChallengeMethod'),
  };
}

/** The `at` of a claim document, or `null` if there is none. */
export function claimedAt(doc: unknown): Date | null {
  return doc === null || doc === undefined ? null : new Fields('token_claims', doc).date('at');
}

/** The `_id` of a document read with the projection `{ _id: 1 }`. */
export function toIdOnly(doc: unknown): string {
  return new Fields('tokens', doc).string('_id');
}

/** A new insertion-order key (see `seq` above). */
export const nextSeq = (): Types.ObjectId => new Types.ObjectId();

/** A selection as stored: JSON text with sorted lists (equal selections are equal text), or `null`. */
export function encodeSelection(selection: ResourceSelection | null): string | null {
  return selection === null ? null : JSON.stringify(copySelection(selection));
}

/**
 * A record as a new document: `id` becomes `_id`, `seq` records the insertion order, the
 * resource selection becomes JSON text, everything else is stored as it is.
 */
export function toDocument<T extends { id: string; resourceSelection?: ResourceSelection | null }>(
  record: T,
): Record<string, unknown> & { _id: string; seq: Types.ObjectId } {
  const { id, ...rest } = record;
  const doc: Record<string, unknown> & { _id: string; seq: Types.ObjectId } = {
    _id: id,
    seq: nextSeq(),
    ...rest,
  };
  if ('resourceSelection' in record)
    doc.resourceSelection = encodeSelection(record.resourceSelection ?? null);
  return doc;
}
