import mongoose from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';

/**
 * Connects to MongoDB with timeouts that make an outage answer 503 quickly instead of hanging:
 * a stopped server is noticed through `serverSelectionTimeoutMS`, a silent one (a partition)
 * only through `connectTimeoutMS` and `socketTimeoutMS`.
 */
export async function connectMongoAdapter(uri: string): Promise<MongoAdapter> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 1500,
    socketTimeoutMS: 2000,
  });
  await connection.asPromise();
  const adapter = new MongoAdapter({ connection });
  // Where the server has no TTL indexes (FerretDB 1.x), the provider's own purge
  // (`purgeIntervalSeconds`) deletes expired tokens.
  await adapter.ensureIndexes();
  return adapter;
}
