/// <reference types="jest" />
import type { StorageAdapter, TokenRecord } from '../../storage/storage-adapter';

/**
 * The adapter under test. Each test gets a fresh one (the suite calls `makeAdapter()` in
 * `beforeEach`), read through this getter because it does not exist yet when tests are declared.
 */
export type GetAdapter = () => StorageAdapter;

/** Sums the `outcome`s of settled consume calls, e.g. `{ consumed: 1, replayed: 49 }`. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** The stored record of `token` is `token` with `changes` and nothing else changed. */
export async function expectStoredToken(
  adapter: StorageAdapter,
  token: TokenRecord,
  changes: Partial<TokenRecord>,
): Promise<void> {
  await expect(adapter.findTokenByHash(token.hash)).resolves.toEqual({ ...token, ...changes });
}
