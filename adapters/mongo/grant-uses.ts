/**
 * Where a grant's `lastUsedAt` is written (`touchGrant`, from the guard, fire-and-forget on every
 * request at most once a minute).
 *
 * On MongoDB it is one `$set` on the grant. FerretDB 1.x runs an update as a read followed by a
 * whole-document write, so a touch racing `saveGrant` could write the old `scopes` back over the
 * new ones: a probe of 200 concurrent touch + save pairs lost the new scope 10 times, and the
 * user's next authorization then asked for consent again. There the times go to a document of
 * their own in `<prefix>grant_uses` (`_id` = the grant's id), which nothing else writes, and reads
 * take the later of the two.
 *
 * @internal
 */
import type { GrantRecord } from '../../lib/storage/storage-adapter';
import { claimedAt, type Models } from './schemas';
import { codeOf, DUPLICATE_KEY } from './strategies';

export interface GrantUses {
  /** Records the use; `false` if there is no such grant. */
  touch(id: string, at: Date): Promise<boolean>;
  /** The grants with the latest recorded use. */
  settle(grants: GrantRecord[]): Promise<GrantRecord[]>;
  /** Forgets the uses of deleted grants. */
  forget(ids: string[]): Promise<void>;
}

/** MongoDB: updates are atomic per document, so the time lives on the grant. */
export function usesOnGrants(models: Models): GrantUses {
  return {
    async touch(id, at) {
      const result = await models.grants.updateOne({ _id: id }, { $set: { lastUsedAt: at } });
      return result.matchedCount > 0;
    },
    async settle(grants) {
      return grants;
    },
    async forget() {},
  };
}

/** Servers whose updates rewrite whole documents: the times in documents of their own. */
export function usesBeside(models: Models): GrantUses {
  return {
    async touch(id, at) {
      if ((await models.grants.exists({ _id: id })) === null) return false;
      try {
        await models.grantUses.updateOne({ _id: id }, { $set: { at } }, { upsert: true });
      } catch (error) {
        // Two first touches of one grant both tried to insert (an upsert is a read, then an
        // insert, here); the loser's document exists now, so it is an ordinary update.
        if (codeOf(error) !== DUPLICATE_KEY) throw error;
        await models.grantUses.updateOne({ _id: id }, { $set: { at } });
      }
      return true;
    },
    async settle(grants) {
      if (grants.length === 0) return grants;
      const docs = await models.grantUses
        .find({ _id: { $in: grants.map((grant) => grant.id) } })
        .lean<unknown[]>();
      const uses = new Map<string, Date>();
      for (const doc of docs) {
        const id: unknown = typeof doc === 'object' && doc !== null ? Reflect.get(doc, '_id') : undefined;
        const at = claimedAt(doc);
        if (typeof id === 'string' && at !== null) uses.set(id, at);
      }
      return grants.map((grant) => {
        const used = uses.get(grant.id);
        if (used === undefined) return grant;
        const latest = grant.lastUsedAt === null || used > grant.lastUsedAt ? used : grant.lastUsedAt;
        return { ...grant, lastUsedAt: latest };
      });
    },
    async forget(ids) {
      if (ids.length > 0) await models.grantUses.deleteMany({ _id: { $in: ids } });
    },
  };
}
