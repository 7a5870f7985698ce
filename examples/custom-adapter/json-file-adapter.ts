/**
 * A storage adapter of a third kind: each collection is one JSON file in a directory
 * (`applications.json`, `grants.json`, `tokens.json`). It is a worked example of the
 * `StorageAdapter` contract for people writing their own adapter, small enough to read in one
 * sitting; it passes `runAdapterConformance` unchanged (test/adapters/custom-adapter.test.ts).
 *
 * Where atomicity comes from: every operation, reads included, runs through one promise queue
 * per directory in this process, so each read-decide-write (consuming a code, saving a grant,
 * counting a revocation) happens with no other operation in between. A file is replaced by
 * writing a temporary file and renaming it over the old one, so a crash never leaves half a file.
 * Nothing coordinates two processes: run one process per directory.
 *
 * In your own project, import the types from the package instead:
 * `import type { StorageAdapter, TokenRecord, … } from 'express-oauth-provider';`
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  ApplicationPageRequest,
  ApplicationPatch,
  ApplicationRecord,
  ConsumeResult,
  GrantRecord,
  ResourceSelection,
  StorageAdapter,
  TokenFilter,
  TokenKind,
  TokenRecord,
} from '../../lib/storage/storage-adapter';

interface Collections {
  applications: ApplicationRecord;
  grants: GrantRecord;
  tokens: TokenRecord;
}
type Name = keyof Collections;

/** JSON has no dates: these fields are written as ISO strings and read back as `Date`s. */
const DATE_FIELDS: { [N in Name]: readonly (keyof Collections[N])[] } = {
  applications: ['createdAt', 'updatedAt'],
  grants: ['createdAt', 'updatedAt', 'lastUsedAt'],
  tokens: ['createdAt', 'expiresAt', 'revokedAt', 'consumedAt', 'lastUsedAt'],
};

const FILTER_FIELDS: readonly (keyof TokenFilter)[] = [
  'id',
  'kind',
  'userId',
  'applicationId',
  'grantId',
  'familyId',
];

/**
 * The contract's intersection: per scope `narrowing` names, the ids in both (a scope the token
 * leaves unrestricted takes `narrowing`'s list); other scopes unchanged.
 */
function narrowed(current: ResourceSelection | null, narrowing: ResourceSelection): ResourceSelection {
  const result: ResourceSelection = { ...current };
  for (const [scope, ids] of Object.entries(narrowing)) {
    const existing = result[scope];
    result[scope] = existing === undefined ? [...ids] : existing.filter((id) => ids.includes(id));
  }
  return result;
}

/**
 * The storage contract's reading of an application stored before trust levels existed (without
 * `trust` and `skipConsent`, as an older provider version writes it): `host` when nobody owns
 * it, `user` otherwise, and no skipped consent.
 */
function withTrustDefaults(row: Record<string, unknown>): Record<string, unknown> {
  return {
    ...row,
    trust: row.trust ?? (row.ownerId === null ? 'host' : 'user'),
    skipConsent: row.skipConsent ?? false,
  };
}

/** The tail of the operation queue of each directory, shared by every adapter on it in this process. */
const queues = new Map<string, Promise<unknown>>();

const byCreatedAt = (a: { createdAt: Date }, b: { createdAt: Date }) =>
  a.createdAt.getTime() - b.createdAt.getTime();

/** Options of {@link JsonFileAdapter}. */
export interface JsonFileAdapterOptions {
  /** Where the three files live; created on the first write. One process per directory. */
  directory: string;
}

/**
 * A {@link StorageAdapter} on JSON files, for development and as a template.
 *
 * @example
 * ```ts
 * import { createExampleProvider } from '../provider/app';
 * import { JsonFileAdapter } from './json-file-adapter';
 *
 * const adapter = new JsonFileAdapter({ directory: './data' });
 * const { app } = createExampleProvider({ adapter, issuer: 'http://localhost:3000' });
 * app.listen(3000);
 * ```
 */
export class JsonFileAdapter implements StorageAdapter {
  readonly #directory: string;

  constructor(options: JsonFileAdapterOptions) {
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new TypeError('JsonFileAdapter requires a `directory`');
    }
    this.#directory = resolve(options.directory);
  }

  // ---- the two primitives: a queue and a file ---------------------------------------------------

  /** Runs `work` once every earlier operation on this directory has settled. */
  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.#directory) ?? Promise.resolve();
    const result = previous.then(work);
    // The queue goes on after a failure; the caller still sees it.
    queues.set(
      this.#directory,
      result.catch(() => undefined),
    );
    return result;
  }

  /** Every record of a collection, as fresh objects (so callers never hold stored ones). */
  async #read<N extends Name>(name: N): Promise<Collections[N][]> {
    let text: string;
    try {
      text = await readFile(join(this.#directory, `${name}.json`), 'utf8');
    } catch (error) {
      // No file yet: an empty collection. (A structural check: `instanceof Error` fails across realms.)
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
        return [];
      throw error;
    }
    const rows: unknown = JSON.parse(text);
    if (!Array.isArray(rows)) throw new Error(`JsonFileAdapter: ${name}.json does not hold an array`);
    return rows.map((row: unknown) => {
      if (typeof row !== 'object' || row === null)
        throw new Error(`JsonFileAdapter: a row of ${name}.json is not an object`);
      const revived: Record<string, unknown> =
        name === 'applications' ? withTrustDefaults({ ...row }) : { ...row };
      // Grants and tokens written before audiences (RFC 8707) have none: the contract reads that as empty.
      if (name !== 'applications' && revived.audience === undefined) revived.audience = [];
      for (const field of DATE_FIELDS[name]) {
        const value = revived[String(field)];
        revived[String(field)] = value === null || value === undefined ? null : new Date(String(value));
      }
      // A grant or token written before resource selections existed is unrestricted.
      if (name !== 'applications') revived.resourceSelection ??= null;
      // This file is written by #write only, from records the core built and type-checked.
      return revived as unknown as Collections[N];
    });
  }

  /** Replaces a collection's file: write a temporary file, then rename it over the old one. */
  async #write<N extends Name>(name: N, records: Collections[N][]): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
    const target = join(this.#directory, `${name}.json`);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(records, null, 1));
    await rename(temporary, target);
  }

  // ---- applications -------------------------------------------------------------------------------

  createApplication(record: ApplicationRecord): Promise<ApplicationRecord> {
    return this.#serialized(async () => {
      const applications = await this.#read('applications');
      if (applications.some((a) => a.id === record.id || a.clientId === record.clientId)) {
        throw new Error('JsonFileAdapter.createApplication: duplicate id or clientId');
      }
      await this.#write('applications', [...applications, record]);
      return (await this.#read('applications')).find((a) => a.id === record.id) ?? structuredClone(record);
    });
  }

  findApplicationById(id: string): Promise<ApplicationRecord | null> {
    return this.#serialized(async () => (await this.#read('applications')).find((a) => a.id === id) ?? null);
  }

  findApplicationByClientId(clientId: string): Promise<ApplicationRecord | null> {
    return this.#serialized(
      async () => (await this.#read('applications')).find((a) => a.clientId === clientId) ?? null,
    );
  }

  listApplicationsByOwner(ownerId: string): Promise<ApplicationRecord[]> {
    return this.#serialized(async () =>
      (await this.#read('applications')).filter((a) => a.ownerId === ownerId).sort(byCreatedAt),
    );
  }

  listApplications(page: ApplicationPageRequest): Promise<ApplicationRecord[]> {
    return this.#serialized(async () => {
      const after = page.after;
      const key = (record: { createdAt: Date; id: string }) =>
        [record.createdAt.getTime(), record.id] as const;
      const isAfter = (record: ApplicationRecord): boolean => {
        if (after === undefined) return true;
        const [time, id] = key(record);
        const [afterTime, afterId] = key(after);
        return time > afterTime || (time === afterTime && id > afterId);
      };
      const ordered = (a: ApplicationRecord, b: ApplicationRecord): number =>
        byCreatedAt(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      return (await this.#read('applications')).filter(isAfter).sort(ordered).slice(0, page.limit);
    });
  }

  updateApplication(id: string, patch: ApplicationPatch): Promise<ApplicationRecord | null> {
    return this.#serialized(async () => {
      const applications = await this.#read('applications');
      const index = applications.findIndex((a) => a.id === id);
      const current = applications[index];
      if (current === undefined) return null;
      // As with mongoose's `$set`, a field given as `undefined` is left unchanged.
      const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      const updated: ApplicationRecord = { ...current, ...defined };
      applications[index] = updated;
      await this.#write('applications', applications);
      return structuredClone(updated);
    });
  }

  deleteApplication(id: string): Promise<boolean> {
    return this.#serialized(async () => {
      const applications = await this.#read('applications');
      const kept = applications.filter((a) => a.id !== id);
      if (kept.length === applications.length) return false;
      // Grants first: if the second write fails, the application is still there to delete again.
      const grants = await this.#read('grants');
      await this.#write(
        'grants',
        grants.filter((g) => g.applicationId !== id),
      );
      await this.#write('applications', kept);
      return true;
    });
  }

  // ---- grants ---------------------------------------------------------------------------------------

  saveGrant(record: GrantRecord): Promise<GrantRecord> {
    return this.#serialized(async () => {
      const grants = await this.#read('grants');
      const existing = grants.find(
        (g) => g.userId === record.userId && g.applicationId === record.applicationId,
      );
      if (existing === undefined) {
        if (grants.some((g) => g.id === record.id))
          throw new Error('JsonFileAdapter.saveGrant: duplicate id');
        await this.#write('grants', [...grants, record]);
        return structuredClone(record);
      }
      // One grant per (user, application): keep its id, createdAt and lastUsedAt.
      existing.scopes = [...record.scopes];
      existing.resourceSelection = record.resourceSelection;
      existing.audience = [...record.audience];
      existing.updatedAt = record.updatedAt;
      await this.#write('grants', grants);
      return existing;
    });
  }

  findGrant(userId: string, applicationId: string): Promise<GrantRecord | null> {
    return this.#serialized(
      async () =>
        (await this.#read('grants')).find((g) => g.userId === userId && g.applicationId === applicationId) ??
        null,
    );
  }

  findGrantById(id: string): Promise<GrantRecord | null> {
    return this.#serialized(async () => (await this.#read('grants')).find((g) => g.id === id) ?? null);
  }

  listGrantsByUser(userId: string): Promise<GrantRecord[]> {
    return this.#serialized(async () =>
      (await this.#read('grants')).filter((g) => g.userId === userId).sort(byCreatedAt),
    );
  }

  deleteGrant(id: string): Promise<boolean> {
    return this.#serialized(async () => {
      const grants = await this.#read('grants');
      const kept = grants.filter((g) => g.id !== id);
      if (kept.length === grants.length) return false;
      await this.#write('grants', kept);
      return true;
    });
  }

  touchGrant(id: string, at: Date): Promise<boolean> {
    return this.#serialized(async () => {
      const grants = await this.#read('grants');
      const grant = grants.find((g) => g.id === id);
      if (grant === undefined) return false;
      grant.lastUsedAt = at;
      await this.#write('grants', grants);
      return true;
    });
  }

  // ---- tokens -------------------------------------------------------------------------------------

  insertToken(record: TokenRecord): Promise<void> {
    return this.#serialized(async () => {
      const tokens = await this.#read('tokens');
      if (tokens.some((t) => t.id === record.id || t.hash === record.hash)) {
        throw new Error('JsonFileAdapter.insertToken: duplicate id or hash');
      }
      await this.#write('tokens', [...tokens, record]);
    });
  }

  findTokenByHash(hash: string): Promise<TokenRecord | null> {
    return this.#serialized(async () => (await this.#read('tokens')).find((t) => t.hash === hash) ?? null);
  }

  async listTokens(filter: TokenFilter): Promise<TokenRecord[]> {
    const matches = matcher('listTokens', filter);
    return this.#serialized(async () =>
      (await this.#read('tokens')).filter((t) => matches(t) && t.revokedAt === null).sort(byCreatedAt),
    );
  }

  async revokeTokens(filter: TokenFilter, at: Date): Promise<number> {
    const matches = matcher('revokeTokens', filter);
    if (!FILTER_FIELDS.some((field) => filter[field] !== undefined)) {
      throw new TypeError(
        'JsonFileAdapter.revokeTokens: refusing an empty filter (it would revoke everything)',
      );
    }
    return this.#serialized(async () => {
      const tokens = await this.#read('tokens');
      let count = 0;
      for (const token of tokens) {
        if (token.revokedAt !== null || !matches(token)) continue;
        token.revokedAt = at;
        count += 1;
      }
      if (count > 0) await this.#write('tokens', tokens);
      return count;
    });
  }

  /** Every operation runs alone on the queue, so reading and writing a record is atomic. */
  async restrictTokens(filter: TokenFilter, narrowing: ResourceSelection): Promise<number> {
    const matches = matcher('restrictTokens', filter);
    if (!FILTER_FIELDS.some((field) => filter[field] !== undefined)) {
      throw new TypeError('JsonFileAdapter.restrictTokens: refusing an empty filter');
    }
    return this.#serialized(async () => {
      const tokens = await this.#read('tokens');
      let count = 0;
      for (const token of tokens) {
        if (token.revokedAt !== null || !matches(token)) continue;
        token.resourceSelection = narrowed(token.resourceSelection, narrowing);
        count += 1;
      }
      if (count > 0) await this.#write('tokens', tokens);
      return count;
    });
  }

  consumeToken(kind: TokenKind, hash: string, at: Date, graceMs: number): Promise<ConsumeResult | null> {
    // Read, decide and write inside one queued operation: that is the single-use guarantee.
    return this.#serialized(async () => {
      const tokens = await this.#read('tokens');
      const token = tokens.find((t) => t.hash === hash);
      if (token === undefined || token.kind !== kind) return null;
      if (token.expiresAt !== null && token.expiresAt.getTime() <= at.getTime()) return null;
      if (token.revokedAt !== null) return { outcome: 'replayed', record: token };
      if (token.consumedAt !== null) {
        const withinGrace = graceMs > 0 && at.getTime() - token.consumedAt.getTime() < graceMs;
        return { outcome: withinGrace ? 'within_grace' : 'replayed', record: token };
      }
      const before = structuredClone(token);
      token.consumedAt = at;
      await this.#write('tokens', tokens);
      return { outcome: 'consumed', record: before };
    });
  }

  touchToken(id: string, at: Date): Promise<boolean> {
    return this.#serialized(async () => {
      const tokens = await this.#read('tokens');
      const token = tokens.find((t) => t.id === id);
      if (token === undefined) return false;
      token.lastUsedAt = at;
      await this.#write('tokens', tokens);
      return true;
    });
  }

  purgeExpired(before: Date): Promise<number> {
    const limit = before.getTime();
    return this.#serialized(async () => {
      const tokens = await this.#read('tokens');
      // Consumed records that have not expired stay: replay detection needs them.
      const kept = tokens.filter(
        (t) =>
          !(t.expiresAt !== null && t.expiresAt.getTime() < limit) &&
          !(t.revokedAt !== null && t.revokedAt.getTime() < limit),
      );
      if (kept.length !== tokens.length) await this.#write('tokens', kept);
      return tokens.length - kept.length;
    });
  }
}

/** A predicate for a token filter: every given field must match (AND); unknown fields are a bug. */
function matcher(where: string, filter: TokenFilter): (token: TokenRecord) => boolean {
  for (const field of Object.keys(filter)) {
    if (!FILTER_FIELDS.some((known) => known === field)) {
      throw new TypeError(`JsonFileAdapter.${where}: unknown filter field \`${field}\``);
    }
  }
  return (token) =>
    FILTER_FIELDS.every((field) => filter[field] === undefined || token[field] === filter[field]);
}
