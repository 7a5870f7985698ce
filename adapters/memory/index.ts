/**
 * The in-memory storage adapter: `import { MemoryAdapter } from 'express-oauth-provider/adapters/memory'`.
 *
 * @packageDocumentation
 */
export type * from '../storage-adapter';
export { MemoryAdapter, type MemoryAdapterOptions } from './memory-adapter';
