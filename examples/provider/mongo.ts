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
  const { ttl } = await adapter.ensureIndexes();
  // Servers without TTL indexes (FerretDB 1.x) need an explicit purge of expired tokens.
  if (!ttl) setInterval(() => void adapter.purgeExpired(new Date()).catch(() => {}), 60_000).unref();
  return adapter;
}
