/// <reference types="jest" />
import { randomBytes } from 'node:crypto';
import type { ApplicationRecord } from '../../storage/storage-adapter';
import { at, makeApplication } from '../fixtures';
import type { GetAdapter } from './context';

const ids = (records: readonly ApplicationRecord[]): string[] => records.map((record) => record.id);

/** listApplications: every application, by (createdAt, id), a page at a time. */
export function describeApplicationPages(adapter: GetAdapter): void {
  describe('listApplications', () => {
    it('lists every application, host-created ones included, oldest first, at most `limit`', async () => {
      const owned = makeApplication({ createdAt: at(20), updatedAt: at(20) });
      const hostCreated = makeApplication({ ownerId: null, createdAt: at(10), updatedAt: at(50) });
      const newest = makeApplication({ createdAt: at(30), updatedAt: at(30) });
      for (const app of [owned, newest, hostCreated]) await adapter().createApplication(app);
      await expect(adapter().listApplications({ limit: 10 })).resolves.toEqual([hostCreated, owned, newest]);
      expect(ids(await adapter().listApplications({ limit: 2 }))).toEqual([hostCreated.id, owned.id]);
      await expect(adapter().listApplications({ limit: 1 })).resolves.toEqual([hostCreated]);
    });

    it('breaks ties of equal createdAt by id as binary strings (not a language collation), not by insertion', async () => {
      // Binary order: "A" < "B" < "a"; "-" < "_". A case-insensitive collation would mix them.
      const run = randomBytes(4).toString('hex');
      const tied = ['a_1', 'B-1', 'a-2', 'A-3'].map((suffix) =>
        makeApplication({ id: `${run}${suffix}`, createdAt: at(5), updatedAt: at(5) }),
      );
      for (const app of tied) await adapter().createApplication(app);
      const later = makeApplication({ id: `${run}0`, createdAt: at(6), updatedAt: at(6) });
      await adapter().createApplication(later);
      expect(ids(await adapter().listApplications({ limit: 10 }))).toEqual([
        `${run}A-3`,
        `${run}B-1`,
        `${run}a-2`,
        `${run}a_1`,
        later.id,
      ]);
    });

    it('starts strictly after the cursor, so paging visits every application once', async () => {
      const run = randomBytes(4).toString('hex');
      const apps = [3, 1, 2, 2, 2, 4, 1].map((second, i) =>
        makeApplication({ id: `${run}-${i}`, createdAt: at(second), updatedAt: at(second) }),
      );
      for (const app of apps) await adapter().createApplication(app);
      const seen: string[] = [];
      let after: { createdAt: Date; id: string } | undefined;
      for (let page = 0; page < 10; page += 1) {
        const batch = await adapter().listApplications(
          after === undefined ? { limit: 2 } : { limit: 2, after },
        );
        expect(batch.length).toBeLessThanOrEqual(2);
        if (batch.length === 0) break;
        seen.push(...ids(batch));
        const last = batch[batch.length - 1];
        if (last === undefined) break;
        after = { createdAt: last.createdAt, id: last.id };
      }
      const expected = [...apps]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .map((app) => app.id);
      expect(seen).toEqual(expected);
    });

    it('pages by position: a cursor whose application was deleted still continues after it', async () => {
      const first = makeApplication({ createdAt: at(1), updatedAt: at(1) });
      const second = makeApplication({ createdAt: at(2), updatedAt: at(2) });
      const third = makeApplication({ createdAt: at(3), updatedAt: at(3) });
      for (const app of [first, second, third]) await adapter().createApplication(app);
      await adapter().deleteApplication(second.id);
      const after = { createdAt: second.createdAt, id: second.id };
      await expect(adapter().listApplications({ limit: 5, after })).resolves.toEqual([third]);
      const end = { createdAt: third.createdAt, id: third.id };
      await expect(adapter().listApplications({ limit: 5, after: end })).resolves.toEqual([]);
    });

    it('lists nothing (an empty array) from an empty store', async () => {
      await expect(adapter().listApplications({ limit: 5 })).resolves.toEqual([]);
    });
  });
}
