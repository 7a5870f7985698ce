/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { TokenRecord } from '../../storage/storage-adapter';
import { at, makeCode, makePersonalToken, makeToken, randomHash } from '../fixtures';
import { expectStoredToken, type GetAdapter } from './context';

/** insertToken, findTokenByHash, listTokens and touchToken. */
export function describeTokens(adapter: GetAdapter): void {
  describe('tokens', () => {
    it('insertToken stores every kind of record exactly as given; findTokenByHash finds it', async () => {
      const records: TokenRecord[] = [
        makeToken(),
        makeToken({ kind: 'refresh', familyId: randomUUID(), expiresAt: null, scopes: ['repo', 'gist'] }),
        makeCode({
          codeChallenge: 'plain-verifier-of-43-characters-at-least-xx',
          codeChallengeMethod: 'plain',
        }),
        makeCode({ redirectUri: null, codeChallenge: null, codeChallengeMethod: null }),
        makeToken({ kind: 'device', scopes: [] }),
        makePersonalToken({ expiresAt: at(86_400), lastUsedAt: at(5) }),
        makeToken({ userId: null, grantId: null }), // client_credentials
      ];
      for (const record of records) await expect(adapter().insertToken(record)).resolves.toBeUndefined();
      for (const record of records)
        await expect(adapter().findTokenByHash(record.hash)).resolves.toEqual(record);
    });

    it('findTokenByHash returns null for an unknown hash', async () => {
      await adapter().insertToken(makeToken());
      await expect(adapter().findTokenByHash(randomHash())).resolves.toBeNull();
    });

    it('rejects a duplicate id and a duplicate hash, keeping the original', async () => {
      const token = makeToken();
      await adapter().insertToken(token);
      const sameId = makeToken({ id: token.id });
      const sameHash = makeToken({ hash: token.hash, kind: 'refresh' });
      await expect(adapter().insertToken(sameId)).rejects.toBeDefined();
      await expect(adapter().insertToken(sameHash)).rejects.toBeDefined();
      await expect(adapter().findTokenByHash(token.hash)).resolves.toEqual(token);
      await expect(adapter().findTokenByHash(sameId.hash)).resolves.toBeNull();
      await expect(adapter().listTokens({ id: sameHash.id })).resolves.toEqual([]);
    });

    it('returns copies: mutating a returned or a given record never changes the store', async () => {
      const token = makeToken({ lastUsedAt: at(1) });
      const expected = structuredClone(token);
      await adapter().insertToken(token);
      token.scopes.push('admin');
      token.expiresAt?.setTime(0);
      const found = await adapter().findTokenByHash(expected.hash);
      expect(found).toEqual(expected);
      found?.scopes.push('admin');
      found?.createdAt.setTime(0);
      found?.lastUsedAt?.setTime(0);
      for (const listed of await adapter().listTokens({ userId: expected.userId ?? '' })) {
        listed.scopes.splice(0);
        listed.expiresAt?.setTime(0);
      }
      await expect(adapter().findTokenByHash(expected.hash)).resolves.toEqual(expected);
    });

    it('listTokens filters by each field, oldest first', async () => {
      const userId = randomUUID();
      const applicationId = randomUUID();
      const grantId = randomUUID();
      const familyId = randomUUID();
      const common = { userId, applicationId, grantId, familyId };
      const refresh = makeToken({ ...common, kind: 'refresh', createdAt: at(30), expiresAt: null });
      const access = makeToken({ ...common, createdAt: at(10) });
      const code = makeCode({ ...common, createdAt: at(20) });
      const otherUser = makeToken({ applicationId, grantId: randomUUID(), createdAt: at(5) });
      const personal = makePersonalToken({ userId, createdAt: at(40) });
      const stranger = makeToken();
      for (const record of [refresh, access, code, otherUser, personal, stranger])
        await adapter().insertToken(record);

      const list = adapter().listTokens.bind(adapter());
      await expect(list({ id: code.id })).resolves.toEqual([code]);
      await expect(list({ userId })).resolves.toEqual([access, code, refresh, personal]);
      await expect(list({ applicationId })).resolves.toEqual([otherUser, access, code, refresh]);
      await expect(list({ grantId })).resolves.toEqual([access, code, refresh]);
      await expect(list({ familyId })).resolves.toEqual([access, code, refresh]);
      await expect(list({ kind: 'personal', userId })).resolves.toEqual([personal]);
      await expect(list({ kind: 'access', applicationId })).resolves.toEqual([otherUser, access]);
    });

    it('listTokens combines fields with AND and returns [] when nothing matches', async () => {
      const userId = randomUUID();
      const applicationId = randomUUID();
      const mine = makeToken({ userId, applicationId });
      const sameAppOtherUser = makeToken({ applicationId, createdAt: at(1) });
      const sameUserOtherApp = makeToken({ userId, createdAt: at(2) });
      for (const record of [mine, sameAppOtherUser, sameUserOtherApp]) await adapter().insertToken(record);

      await expect(adapter().listTokens({ userId, applicationId })).resolves.toEqual([mine]);
      await expect(adapter().listTokens({ userId, applicationId, kind: 'access' })).resolves.toEqual([mine]);
      await expect(adapter().listTokens({ userId, applicationId, kind: 'refresh' })).resolves.toEqual([]);
      await expect(adapter().listTokens({ id: mine.id, userId: randomUUID() })).resolves.toEqual([]);
      await expect(adapter().listTokens({ userId: randomUUID() })).resolves.toEqual([]);
      await expect(adapter().listTokens({ id: randomUUID() })).resolves.toEqual([]);
    });

    it('listTokens leaves out revoked records but keeps consumed ones', async () => {
      const userId = randomUUID();
      const live = makeToken({ userId, createdAt: at(1) });
      const revoked = makeToken({ userId, createdAt: at(2) });
      const consumed = makeToken({ userId, kind: 'refresh', createdAt: at(3) });
      for (const record of [live, revoked, consumed]) await adapter().insertToken(record);
      await adapter().revokeTokens({ id: revoked.id }, at(10));
      await adapter().consumeToken('refresh', consumed.hash, at(10), 0);

      await expect(adapter().listTokens({ userId })).resolves.toEqual([
        live,
        { ...consumed, consumedAt: at(10) },
      ]);
      await expect(adapter().listTokens({ id: revoked.id })).resolves.toEqual([]);
    });

    it('touchToken sets lastUsedAt and nothing else; false for an unknown id', async () => {
      const token = makePersonalToken();
      await adapter().insertToken(token);
      await expect(adapter().touchToken(token.id, at(300))).resolves.toBe(true);
      await expectStoredToken(adapter(), token, { lastUsedAt: at(300) });
      await expect(adapter().touchToken(token.id, at(400))).resolves.toBe(true);
      await expectStoredToken(adapter(), token, { lastUsedAt: at(400) });
      await expect(adapter().touchToken(randomUUID(), at(300))).resolves.toBe(false);
    });

    it('findTokenByHash still returns revoked and consumed records, with their state', async () => {
      const revoked = makeToken();
      const consumed = makeCode();
      await adapter().insertToken(revoked);
      await adapter().insertToken(consumed);
      await adapter().revokeTokens({ id: revoked.id }, at(60));
      await adapter().consumeToken('code', consumed.hash, at(30), 0);
      await expectStoredToken(adapter(), revoked, { revokedAt: at(60) });
      await expectStoredToken(adapter(), consumed, { consumedAt: at(30) });
    });
  });
}
