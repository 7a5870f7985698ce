/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { at, makeGrant } from '../fixtures';
import type { GetAdapter } from './context';

/** saveGrant (an atomic upsert per user × application), findGrant(ById), list, delete, touch. */
export function describeGrants(adapter: GetAdapter): void {
  describe('grants', () => {
    it('saveGrant stores a new grant and returns it; findGrant and findGrantById find it', async () => {
      const grant = makeGrant();
      await expect(adapter().saveGrant(grant)).resolves.toEqual(grant);
      await expect(adapter().findGrant(grant.userId, grant.applicationId)).resolves.toEqual(grant);
      await expect(adapter().findGrantById(grant.id)).resolves.toEqual(grant);
    });

    it('finds nothing (null) for an unknown pair or id', async () => {
      const grant = makeGrant();
      await adapter().saveGrant(grant);
      await expect(adapter().findGrant(grant.userId, randomUUID())).resolves.toBeNull();
      await expect(adapter().findGrant(randomUUID(), grant.applicationId)).resolves.toBeNull();
      await expect(adapter().findGrant(grant.applicationId, grant.userId)).resolves.toBeNull();
      await expect(adapter().findGrantById(randomUUID())).resolves.toBeNull();
    });

    it('saveGrant on an existing pair keeps id and createdAt, replaces scopes and updatedAt', async () => {
      const first = makeGrant({ scopes: ['public_repo'], createdAt: at(10), updatedAt: at(10) });
      await adapter().saveGrant(first);
      const second = makeGrant({
        userId: first.userId,
        applicationId: first.applicationId,
        scopes: ['repo', 'gist'],
        createdAt: at(50),
        updatedAt: at(50),
      });
      const saved = await adapter().saveGrant(second);
      expect(saved).toMatchObject({
        id: first.id,
        createdAt: at(10),
        scopes: ['repo', 'gist'],
        updatedAt: at(50),
      });
      expect(saved.userId).toBe(first.userId);
      expect(saved.applicationId).toBe(first.applicationId);
      await expect(adapter().findGrant(first.userId, first.applicationId)).resolves.toEqual(saved);
      await expect(adapter().findGrantById(first.id)).resolves.toEqual(saved);
      await expect(adapter().findGrantById(second.id)).resolves.toBeNull();
      await expect(adapter().listGrantsByUser(first.userId)).resolves.toEqual([saved]);
    });

    it('keeps exactly one grant per pair under 20 concurrent saveGrant calls', async () => {
      const userId = randomUUID();
      const applicationId = randomUUID();
      const attempts = Array.from({ length: 20 }, (_, i) =>
        makeGrant({ userId, applicationId, scopes: [`scope-${i}`], createdAt: at(i), updatedAt: at(i) }),
      );
      const results = await Promise.all(attempts.map((grant) => adapter().saveGrant(grant)));
      const grants = await adapter().listGrantsByUser(userId);
      expect(grants).toHaveLength(1);
      const [stored] = grants;
      expect(attempts.map((grant) => grant.id)).toContain(stored?.id);
      expect(new Set(results.map((grant) => grant.id))).toEqual(new Set([stored?.id]));
      expect(attempts.map((grant) => grant.scopes)).toContainEqual(stored?.scopes);
      await expect(adapter().findGrant(userId, applicationId)).resolves.toEqual(stored);
    });

    it('listGrantsByUser lists only that user, oldest first', async () => {
      const userId = randomUUID();
      const middle = makeGrant({ userId, createdAt: at(20), updatedAt: at(20) });
      const newest = makeGrant({ userId, createdAt: at(30), updatedAt: at(30) });
      const oldest = makeGrant({ userId, createdAt: at(10), updatedAt: at(40) });
      for (const grant of [middle, newest, makeGrant(), oldest]) await adapter().saveGrant(grant);
      await expect(adapter().listGrantsByUser(userId)).resolves.toEqual([oldest, middle, newest]);
      await expect(adapter().listGrantsByUser(randomUUID())).resolves.toEqual([]);
    });

    it('deleteGrant removes only that grant, then returns false', async () => {
      const grant = makeGrant();
      const sibling = makeGrant({ userId: grant.userId });
      await adapter().saveGrant(grant);
      await adapter().saveGrant(sibling);
      await expect(adapter().deleteGrant(grant.id)).resolves.toBe(true);
      await expect(adapter().findGrantById(grant.id)).resolves.toBeNull();
      await expect(adapter().findGrant(grant.userId, grant.applicationId)).resolves.toBeNull();
      await expect(adapter().listGrantsByUser(grant.userId)).resolves.toEqual([sibling]);
      await expect(adapter().deleteGrant(grant.id)).resolves.toBe(false);
      await expect(adapter().deleteGrant(randomUUID())).resolves.toBe(false);
    });

    it('a deleted pair can be granted again', async () => {
      const grant = makeGrant();
      await adapter().saveGrant(grant);
      await adapter().deleteGrant(grant.id);
      const again = makeGrant({
        userId: grant.userId,
        applicationId: grant.applicationId,
        createdAt: at(99),
      });
      await expect(adapter().saveGrant(again)).resolves.toEqual(again);
    });

    it('touchGrant sets lastUsedAt and nothing else; false for an unknown id', async () => {
      const grant = makeGrant();
      await adapter().saveGrant(grant);
      await expect(adapter().touchGrant(grant.id, at(120))).resolves.toBe(true);
      await expect(adapter().findGrantById(grant.id)).resolves.toEqual({ ...grant, lastUsedAt: at(120) });
      await expect(adapter().touchGrant(grant.id, at(180))).resolves.toBe(true);
      await expect(adapter().findGrantById(grant.id)).resolves.toEqual({ ...grant, lastUsedAt: at(180) });
      await expect(adapter().touchGrant(randomUUID(), at(120))).resolves.toBe(false);
    });

    it('a touch racing saveGrant never puts the old scopes back (40 concurrent pairs)', async () => {
      // The guard touches a grant on every request while a consent may be widening it; a store
      // that writes whole records (FerretDB 1.x) lost the new scopes this way.
      const grants = Array.from({ length: 40 }, () => makeGrant({ scopes: ['public_repo'] }));
      for (const grant of grants) await adapter().saveGrant(grant);
      await Promise.all(
        grants.flatMap((grant) => [
          adapter().touchGrant(grant.id, at(30)),
          adapter().saveGrant({ ...grant, scopes: ['repo', 'gist'], updatedAt: at(20) }),
        ]),
      );
      for (const grant of grants) {
        const stored = await adapter().findGrant(grant.userId, grant.applicationId);
        expect(stored?.scopes).toEqual(['repo', 'gist']);
        expect(stored?.lastUsedAt).toEqual(at(30));
      }
    });

    it('concurrent first touches of one grant all succeed (20 at once)', async () => {
      const grant = makeGrant();
      await adapter().saveGrant(grant);
      const touched = await Promise.all(
        Array.from({ length: 20 }, (_, i) => adapter().touchGrant(grant.id, at(30 + i))),
      );
      expect(touched).toEqual(Array.from({ length: 20 }, () => true));
      const stored = await adapter().findGrantById(grant.id);
      expect(stored?.lastUsedAt?.getTime()).toBeGreaterThanOrEqual(at(30).getTime());
      expect(stored?.scopes).toEqual(grant.scopes);
    });

    it('returns copies: mutating a returned or a given grant never changes the store', async () => {
      const grant = makeGrant();
      const expected = structuredClone(grant);
      const saved = await adapter().saveGrant(grant);
      grant.scopes.push('admin');
      saved.scopes.push('admin');
      saved.createdAt.setTime(0);
      const found = await adapter().findGrant(expected.userId, expected.applicationId);
      expect(found).toEqual(expected);
      found?.scopes.splice(0);
      found?.updatedAt.setTime(0);
      for (const listed of await adapter().listGrantsByUser(expected.userId)) listed.scopes.push('admin');
      await expect(adapter().findGrantById(expected.id)).resolves.toEqual(expected);
    });
  });
}
