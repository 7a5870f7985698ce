/**
 * The storage contract now lives in `lib/storage/storage-adapter.ts` (the core owns it); this
 * re-export keeps `adapters/storage-adapter` imports working.
 */
export type * from '../lib/storage/storage-adapter';
