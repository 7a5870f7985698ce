/**
 * The storage adapters the provider's suites run on, by name: the one registration point. Each
 * factory makes a fresh, empty adapter and says how to clean it up: memory and Mongo here, the
 * SQL adapter on PostgreSQL and on SQLite in sql-adapters.ts.
 *
 * The compliance and HTTP suites take theirs from {@link adapterUnderTest}: the `ADAPTER`
 * environment variable, else the jest project's `TEST_ADAPTER` global (jest.config.js runs those
 * suites once per adapter, as doorkeeper-mongodb runs doorkeeper's specs), else `memory`. The
 * reliability suites iterate over {@link ADAPTERS}.
 *
 * To add an adapter: a factory here, its name in `SUITE_ADAPTERS` in jest.config.js, and its
 * server's global setup on the projects that need it.
 */

import { basename } from 'node:path';
import type { Connection } from 'mongoose';
import { MemoryAdapter } from '../../adapters/memory';
import { MongoAdapter } from '../../adapters/mongo';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { closeAfterFile } from './cleanup';
import { connect, dropAndClose } from './mongo-server';
import { postgres, sqlite } from './sql-adapters';

/** A fresh adapter and how to release it. */
export interface AdapterSetup {
  adapter: StorageAdapter;
  cleanup(): Promise<void>;
}

export interface AdapterFactory {
  readonly name: string;
  create(): Promise<AdapterSetup>;
}

export const memory: AdapterFactory = {
  name: 'memory',
  async create() {
    const adapter = new MemoryAdapter({ purgeIntervalMs: 0 });
    return { adapter, cleanup: async () => adapter.close() };
  },
};

/** The database of this test file, shared by its adapters, dropped after the file. */
let database: { connection: Promise<Connection>; adapters: number } | null = null;

function testFileLabel(): string {
  const path = expect.getState().testPath;
  return path === undefined ? 'tests' : basename(path).replace(/\.test\.ts$/, '');
}

function fileDatabase(): { connection: Promise<Connection>; adapters: number } {
  if (database !== null) return database;
  const opened = { connection: connect(testFileLabel()), adapters: 0 };
  database = opened;
  closeAfterFile(async () => {
    if (database === opened) database = null;
    await dropAndClose(await opened.connection);
  });
  return opened;
}

/**
 * The Mongo adapter on the test server (FerretDB from the global setup, or `MONGODB_URI`). A test
 * file gets a database of its own (FerretDB reads whole tables for every query but a look-up by
 * `_id`, so small databases keep it fast), dropped after the file; each adapter a fresh
 * collection prefix in it, whose collections `cleanup` drops.
 */
export const mongo: AdapterFactory = {
  name: 'mongo',
  async create() {
    const shared = fileDatabase();
    shared.adapters += 1;
    const collectionPrefix = `t${shared.adapters}_`;
    const connection = await shared.connection;
    const adapter = new MongoAdapter({ connection, collectionPrefix, logger: () => {} });
    await adapter.ensureIndexes();
    // Dropped as soon as the adapter is done with: FerretDB slows down as its tables add up.
    const cleanup = async () => {
      const collections = await connection.listCollections();
      await Promise.all(
        collections
          .filter(({ name }) => name.startsWith(collectionPrefix))
          .map(({ name }) => connection.dropCollection(name)),
      );
    };
    return { adapter, cleanup };
  },
};

/** Every adapter the suites know. */
export const ADAPTERS = { memory, mongo, postgres, sqlite } as const satisfies Record<string, AdapterFactory>;

function isAdapterName(name: string): name is keyof typeof ADAPTERS {
  return Object.hasOwn(ADAPTERS, name);
}

/** The adapter this run of the compliance and HTTP suites is about. */
export function adapterUnderTest(): AdapterFactory {
  const chosen: unknown = process.env.ADAPTER || Reflect.get(globalThis, 'TEST_ADAPTER') || 'memory';
  const name = String(chosen);
  if (!isAdapterName(name)) {
    throw new Error(
      `unknown adapter "${name}" (ADAPTER / TEST_ADAPTER); known: ${Object.keys(ADAPTERS).join(', ')}`,
    );
  }
  return ADAPTERS[name];
}

/** The name of a storage method, e.g. `consumeToken`. */
export type StorageMethod = keyof StorageAdapter;

/**
 * A view of `inner` whose every method call goes through `around(method, proceed)`: to delay a
 * call, fail it (an outage) or act just before or after it (kill the database at one step).
 * Works on any adapter (the calls still run with `inner` as `this`). `createRateLimiter` passes
 * through as it is: it is synchronous and hands out counters, not a storage call.
 */
export function interceptAdapter(
  inner: StorageAdapter,
  around: (method: StorageMethod, proceed: () => Promise<unknown>) => Promise<unknown>,
): StorageAdapter {
  return new Proxy(inner, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== 'function' || typeof key !== 'string' || !(key in target)) return member;
      // Synchronous, and not a storage call: its counters are the limiter's.
      if (key === 'createRateLimiter') return member.bind(target);
      return (...args: unknown[]) =>
        around(key as StorageMethod, async () => Reflect.apply(member, target, args));
    },
  });
}

/** A factory that hands out one adapter the test made itself (and cleans up itself). */
export function given(adapter: StorageAdapter, name = 'given'): AdapterFactory {
  return { name, create: async () => ({ adapter, cleanup: async () => {} }) };
}
