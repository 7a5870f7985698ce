/**
 * The storage adapters the provider's suites run on, by name: the one registration point. Each
 * factory makes a fresh, empty adapter and says how to clean it up.
 *
 * The compliance and HTTP suites take theirs from {@link adapterUnderTest}: the `ADAPTER`
 * environment variable, else the jest project's `TEST_ADAPTER` global (jest.config.js runs those
 * suites once per adapter, as doorkeeper-mongodb runs doorkeeper's specs), else `memory`. The
 * reliability suites iterate over {@link ADAPTERS}.
 *
 * To add an adapter: a factory here, its name in `SUITE_ADAPTERS` in jest.config.js.
 */

import { basename } from 'node:path';
import type { Connection } from 'mongoose';
import { MemoryAdapter } from '../../adapters/memory';
import { MongoAdapter } from '../../adapters/mongo';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { connect, dropAndClose } from './mongo-server';

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

/** The database of this test file, shared by its adapters while any is in use. */
interface SharedDatabase {
  connection: Promise<Connection>;
  users: number;
  adapters: number;
}
let database: SharedDatabase | null = null;

function testFileLabel(): string {
  const path = expect.getState().testPath;
  return path === undefined ? 'tests' : basename(path).replace(/\.test\.ts$/, '');
}

/**
 * The Mongo adapter on the test server (FerretDB from the global setup, or `MONGODB_URI`). A test
 * file gets a database of its own (FerretDB reads whole tables for every query but a look-up by
 * `_id`, so small databases keep it fast); each adapter a fresh collection prefix in it. The
 * database is dropped when the file's last adapter is cleaned up.
 */
export const mongo: AdapterFactory = {
  name: 'mongo',
  async create() {
    database ??= { connection: connect(testFileLabel()), users: 0, adapters: 0 };
    const shared = database;
    shared.users += 1;
    shared.adapters += 1;
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users > 0) return;
      if (database === shared) database = null;
      await dropAndClose(await shared.connection);
    };
    try {
      const connection = await shared.connection;
      const adapter = new MongoAdapter({
        connection,
        collectionPrefix: `t${shared.adapters}_`,
        logger: () => {},
      });
      await adapter.ensureIndexes();
      return { adapter, cleanup: release };
    } catch (error) {
      await release().catch(() => {});
      throw error;
    }
  },
};

/** Every adapter the suites know. */
export const ADAPTERS = { memory, mongo } as const satisfies Record<string, AdapterFactory>;

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
 * Works on any adapter (the calls still run with `inner` as `this`).
 */
export function interceptAdapter(
  inner: StorageAdapter,
  around: (method: StorageMethod, proceed: () => Promise<unknown>) => Promise<unknown>,
): StorageAdapter {
  return new Proxy(inner, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== 'function' || typeof key !== 'string' || !(key in target)) return member;
      return (...args: unknown[]) =>
        around(key as StorageMethod, async () => Reflect.apply(member, target, args));
    },
  });
}
