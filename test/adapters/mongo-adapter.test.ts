/**
 * The storage conformance suite against the Mongo adapter on a real MongoDB-protocol server
 * (FerretDB started by the global setup, or MONGODB_URI). Each test gets its own collection
 * prefix; its collections are dropped after it.
 */
import type { Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { runAdapterConformance } from '../../lib/testing';
import { connect, dropAndClose } from '../support/mongo-server';

let connection: Connection | undefined;
let count = 0;
const prefixes = new Map<StorageAdapter, string>();

beforeAll(async () => {
  connection = await connect('conformance');
});

afterAll(async () => {
  if (connection !== undefined) await dropAndClose(connection);
});

runAdapterConformance(
  () => {
    if (connection === undefined) throw new Error('no connection');
    count += 1;
    const collectionPrefix = `t${count}_`;
    // The TTL notice (FerretDB) is checked in mongo-indexes.test.ts; here it is noise.
    const adapter = new MongoAdapter({ connection, collectionPrefix, logger: () => {} });
    prefixes.set(adapter, collectionPrefix);
    return adapter;
  },
  {
    label: 'MongoAdapter',
    async teardown(adapter) {
      const prefix = prefixes.get(adapter);
      prefixes.delete(adapter);
      if (connection === undefined || prefix === undefined) return;
      const collections = await connection.listCollections();
      await Promise.all(
        collections
          .filter(({ name }) => name.startsWith(prefix))
          .map(({ name }) => connection?.dropCollection(name)),
      );
    },
  },
);
