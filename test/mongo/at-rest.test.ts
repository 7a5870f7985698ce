/**
 * DESIGN "Tokens and secrets at rest" on the Mongo adapter: the database stores only a SHA-256
 * hash of every token, code and client secret, so a leaked database yields no usable credential.
 * The example provider issues one of everything (test/support/at-rest.ts); then every document
 * of every collection of its database is read raw, through the driver, and searched.
 */
import mongoose, { type Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { given } from '../support/adapters';
import { expectOnlyHashesAtRest, issueOneOfEverything } from '../support/at-rest';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import { connect, dropAndClose } from '../support/mongo-server';

let connection: Connection;
let host: ExampleHost;

beforeAll(async () => {
  connection = await connect('at_rest');
  host = await createExampleHost({ adapter: given(new MongoAdapter({ connection, logger: () => {} })) });
});

afterAll(async () => {
  if (connection !== undefined) await dropAndClose(connection);
});

/** Every document of every collection of the connection's database, as canonical EJSON. */
async function dumpDatabase(): Promise<{ collections: string[]; documents: string[] }> {
  const db = connection.db;
  if (db === undefined) throw new Error('not connected');
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name);
  const documents: string[] = [];
  for (const name of collections.sort()) {
    for (const document of await db.collection(name).find({}).toArray()) {
      documents.push(`${name} ${mongoose.mongo.BSON.EJSON.stringify(document, { relaxed: false })}`);
    }
  }
  return { collections, documents };
}

describe('secrets at rest in MongoDB', () => {
  it('no issued secret, nor its random part, appears in any document; only hashes do', async () => {
    const secrets = await issueOneOfEverything(host);
    const { collections, documents } = await dumpDatabase();
    expect(collections).toEqual(
      expect.arrayContaining(['oauth_applications', 'oauth_grants', 'oauth_tokens']),
    );
    expectOnlyHashesAtRest(secrets, documents);
  });
});
