/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { TokenPruning, TokenRecord } from '../../storage/storage-adapter';
import { pruneByListing } from '../../tokens/token-cap';
import { at, makeToken, randomHash } from '../fixtures';
import { expectStoredToken, type GetAdapter } from './context';

/**
 * The token cap on this adapter: its `pruneTokens` when it has one (optional), else the core's
 * fallback built on its `listTokens` and `revokeTokens` — the same rule either way. The oldest
 * live records of one kind, application, user and scope set beyond the newest `keep` are revoked,
 * `except` skipped.
 */
export function describePruning(adapter: GetAdapter): void {
  describe('the token cap: pruneTokens (optional) or listTokens + revokeTokens', () => {
    /** The adapter's `pruneTokens`, or the core's fallback on its `listTokens` and `revokeTokens`. */
    function pruner(): (pruning: TokenPruning) => Promise<number> {
      const current = adapter();
      return current.pruneTokens?.bind(current) ?? ((pruning) => pruneByListing(current, pruning));
    }

    /** `of` as another record (new id and hash) with `changes`. */
    const copyOf = (of: TokenRecord, changes: Partial<TokenRecord>): TokenRecord =>
      makeToken({ ...of, id: randomUUID(), hash: randomHash(), ...changes });

    /** One grant's access tokens for one scope set, created a second apart, oldest first. */
    async function siblings(count: number, common: Partial<TokenRecord> = {}): Promise<TokenRecord[]> {
      const shared = { grantId: randomUUID(), applicationId: randomUUID(), userId: randomUUID(), ...common };
      const records = [];
      for (let i = 0; i < count; i += 1) {
        const record = makeToken({ ...shared, scopes: ['repo', 'gist'], createdAt: at(i) });
        await adapter().insertToken(record);
        records.push(record);
      }
      return records;
    }

    const capOf = (of: TokenRecord, extra: Partial<TokenPruning> = {}): TokenPruning => ({
      filter: { grantId: of.grantId ?? '' },
      kind: of.kind,
      applicationId: of.applicationId,
      userId: of.userId,
      scopes: ['gist', 'repo'],
      at: at(100),
      keep: 3,
      except: [],
      ...extra,
    });

    const liveIds = async (of: TokenRecord): Promise<string[]> =>
      (await adapter().listTokens({ grantId: of.grantId ?? '' })).map((record) => record.id);

    it('is a function or absent', () => {
      expect(['function', 'undefined']).toContain(typeof adapter().pruneTokens);
    });

    it('revokes the oldest beyond the newest `keep`, at `at`, and says how many', async () => {
      const prune = pruner();
      const records = await siblings(5);
      const [first, second, ...kept] = records;
      if (first === undefined || second === undefined) throw new Error('five records were made');
      await expect(prune(capOf(first))).resolves.toBe(2);
      await expectStoredToken(adapter(), first, { revokedAt: at(100) });
      await expectStoredToken(adapter(), second, { revokedAt: at(100) });
      await expect(liveIds(first)).resolves.toEqual(kept.map((record) => record.id));
      // At the cap already: nothing more to revoke.
      await expect(prune(capOf(first))).resolves.toBe(0);
    });

    it('counts only live records of the kind, application, user and scope set (in any order)', async () => {
      const prune = pruner();
      const records = await siblings(3);
      const [first] = records;
      if (first === undefined) throw new Error('three records were made');
      const grantId = first.grantId;
      // Of the same grant, none of these counts against the three above.
      const others = [
        copyOf(first, { kind: 'refresh', expiresAt: null }),
        makeToken({ grantId, applicationId: first.applicationId, userId: first.userId, scopes: ['repo'] }),
        makeToken({ grantId, applicationId: randomUUID(), userId: first.userId, scopes: ['repo', 'gist'] }),
        makeToken({ grantId, applicationId: first.applicationId, userId: null, scopes: ['repo', 'gist'] }),
        copyOf(first, { expiresAt: at(50) }),
        copyOf(first, { consumedAt: at(20) }),
      ];
      for (const record of others) await adapter().insertToken(record);
      await expect(prune(capOf(first, { keep: 3 }))).resolves.toBe(0);
      for (const record of [...records, ...others]) await expectStoredToken(adapter(), record, {});
      // Scopes given in another order still name the same set.
      await expect(prune(capOf(first, { keep: 2, scopes: ['repo', 'gist'] }))).resolves.toBe(1);
      await expectStoredToken(adapter(), first, { revokedAt: at(100) });
    });

    it('skips the records in `except` without revoking a newer one instead', async () => {
      const prune = pruner();
      const [first, second, third, fourth] = await siblings(4);
      if (!first || !second || !third || !fourth) throw new Error('four records were made');
      await expect(prune(capOf(first, { keep: 2, except: [first.id] }))).resolves.toBe(1);
      await expectStoredToken(adapter(), first, {});
      await expectStoredToken(adapter(), second, { revokedAt: at(100) });
      await expect(liveIds(first)).resolves.toEqual([first.id, third.id, fourth.id]);
    });

    it('narrows by the filter: another grant of the same user and set keeps its records', async () => {
      const prune = pruner();
      const [first] = await siblings(2);
      if (first === undefined) throw new Error('two records were made');
      const [elsewhere] = await siblings(2, { applicationId: first.applicationId, userId: first.userId });
      if (elsewhere === undefined) throw new Error('two records were made');
      await expect(prune(capOf(first, { keep: 1 }))).resolves.toBe(1);
      await expect(liveIds(elsewhere)).resolves.toHaveLength(2);
    });

    it('two concurrent calls on one set revoke the same oldest records, never one of the newest', async () => {
      const prune = pruner();
      const records = await siblings(6);
      const [first] = records;
      if (first === undefined) throw new Error('six records were made');
      const counts = await Promise.all([prune(capOf(first)), prune(capOf(first))]);
      expect(counts[0] + counts[1]).toBe(3);
      await expect(liveIds(first)).resolves.toEqual(records.slice(3).map((record) => record.id));
    });

    it('rejects an empty filter rather than prune every token', async () => {
      const prune = pruner();
      const [first] = await siblings(2);
      if (first === undefined) throw new Error('two records were made');
      await expect(prune(capOf(first, { filter: {}, keep: 0 }))).rejects.toBeDefined();
      await expect(liveIds(first)).resolves.toHaveLength(2);
    });
  });
}
