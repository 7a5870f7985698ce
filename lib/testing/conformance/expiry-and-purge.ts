/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { at, makeApplication, makeCode, makeGrant, makePersonalToken, makeToken } from '../fixtures';
import { expectStoredToken, type GetAdapter } from './context';

/** purgeExpired: what it deletes, what replay detection needs it to keep, and its count. */
export function describeExpiryAndPurge(adapter: GetAdapter): void {
  describe('purgeExpired', () => {
    it('deletes expired and revoked records, keeps the rest, and returns how many it deleted', async () => {
      const userId = randomUUID();
      const before = at(4000);
      const doomed = {
        expired: makeToken({ userId, expiresAt: at(3600) }),
        revoked: makeToken({ userId, expiresAt: at(10_000) }),
        consumedAndExpired: makeCode({ userId, expiresAt: at(600) }),
        revokedPersonal: makePersonalToken({ userId }),
      };
      const kept = {
        live: makeToken({ userId, expiresAt: at(7200) }),
        expiresExactlyAtBefore: makeToken({ userId, expiresAt: before }),
        revokedAfterBefore: makeToken({ userId, expiresAt: at(10_000) }),
        consumedNotExpired: makeToken({
          userId,
          kind: 'refresh',
          familyId: randomUUID(),
          expiresAt: at(86_400),
        }),
        neverExpires: makePersonalToken({ userId }),
        consumedNeverExpires: makeToken({ userId, kind: 'refresh', familyId: randomUUID(), expiresAt: null }),
      };
      for (const token of [...Object.values(doomed), ...Object.values(kept)])
        await adapter().insertToken(token);
      await adapter().revokeTokens({ id: doomed.revoked.id }, at(100));
      await adapter().revokeTokens({ id: doomed.revokedPersonal.id }, at(300));
      await adapter().revokeTokens({ id: kept.revokedAfterBefore.id }, at(5000));
      await adapter().consumeToken('code', doomed.consumedAndExpired.hash, at(60), 0);
      await adapter().consumeToken('refresh', kept.consumedNotExpired.hash, at(200), 0);
      await adapter().consumeToken('refresh', kept.consumedNeverExpires.hash, at(200), 0);

      await expect(adapter().purgeExpired(before)).resolves.toBe(4);
      for (const token of Object.values(doomed)) {
        await expect(adapter().findTokenByHash(token.hash)).resolves.toBeNull();
      }
      await expect(adapter().findTokenByHash(kept.live.hash)).resolves.toEqual(kept.live);
      await expect(adapter().findTokenByHash(kept.expiresExactlyAtBefore.hash)).resolves.toEqual(
        kept.expiresExactlyAtBefore,
      );
      await expectStoredToken(adapter(), kept.revokedAfterBefore, { revokedAt: at(5000) });
      await expectStoredToken(adapter(), kept.consumedNotExpired, { consumedAt: at(200) });
      await expect(adapter().findTokenByHash(kept.neverExpires.hash)).resolves.toEqual(kept.neverExpires);
      await expect(adapter().listTokens({ userId })).resolves.toHaveLength(5);
    });

    it('a consumed record kept by the purge is still reported as replayed', async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID(), expiresAt: at(86_400) });
      await adapter().insertToken(refresh);
      await adapter().consumeToken('refresh', refresh.hash, at(10), 0);
      await expect(adapter().purgeExpired(at(3600))).resolves.toBe(0);
      await expect(adapter().consumeToken('refresh', refresh.hash, at(3601), 0)).resolves.toEqual({
        outcome: 'replayed',
        record: { ...refresh, consumedAt: at(10) },
      });
    });

    it('a purged record is gone everywhere: find, list, consume, touch, revoke', async () => {
      const code = makeCode({ expiresAt: at(600) });
      await adapter().insertToken(code);
      await expect(adapter().purgeExpired(at(601))).resolves.toBe(1);
      await expect(adapter().findTokenByHash(code.hash)).resolves.toBeNull();
      await expect(adapter().listTokens({ id: code.id })).resolves.toEqual([]);
      await expect(adapter().consumeToken('code', code.hash, at(10), 0)).resolves.toBeNull();
      await expect(adapter().touchToken(code.id, at(10))).resolves.toBe(false);
      await expect(adapter().revokeTokens({ id: code.id }, at(10))).resolves.toBe(0);
    });

    it('returns 0 when nothing is due, and a second purge returns 0', async () => {
      const token = makeToken({ expiresAt: at(3600) });
      await adapter().insertToken(token);
      await expect(adapter().purgeExpired(at(3599))).resolves.toBe(0);
      await expect(adapter().purgeExpired(at(3601))).resolves.toBe(1);
      await expect(adapter().purgeExpired(at(3601))).resolves.toBe(0);
    });

    it('leaves applications and grants alone', async () => {
      const app = makeApplication({ createdAt: at(1), updatedAt: at(1) });
      const grant = makeGrant({ applicationId: app.id, createdAt: at(1), updatedAt: at(1) });
      await adapter().createApplication(app);
      await adapter().saveGrant(grant);
      await adapter().insertToken(makeToken({ applicationId: app.id, grantId: grant.id, expiresAt: at(60) }));
      await expect(adapter().purgeExpired(at(1_000_000))).resolves.toBe(1);
      await expect(adapter().findApplicationById(app.id)).resolves.toEqual(app);
      await expect(adapter().findGrantById(grant.id)).resolves.toEqual(grant);
    });
  });
}
