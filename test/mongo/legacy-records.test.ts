/**
 * Documents the Mongo adapter finds in a database filled by a provider from before trust levels:
 * an application document without `trust` and `skipConsent` reads as the storage contract says
 * (`host` without an owner, `user` with one, `skipConsent: false`); a `trust` that is no trust
 * level fails loudly, naming the document and field, instead of reaching the core.
 */
import type { Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { makeApplication } from '../../lib/testing';
import { connect, dropAndClose } from '../support/mongo-server';

let connection: Connection;

beforeAll(async () => {
  connection = await connect('legacy');
});

afterAll(async () => {
  await dropAndClose(connection);
});

/** A document as an older adapter wrote it: the record's fields, `_id` for `id`, no trust fields. */
function legacyDocument(ownerId: string | null) {
  const { id, trust: _trust, skipConsent: _skip, ...fields } = makeApplication({ ownerId });
  return { _id: id, ...fields };
}

it('an application document without trust fields reads as host or user, without skipped consent', async () => {
  const adapter = new MongoAdapter({ connection, collectionPrefix: 'old_', logger: () => {} });
  await adapter.ensureIndexes();
  const hostDoc = legacyDocument(null);
  const userDoc = legacyDocument('bob');
  await connection.collection<{ _id: string }>('old_applications').insertMany([hostDoc, userDoc]);
  const { _id: hostId, ...host } = hostDoc;
  const { _id: userId, ...user } = userDoc;
  await expect(adapter.findApplicationById(hostId)).resolves.toEqual({
    id: hostId,
    ...host,
    trust: 'host',
    skipConsent: false,
  });
  await expect(adapter.findApplicationByClientId(user.clientId)).resolves.toEqual({
    id: userId,
    ...user,
    trust: 'user',
    skipConsent: false,
  });
  await expect(adapter.listApplicationsByOwner('bob')).resolves.toMatchObject([
    { id: userId, trust: 'user' },
  ]);
  await expect(
    adapter.updateApplication(hostId, { trust: 'first-party', skipConsent: true }),
  ).resolves.toMatchObject({ id: hostId, trust: 'first-party', skipConsent: true });
});

it('an unknown trust value fails loudly, naming the document and the field', async () => {
  const adapter = new MongoAdapter({ connection, collectionPrefix: 'bad_', logger: () => {} });
  await adapter.ensureIndexes();
  const doc = { ...legacyDocument(null), trust: 'admin' };
  await connection.collection<{ _id: string }>('bad_applications').insertOne(doc);
  await expect(adapter.findApplicationById(doc._id)).rejects.toThrow(/`trust` is not a trust level/);
});
