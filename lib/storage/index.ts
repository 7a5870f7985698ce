/**
 * The storage contract alone, for adapter authors:
 * `import type { StorageAdapter, TokenRecord } from 'express-oauth-provider/storage'`.
 *
 * Types only: it loads nothing at run time and needs neither Express nor its types, so an adapter
 * package can depend on it without depending on a web framework.
 *
 * @packageDocumentation
 */
export type * from './storage-adapter';
