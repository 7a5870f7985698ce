/**
 * The MongoDB storage adapter, on mongoose:
 * `import { MongoAdapter } from 'express-oauth-provider/adapters/mongo'`.
 *
 * @packageDocumentation
 */
export type * from '../../lib/storage/storage-adapter';
export { MongoAdapter, type MongoAdapterOptions } from './mongo-adapter';
