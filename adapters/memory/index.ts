/**
 * The in-memory storage adapter: `import { MemoryAdapter } from 'express-oauth-provider/adapters/memory'`.
 *
 * @packageDocumentation
 */
export type * from '../../lib/storage/storage-adapter';
export { MemoryAdapter, type MemoryAdapterOptions } from './memory-adapter';
