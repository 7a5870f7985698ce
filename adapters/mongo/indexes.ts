/**
 * Index creation and server detection for {@link MongoAdapter}, run once before first use.
 *
 * @internal
 */
import type { Connection } from 'mongoose';
import type { Models } from './schemas';
import { codeOf } from './strategies';

/** An index the adapter creates. Names are MongoDB's defaults, so hand-made twins do not clash. */
export interface IndexSpec {
  key: Record<string, 1>;
  unique?: true;
}

/**
 * Every index, by collection. Unique indexes only on fields every document has (FerretDB ignores
 * `sparse`). List queries sort by `createdAt`, so their indexes end with it. The grants' unique
 * `{userId, applicationId}` index makes `saveGrant` race-free; `{userId, createdAt}` serves
 * `listGrantsByUser` in order. `expiresAt` is handled apart (TTL where the server has it).
 */
export const INDEXES: Readonly<Record<'applications' | 'grants' | 'tokens', readonly IndexSpec[]>> = {
  applications: [{ key: { clientId: 1 }, unique: true }, { key: { ownerId: 1, createdAt: 1 } }],
  grants: [{ key: { userId: 1, applicationId: 1 }, unique: true }, { key: { userId: 1, createdAt: 1 } }],
  tokens: [
    { key: { hash: 1 }, unique: true },
    { key: { userId: 1, createdAt: 1 } },
    { key: { applicationId: 1, createdAt: 1 } },
    { key: { grantId: 1, createdAt: 1 } },
    { key: { familyId: 1, createdAt: 1 } },
  ],
};

const NOT_IMPLEMENTED = 238;
const INDEX_OPTIONS_CONFLICT = 85;

/**
 * Creates every index (idempotent) and returns whether token records expire through a TTL index.
 * FerretDB answers the TTL option with code 238 "Index option \"expireAfterSeconds\" is not
 * implemented yet": then `log` gets one line, a plain `expiresAt` index serves the purge, and the
 * host must call `purgeExpired()` periodically.
 */
export async function createIndexes(models: Models, log: (message: string) => void): Promise<boolean> {
  const specs: [Models[keyof Models], readonly IndexSpec[]][] = [
    [models.applications, INDEXES.applications],
    [models.grants, INDEXES.grants],
    [models.tokens, INDEXES.tokens],
  ];
  await Promise.all(
    specs.flatMap(([model, list]) =>
      list.map((spec) => model.collection.createIndex(spec.key, spec.unique ? { unique: true } : {})),
    ),
  );
  const tokens = models.tokens.collection;
  try {
    await tokens.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    return true;
  } catch (error) {
    const code = codeOf(error);
    if (code !== NOT_IMPLEMENTED && code !== INDEX_OPTIONS_CONFLICT) throw error;
    const why =
      code === NOT_IMPLEMENTED
        ? 'this server does not implement TTL indexes'
        : `index expiresAt_1 on ${tokens.collectionName} exists without TTL (drop it to enable TTL)`;
    log(`MongoAdapter: ${why}; call purgeExpired() periodically to delete expired tokens.`);
    await tokens.createIndex({ expiresAt: 1 });
    return false;
  }
}

/** Whether the server is FerretDB, whose updates are not atomic (see `strategies.ts`). */
export async function isFerretDb(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (db === undefined) throw new Error('MongoAdapter: the connection is not open yet');
  const info: unknown = await db.admin().command({ buildInfo: 1 });
  return typeof info === 'object' && info !== null && 'ferretdbVersion' in info;
}
