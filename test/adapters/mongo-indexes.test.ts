/**
 * The Mongo adapter's indexes, its TTL fallback and the query plans of the hot look-ups, on the
 * server of the global setup: FerretDB 1.24 (SQLite) by default, real MongoDB with MONGODB_URI.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import type { TokenRecord } from '../../lib/storage/storage-adapter';
import { connect, dropAndClose } from '../support/mongo-server';

let connection: Connection;
let ferretDb: boolean;
let prefixCount = 0;

const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 0, minutes));
const hash = () => randomUUID().replaceAll('-', '').padEnd(64, '0');

function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: randomUUID(),
    kind: 'access',
    hash: hash(),
    applicationId: 'app-1',
    userId: 'user-1',
    grantId: 'grant-1',
    familyId: null,
    scopes: ['repo'],
    resourceSelection: null,
    audience: [],
    createdAt: at(0),
    expiresAt: at(60),
    revokedAt: null,
    consumedAt: null,
    lastUsedAt: null,
    name: null,
    redirectUri: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    ...overrides,
  };
}

function adapter(logger: (message: string) => void = () => {}) {
  prefixCount += 1;
  const collectionPrefix = `ix${prefixCount}_`;
  return { collectionPrefix, adapter: new MongoAdapter({ connection, collectionPrefix, logger }) };
}

function db() {
  if (connection.db === undefined) throw new Error('not connected');
  return connection.db;
}

beforeAll(async () => {
  connection = await connect('indexes');
  const info: unknown = await db().admin().command({ buildInfo: 1 });
  ferretDb = typeof info === 'object' && info !== null && 'ferretdbVersion' in info;
});

afterAll(async () => {
  await dropAndClose(connection);
});

describe('MongoAdapter indexes', () => {
  it('creates the unique and lookup indexes, and an expiresAt index (TTL where supported)', async () => {
    const { adapter: store, collectionPrefix: p } = adapter();
    const { ttl } = await store.ensureIndexes();
    expect(ttl).toBe(!ferretDb);
    const indexes = async (name: string) =>
      (await db().collection(`${p}${name}`).listIndexes().toArray()).map((index) => ({
        key: index.key,
        unique: index.unique === true,
        ...(index.expireAfterSeconds === undefined ? {} : { expireAfterSeconds: index.expireAfterSeconds }),
      }));

    expect(await indexes('applications')).toEqual(
      expect.arrayContaining([
        { key: { clientId: 1 }, unique: true },
        { key: { ownerId: 1, createdAt: 1 }, unique: false },
      ]),
    );
    expect(await indexes('grants')).toEqual(
      expect.arrayContaining([
        { key: { userId: 1, applicationId: 1 }, unique: true },
        { key: { userId: 1, createdAt: 1 }, unique: false },
      ]),
    );
    const tokenIndexes = await indexes('tokens');
    expect(tokenIndexes).toEqual(
      expect.arrayContaining([
        { key: { hash: 1 }, unique: true },
        ...['userId', 'applicationId', 'grantId', 'familyId'].map((field) => ({
          key: { [field]: 1, createdAt: 1 },
          unique: false,
        })),
        ttl
          ? { key: { expiresAt: 1 }, unique: false, expireAfterSeconds: 0 }
          : { key: { expiresAt: 1 }, unique: false },
      ]),
    );
    // No unique index on a field some documents lack: FerretDB ignores `sparse`.
    const uniques = tokenIndexes.filter((index) => index.unique).map((index) => Object.keys(index.key));
    expect(uniques).toEqual([['hash']]);
  });

  it('reports missing TTL support once, in one line, and ensureIndexes is idempotent', async () => {
    const messages: string[] = [];
    const { adapter: store } = adapter((message) => messages.push(message));
    await Promise.all([store.ensureIndexes(), store.ensureIndexes(), store.findTokenByHash(hash())]);
    await store.ensureIndexes();
    await store.insertToken(token());
    if (ferretDb) {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/TTL/);
      expect(messages[0]).toMatch(/purgeExpired\(\)/);
      expect(messages[0]).not.toMatch(/\n/);
    } else {
      expect(messages).toEqual([]);
    }
  });

  it('purgeExpired deletes expired and revoked records (and their claims), keeping the rest', async () => {
    const { adapter: store, collectionPrefix: p } = adapter();
    const expired = token({ kind: 'refresh', expiresAt: at(10) });
    const revoked = token({ expiresAt: null, revokedAt: at(5) });
    const live = token({ expiresAt: at(120) });
    const forever = token({
      kind: 'personal',
      applicationId: null,
      grantId: null,
      name: 'ci',
      expiresAt: null,
    });
    for (const record of [expired, revoked, live, forever]) await store.insertToken(record);
    await expect(store.consumeToken('refresh', expired.hash, at(1), 0)).resolves.toMatchObject({
      outcome: 'consumed',
    });

    const claims = db().collection<{ _id: string }>(`${p}token_claims`);
    if (ferretDb) await expect(claims.countDocuments({ _id: `consume:${expired.id}` })).resolves.toBe(1);

    await expect(store.purgeExpired(at(30))).resolves.toBe(2);
    await expect(store.findTokenByHash(expired.hash)).resolves.toBeNull();
    await expect(store.findTokenByHash(revoked.hash)).resolves.toBeNull();
    await expect(store.findTokenByHash(live.hash)).resolves.toEqual(live);
    await expect(store.findTokenByHash(forever.hash)).resolves.toEqual(forever);
    // Claims exist only where the server needs them (FerretDB); none may outlive its token.
    await expect(claims.countDocuments({ _id: `consume:${expired.id}` })).resolves.toBe(0);
    await expect(store.purgeExpired(at(30))).resolves.toBe(0);
  });
});

/**
 * The plans of the hot look-ups. MongoDB shows them: an IXSCAN on the expected index and no
 * COLLSCAN. FerretDB 1.24 on SQLite cannot: its explain answers `queryPlanner.Plan` (SQLite's
 * EXPLAIN QUERY PLAN lines, "SCAN <table>" for every query we tried) and `filterPushdown`, which
 * is `true` only for a filter that is exactly `{ _id: <value> }`; every other filter is evaluated
 * in FerretDB after a full table read, so its SQLite indexes enforce uniqueness but never speed a
 * look-up. There we check the explain shape, that look-ups by id are pushed down (the adapter
 * queries `{ _id: id }`, never `{ _id: { $eq: id } }`, which FerretDB would not push down), and
 * rely on the listIndexes test above for the rest.
 */
describe('MongoAdapter query plans', () => {
  let p: string;

  beforeAll(async () => {
    const made = adapter();
    p = made.collectionPrefix;
    await made.adapter.ensureIndexes();
    await made.adapter.insertToken(token());
  });

  const lookups: [string, string, Record<string, unknown>, Record<string, 1>, string | undefined][] = [
    ['token by hash', 'tokens', { hash: 'f'.repeat(64) }, {}, 'hash_1'],
    ['grants by user', 'grants', { userId: 'user-1' }, { createdAt: 1, _id: 1 }, undefined],
    ['application by clientId', 'applications', { clientId: 'client-1' }, {}, 'clientId_1'],
    [
      'tokens by grant',
      'tokens',
      { grantId: 'grant-1', revokedAt: null },
      { createdAt: 1, _id: 1 },
      undefined,
    ],
  ];

  it.each(lookups)(
    '%s: an IXSCAN on MongoDB (on FerretDB: its explain shape)',
    async (_name, collection, filter, sort, indexName) => {
      const plan: unknown = await db().collection(`${p}${collection}`).find(filter).sort(sort).explain();
      const text = JSON.stringify(plan);
      if (ferretDb) {
        expect(plan).toMatchObject({
          queryPlanner: { Plan: expect.any(Array) },
          filterPushdown: expect.any(Boolean),
        });
        return;
      }
      expect(text).toContain('"IXSCAN"');
      expect(text).not.toContain('"COLLSCAN"');
      if (indexName !== undefined) expect(text).toContain(`"${indexName}"`);
    },
  );

  it('look-ups by id are pushed down to the storage engine', async () => {
    const plan: unknown = await db()
      .collection<{ _id: string }>(`${p}tokens`)
      .find({ _id: 'some-id' })
      .explain();
    if (ferretDb) expect(plan).toMatchObject({ filterPushdown: true });
    else expect(JSON.stringify(plan)).toMatch(/"(IDHACK|EXPRESS_IXSCAN|IXSCAN)"/);
  });
});
