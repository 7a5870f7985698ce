/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { StorageAdapter } from '../../storage/storage-adapter';
import { at, makeApplication, makeCode, makeGrant, makeToken, randomHash } from '../fixtures';
import type { GetAdapter } from './context';

/**
 * Ids that sort in the opposite order of their insertion, so an adapter that breaks ties of equal
 * `createdAt` by id (or by hash, or not at all) cannot pass by luck.
 */
function descendingIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${String(count - i).padStart(3, '0')}-${randomUUID()}`);
}

const ids = (records: { id: string }[]) => records.map((record) => record.id);

/**
 * The answers `storage-adapter.ts` gives to the questions its first outside adapter author had to
 * guess at: tie order, date precision, `undefined` in patches and filters, what `saveGrant` keeps,
 * the grace and expiry boundaries, and exact (case- and space-sensitive) look-ups.
 */
export function describeContractDetails(adapter: GetAdapter): void {
  describe('contract details', () => {
    it('lists break ties of equal createdAt by insertion order (applications, grants, tokens)', async () => {
      const ownerId = randomUUID();
      const userId = randomUUID();
      const apps = descendingIds(6).map((id) => makeApplication({ id, ownerId, createdAt: at(5) }));
      const grants = descendingIds(6).map((id) => makeGrant({ id, userId, createdAt: at(5) }));
      const tokens = descendingIds(6).map((id) => makeToken({ id, userId, createdAt: at(5) }));
      const first = makeToken({ userId, createdAt: at(1) });
      const store: StorageAdapter = adapter();
      for (const app of apps) await store.createApplication(app);
      for (const grant of grants) await store.saveGrant(grant);
      await store.insertToken(tokens[0] ?? first);
      await store.insertToken(first);
      for (const token of tokens.slice(1)) await store.insertToken(token);
      expect(ids(await store.listApplicationsByOwner(ownerId))).toEqual(ids(apps));
      expect(ids(await store.listGrantsByUser(userId))).toEqual(ids(grants));
      expect(ids(await store.listTokens({ userId }))).toEqual([first.id, ...ids(tokens)]);
    });

    it('a grant saved again keeps its place in the order (it is the same grant)', async () => {
      const userId = randomUUID();
      const [a, b] = descendingIds(2).map((id) => makeGrant({ id, userId, createdAt: at(5) }));
      if (a === undefined || b === undefined) throw new Error('two grants');
      await adapter().saveGrant(a);
      await adapter().saveGrant(b);
      await adapter().saveGrant({ ...a, id: randomUUID(), scopes: ['gist'], updatedAt: at(9) });
      expect(ids(await adapter().listGrantsByUser(userId))).toEqual([a.id, b.id]);
    });

    it('a look-up by a key with a NUL character finds nothing and does not fail', async () => {
      // Request parameters reach storage as given (`client_id=%00…`); PostgreSQL's text cannot
      // even compare with NUL, and a throw here would read as an outage (503) instead of a 4xx.
      const key = `x\u0000${randomUUID()}`;
      const store: StorageAdapter = adapter();
      expect(await store.findApplicationById(key)).toBeNull();
      expect(await store.findApplicationByClientId(key)).toBeNull();
      expect(await store.listApplicationsByOwner(key)).toEqual([]);
      expect(await store.updateApplication(key, { name: 'x', updatedAt: at(1) })).toBeNull();
      expect(await store.deleteApplication(key)).toBe(false);
      expect(await store.findGrant(key, key)).toBeNull();
      expect(await store.findGrantById(key)).toBeNull();
      expect(await store.listGrantsByUser(key)).toEqual([]);
      expect(await store.deleteGrant(key)).toBe(false);
      expect(await store.touchGrant(key, at(1))).toBe(false);
      expect(await store.findTokenByHash(key)).toBeNull();
      expect(await store.listTokens({ userId: key })).toEqual([]);
      expect(await store.revokeTokens({ grantId: key }, at(1))).toBe(0);
      expect(await store.consumeToken('code', key, at(1), 0)).toBeNull();
      expect(await store.touchToken(key, at(1))).toBe(false);
    });

    it('keeps dates to the millisecond', async () => {
      const created = new Date(at(1).getTime() + 123);
      const expires = new Date(at(3600).getTime() + 999);
      const used = new Date(at(7).getTime() + 1);
      const token = makeToken({ createdAt: created, expiresAt: expires, lastUsedAt: used });
      await adapter().insertToken(token);
      const found = await adapter().findTokenByHash(token.hash);
      expect(found?.createdAt.getTime()).toBe(created.getTime());
      expect(found?.expiresAt?.getTime()).toBe(expires.getTime());
      expect(found?.lastUsedAt?.getTime()).toBe(used.getTime());
      const app = makeApplication({ createdAt: created, updatedAt: new Date(created.getTime() + 1) });
      await adapter().createApplication(app);
      await expect(adapter().findApplicationById(app.id)).resolves.toEqual(app);
      // Consumption compares at millisecond precision: one millisecond before expiry still works.
      const code = makeCode({ expiresAt: expires });
      await adapter().insertToken(code);
      const justBefore = new Date(expires.getTime() - 1);
      await expect(adapter().consumeToken('code', code.hash, expires, 0)).resolves.toBeNull();
      await expect(adapter().consumeToken('code', code.hash, justBefore, 0)).resolves.toMatchObject({
        outcome: 'consumed',
      });
    });

    it('updateApplication: a patch key set to undefined is absent (unchanged); null is a value', async () => {
      const app = makeApplication();
      await adapter().createApplication(app);
      const updated = await adapter().updateApplication(app.id, {
        name: undefined,
        homepageUrl: undefined,
        scopes: ['gist'],
      });
      expect(updated).toEqual({ ...app, scopes: ['gist'] });
      await expect(adapter().updateApplication(app.id, { name: undefined })).resolves.toEqual(updated);
      const cleared = await adapter().updateApplication(app.id, { clientSecretHash: null, updatedAt: at(9) });
      expect(cleared).toEqual({ ...app, scopes: ['gist'], clientSecretHash: null, updatedAt: at(9) });
      await expect(adapter().findApplicationById(app.id)).resolves.toEqual(cleared);
    });

    it('listTokens: a filter field set to undefined is absent', async () => {
      const grantId = randomUUID();
      const token = makeToken({ grantId });
      await adapter().insertToken(token);
      await adapter().insertToken(makeToken());
      await expect(adapter().listTokens({ grantId, userId: undefined, kind: undefined })).resolves.toEqual([
        token,
      ]);
    });

    it('saveGrant on an existing pair keeps its lastUsedAt, whatever the new record says', async () => {
      const first = makeGrant({ createdAt: at(10), updatedAt: at(10) });
      await adapter().saveGrant(first);
      await adapter().touchGrant(first.id, at(20));
      const again = { ...first, id: randomUUID(), scopes: ['gist'], updatedAt: at(30), lastUsedAt: null };
      const saved = await adapter().saveGrant(again);
      expect(saved).toEqual({ ...first, scopes: ['gist'], updatedAt: at(30), lastUsedAt: at(20) });
      await expect(adapter().findGrantById(first.id)).resolves.toEqual(saved);
      // A new grant is stored with the lastUsedAt it was given.
      const fresh = makeGrant({ lastUsedAt: at(3) });
      await expect(adapter().saveGrant(fresh)).resolves.toEqual(fresh);
    });

    it('saveGrant refuses an id that belongs to the grant of another pair', async () => {
      const grant = makeGrant();
      await adapter().saveGrant(grant);
      await expect(adapter().saveGrant(makeGrant({ id: grant.id }))).rejects.toBeDefined();
      await expect(adapter().findGrantById(grant.id)).resolves.toEqual(grant);
    });

    it('grace window: elapsed < graceMs is within_grace, elapsed = graceMs is replayed', async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID(), expiresAt: null });
      await adapter().insertToken(refresh);
      await adapter().consumeToken('refresh', refresh.hash, at(100), 1);
      const consumed = { ...refresh, consumedAt: at(100) };
      await expect(adapter().consumeToken('refresh', refresh.hash, at(100), 1)).resolves.toEqual({
        outcome: 'within_grace',
        record: consumed,
      });
      const oneMsLater = new Date(at(100).getTime() + 1);
      await expect(adapter().consumeToken('refresh', refresh.hash, oneMsLater, 1)).resolves.toEqual({
        outcome: 'replayed',
        record: consumed,
      });
    });

    it('consumeToken: an expired record is null even when it is also revoked or consumed', async () => {
      const revoked = makeCode({ expiresAt: at(600) });
      const consumed = makeCode({ expiresAt: at(600) });
      await adapter().insertToken(revoked);
      await adapter().insertToken(consumed);
      await adapter().revokeTokens({ id: revoked.id }, at(10));
      await adapter().consumeToken('code', consumed.hash, at(10), 0);
      await expect(adapter().consumeToken('code', revoked.hash, at(600), 60_000)).resolves.toBeNull();
      await expect(adapter().consumeToken('code', consumed.hash, at(700), 0)).resolves.toBeNull();
    });

    it('look-ups are exact: letter case and trailing spaces make a different key', async () => {
      const app = makeApplication({ clientId: `Client-${randomUUID()}` });
      await adapter().createApplication(app);
      await expect(adapter().findApplicationByClientId(app.clientId.toLowerCase())).resolves.toBeNull();
      await expect(adapter().findApplicationByClientId(`${app.clientId} `)).resolves.toBeNull();
      const token = makeToken({ hash: randomHash() });
      await adapter().insertToken(token);
      await expect(adapter().findTokenByHash(token.hash.toUpperCase())).resolves.toBeNull();
      await expect(adapter().findTokenByHash(`${token.hash} `)).resolves.toBeNull();
      await expect(adapter().findTokenByHash(token.hash)).resolves.toEqual(token);
    });
  });
}
