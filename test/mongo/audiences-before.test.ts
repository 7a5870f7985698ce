/**
 * Documents the Mongo adapter finds in a database filled by a provider from before audiences
 * (RFC 8707): grant and token documents without `audience` read as the empty audience the
 * storage contract gives such records (issued without `resource`), and a grant saved again
 * gets the new audience.
 */
import type { Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { makeCode, makeGrant } from '../../lib/testing';
import { connect, dropAndClose } from '../support/mongo-server';

let connection: Connection;

beforeAll(async () => {
  connection = await connect('audiences');
});

afterAll(async () => {
  await dropAndClose(connection);
});

/** A record as an older adapter wrote it: `_id` for `id`, no `audience`. */
function legacy<T extends { id: string; audience: string[] }>(record: T) {
  const { id, audience: _audience, ...fields } = record;
  return { _id: id, ...fields };
}

it('grant and token documents without audience read as an empty audience', async () => {
  const adapter = new MongoAdapter({ connection, collectionPrefix: 'pre_aud_', logger: () => {} });
  await adapter.ensureIndexes();
  const grant = makeGrant({ audience: [] });
  const code = makeCode({ audience: [] });
  await connection.collection<{ _id: string }>('pre_aud_grants').insertOne(legacy(grant));
  await connection.collection<{ _id: string }>('pre_aud_tokens').insertOne(legacy(code));
  await expect(adapter.findGrantById(grant.id)).resolves.toEqual(grant);
  await expect(adapter.findTokenByHash(code.hash)).resolves.toEqual(code);
  const consumed = await adapter.consumeToken(
    'code',
    code.hash,
    new Date(code.createdAt.getTime() + 1000),
    0,
  );
  expect(consumed?.record.audience).toEqual([]);
  const saved = await adapter.saveGrant({ ...grant, audience: ['https://host.example/mcp'] });
  expect(saved.audience).toEqual(['https://host.example/mcp']);
});
