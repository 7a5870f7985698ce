import mongoose from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';

/** Connects to MongoDB with timeouts that make an outage answer 503 quickly instead of hanging. */
export async function connectMongoAdapter(uri: string): Promise<MongoAdapter> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 3000,
    socketTimeoutMS: 10000,
  });
  await connection.asPromise();
  return new MongoAdapter({ connection });
}
