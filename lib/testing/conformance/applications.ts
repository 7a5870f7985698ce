/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { at, makeApplication, makeGrant, randomHash } from '../fixtures';
import type { GetAdapter } from './context';

/** createApplication, findApplicationById/ByClientId, listApplicationsByOwner, update, delete. */
export function describeApplications(adapter: GetAdapter): void {
  describe('applications', () => {
    it('createApplication stores the record and returns it', async () => {
      const app = makeApplication();
      await expect(adapter().createApplication(app)).resolves.toEqual(app);
      await expect(adapter().findApplicationById(app.id)).resolves.toEqual(app);
      await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toEqual(app);
    });

    it('stores a public application with null secret hash and null owner as given', async () => {
      const app = makeApplication({ confidential: false, clientSecretHash: null, ownerId: null, scopes: [] });
      await adapter().createApplication(app);
      await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toEqual(app);
    });

    it('stores every trust level and skipConsent as given', async () => {
      const apps = [
        makeApplication({ trust: 'first-party', skipConsent: true, ownerId: null }),
        makeApplication({ trust: 'first-party', skipConsent: false, ownerId: null }),
        makeApplication({ trust: 'host', ownerId: null }),
        makeApplication({ trust: 'host' }),
        makeApplication({ trust: 'user' }),
        makeApplication({ trust: 'dynamic', ownerId: null, confidential: false, clientSecretHash: null }),
      ];
      for (const app of apps) await expect(adapter().createApplication(app)).resolves.toEqual(app);
      for (const app of apps)
        await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toEqual(app);
    });

    it('a record without trust fields (from an older provider) reads as host without an owner, user with one', async () => {
      // What a provider version from before trust levels hands over during a rolling deploy.
      const legacy = (ownerId: string | null) => {
        const { trust: _trust, skipConsent: _skipConsent, ...old } = makeApplication({ ownerId });
        return old;
      };
      const hostOld = legacy(null);
      const userOld = legacy(randomUUID());
      for (const [old, trust] of [
        [hostOld, 'host'],
        [userOld, 'user'],
      ] as const) {
        const expected = { ...old, trust, skipConsent: false };
        // The contract's type has both fields; an older caller's record has neither.
        await expect(adapter().createApplication(old as typeof expected)).resolves.toEqual(expected);
        await expect(adapter().findApplicationById(old.id)).resolves.toEqual(expected);
        await expect(adapter().findApplicationByClientId(old.clientId)).resolves.toEqual(expected);
      }
      await expect(adapter().listApplicationsByOwner(userOld.ownerId ?? '')).resolves.toEqual([
        { ...userOld, trust: 'user', skipConsent: false },
      ]);
      const patched = await adapter().updateApplication(hostOld.id, {
        trust: 'first-party',
        skipConsent: true,
      });
      expect(patched).toEqual({ ...hostOld, trust: 'first-party', skipConsent: true });
    });

    it('finds nothing (null) for an unknown id or client id', async () => {
      await adapter().createApplication(makeApplication());
      await expect(adapter().findApplicationById(randomUUID())).resolves.toBeNull();
      await expect(adapter().findApplicationByClientId(`client-${randomUUID()}`)).resolves.toBeNull();
    });

    it('rejects a duplicate id and a duplicate clientId, keeping the original', async () => {
      const app = makeApplication();
      await adapter().createApplication(app);
      await expect(adapter().createApplication(makeApplication({ id: app.id }))).rejects.toBeDefined();
      const sameClientId = makeApplication({ clientId: app.clientId, name: 'Impostor' });
      await expect(adapter().createApplication(sameClientId)).rejects.toBeDefined();
      await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toEqual(app);
      await expect(adapter().findApplicationById(sameClientId.id)).resolves.toBeNull();
    });

    it('returns copies: mutating a returned or a given record never changes the store', async () => {
      const app = makeApplication();
      const expected = structuredClone(app);
      const created = await adapter().createApplication(app);
      app.name = 'changed after create';
      app.redirectUris.push('https://evil.example.com/');
      created.scopes.push('admin');
      created.createdAt.setTime(0);
      const found = await adapter().findApplicationById(expected.id);
      expect(found).toEqual(expected);
      if (found === null) return;
      found.redirectUris.length = 0;
      found.updatedAt.setTime(0);
      found.name = 'changed after find';
      await expect(adapter().findApplicationByClientId(expected.clientId)).resolves.toEqual(expected);
    });

    it('listApplicationsByOwner lists only that owner, oldest first', async () => {
      const ownerId = randomUUID();
      const middle = makeApplication({ ownerId, createdAt: at(20), updatedAt: at(20) });
      const newest = makeApplication({ ownerId, createdAt: at(30), updatedAt: at(30) });
      const oldest = makeApplication({ ownerId, createdAt: at(10), updatedAt: at(40) });
      for (const app of [middle, newest, makeApplication(), makeApplication({ ownerId: null }), oldest]) {
        await adapter().createApplication(app);
      }
      await expect(adapter().listApplicationsByOwner(ownerId)).resolves.toEqual([oldest, middle, newest]);
      await expect(adapter().listApplicationsByOwner(randomUUID())).resolves.toEqual([]);
    });

    it('updateApplication applies the patch, leaves other fields, and returns the result', async () => {
      const app = makeApplication();
      await adapter().createApplication(app);
      const patch = {
        name: 'Renamed',
        homepageUrl: 'https://renamed.example.com',
        redirectUris: ['https://renamed.example.com/cb'],
        scopes: ['gist'],
        clientSecretHash: randomHash(),
        updatedAt: at(60),
      };
      const expected = { ...app, ...patch };
      await expect(adapter().updateApplication(app.id, patch)).resolves.toEqual(expected);
      await expect(adapter().findApplicationById(app.id)).resolves.toEqual(expected);
      await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toEqual(expected);
    });

    it('updateApplication changes trust, skipConsent, and confidential with the secret hash', async () => {
      const app = makeApplication({
        ownerId: null,
        trust: 'host',
        confidential: false,
        clientSecretHash: null,
      });
      await adapter().createApplication(app);
      const patch = {
        trust: 'first-party' as const,
        skipConsent: true,
        confidential: true,
        clientSecretHash: randomHash(),
        updatedAt: at(90),
      };
      await expect(adapter().updateApplication(app.id, patch)).resolves.toEqual({ ...app, ...patch });
      await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toEqual({ ...app, ...patch });
    });

    it('updateApplication with a partial patch changes only the given fields', async () => {
      const app = makeApplication();
      await adapter().createApplication(app);
      const updated = await adapter().updateApplication(app.id, { name: 'Only the name' });
      expect(updated).toEqual({ ...app, name: 'Only the name' });
      if (updated !== null) updated.scopes.push('admin');
      await expect(adapter().updateApplication(app.id, {})).resolves.toEqual({
        ...app,
        name: 'Only the name',
      });
    });

    it('updateApplication returns null for an unknown id and creates nothing', async () => {
      const id = randomUUID();
      await expect(adapter().updateApplication(id, { name: 'Ghost' })).resolves.toBeNull();
      await expect(adapter().findApplicationById(id)).resolves.toBeNull();
    });

    it('deleteApplication removes it, then returns false', async () => {
      const app = makeApplication();
      await adapter().createApplication(app);
      await expect(adapter().deleteApplication(app.id)).resolves.toBe(true);
      await expect(adapter().findApplicationById(app.id)).resolves.toBeNull();
      await expect(adapter().findApplicationByClientId(app.clientId)).resolves.toBeNull();
      await expect(adapter().listApplicationsByOwner(app.ownerId ?? '')).resolves.toEqual([]);
      await expect(adapter().deleteApplication(app.id)).resolves.toBe(false);
      await expect(adapter().deleteApplication(randomUUID())).resolves.toBe(false);
    });

    it("deleteApplication deletes that application's grants and no others", async () => {
      const app = makeApplication();
      const other = makeApplication();
      await adapter().createApplication(app);
      await adapter().createApplication(other);
      const userId = randomUUID();
      const doomed = makeGrant({ userId, applicationId: app.id, createdAt: at(1), updatedAt: at(1) });
      const doomedToo = makeGrant({ applicationId: app.id });
      const kept = makeGrant({ userId, applicationId: other.id, createdAt: at(2), updatedAt: at(2) });
      for (const grant of [doomed, doomedToo, kept]) await adapter().saveGrant(grant);

      await adapter().deleteApplication(app.id);
      await expect(adapter().findGrant(userId, app.id)).resolves.toBeNull();
      await expect(adapter().findGrantById(doomed.id)).resolves.toBeNull();
      await expect(adapter().findGrantById(doomedToo.id)).resolves.toBeNull();
      await expect(adapter().listGrantsByUser(userId)).resolves.toEqual([kept]);
      await expect(adapter().findGrant(userId, other.id)).resolves.toEqual(kept);
    });
  });
}
