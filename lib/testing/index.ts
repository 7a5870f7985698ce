/// <reference types="jest" />
/**
 * `express-oauth-provider/testing`: the conformance suite every storage adapter must pass.
 *
 * @packageDocumentation
 */
import type { StorageAdapter } from '../storage/storage-adapter';
import { describeApplicationPages } from './conformance/application-pages';
import { describeApplications } from './conformance/applications';
import { describeAudiences } from './conformance/audiences';
import { describeConsumeAndRaces } from './conformance/consume-and-races';
import type { GetAdapter } from './conformance/context';
import { describeContractDetails } from './conformance/contract-details';
import { describeExpiryAndPurge } from './conformance/expiry-and-purge';
import { describeGrants } from './conformance/grants';
import { describePruning } from './conformance/pruning';
import { describeRateLimits } from './conformance/rate-limits';
import { describeResourceSelections } from './conformance/resource-selections';
import { describeRevocation } from './conformance/revocation';
import { describeTokens } from './conformance/tokens';

export * from './fixtures';

function isUnderTest(made: StorageAdapter | AdapterUnderTest): made is AdapterUnderTest {
  return 'adapter' in made && 'cleanup' in made && typeof made.cleanup === 'function';
}

/** An adapter under test and what undoes it (close connections, drop the namespace). */
export interface AdapterUnderTest {
  adapter: StorageAdapter;
  cleanup(): Promise<void> | void;
}

/** Options of {@link runAdapterConformance}. */
export interface AdapterConformanceOptions {
  /**
   * Called after each test with the adapter it used, after its own `cleanup` (if `makeAdapter`
   * returned `{ adapter, cleanup }`, that is usually all you need).
   */
  teardown?: (adapter: StorageAdapter) => Promise<void> | void;
  /** Names the outer `describe` block; default `'StorageAdapter'`. */
  label?: string;
}

/**
 * Declares the storage-adapter conformance suite with Jest's globals (`describe`, `it`,
 * `expect`, `beforeEach`, `afterEach`; Vitest with `globals: true` works too). It covers every
 * method of `StorageAdapter`: not-found results, copies, uniqueness, ordering, filters,
 * revocation counts, single use under 50 concurrent calls, grace windows and purging.
 *
 * `makeAdapter` runs before every test and must return an adapter whose store is empty, or a
 * fresh namespace of a shared store: either the adapter itself, or `{ adapter, cleanup }`, whose
 * `cleanup()` runs after the test. Tests use explicit dates in 2099, so a TTL index never
 * removes a record mid-test, and never assume anything the contract leaves to the adapter (for
 * example, which error a rejected write throws).
 *
 * @example
 * ```ts
 * // test/adapters/my-adapter.test.ts
 * import { runAdapterConformance } from 'express-oauth-provider/testing';
 * import { MyAdapter } from '../../src/my-adapter';
 *
 * runAdapterConformance(
 *   async () => {
 *     const adapter = await MyAdapter.connect(`db-${crypto.randomUUID()}`);
 *     return { adapter, cleanup: () => adapter.dropAndClose() };
 *   },
 *   { label: 'MyAdapter' },
 * );
 * ```
 */
export function runAdapterConformance(
  makeAdapter: () => StorageAdapter | AdapterUnderTest | Promise<StorageAdapter | AdapterUnderTest>,
  options: AdapterConformanceOptions = {},
): void {
  describe(`${options.label ?? 'StorageAdapter'} conformance`, () => {
    let current: StorageAdapter | undefined;
    let cleanup: (() => Promise<void> | void) | undefined;

    beforeEach(async () => {
      const made = await makeAdapter();
      if (isUnderTest(made)) {
        current = made.adapter;
        cleanup = () => made.cleanup();
      } else {
        current = made;
        cleanup = undefined;
      }
    });

    afterEach(async () => {
      const adapter = current;
      const undo = cleanup;
      current = undefined;
      cleanup = undefined;
      try {
        await undo?.();
      } finally {
        if (adapter !== undefined) await options.teardown?.(adapter);
      }
    });

    const getAdapter: GetAdapter = () => {
      if (current === undefined)
        throw new Error('runAdapterConformance: no adapter (did makeAdapter() fail?)');
      return current;
    };

    describeApplications(getAdapter);
    describeApplicationPages(getAdapter);
    describeGrants(getAdapter);
    describeTokens(getAdapter);
    describeAudiences(getAdapter);
    describeConsumeAndRaces(getAdapter);
    describeRevocation(getAdapter);
    describeExpiryAndPurge(getAdapter);
    describeContractDetails(getAdapter);
    describePruning(getAdapter);
    describeRateLimits(getAdapter);
    describeResourceSelections(getAdapter);
  });
}
