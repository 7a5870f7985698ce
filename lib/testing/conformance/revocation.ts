/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { StorageAdapter, TokenFilter, TokenRecord } from '../../storage/storage-adapter';
import { at, makeCode, makePersonalToken, makeToken } from '../fixtures';
import { expectStoredToken, type GetAdapter } from './context';

/**
 * Two users (`u`, `v`), two applications (`a`, `b`) and the tokens that cascade revocation
 * must tell apart: two families in grant `g1` (u × a), other grants, a personal token and a
 * client_credentials token.
 */
async function seedWorld(adapter: StorageAdapter) {
  const [u, v, a, b, g1, g2, g3, f2] = Array.from({ length: 8 }, () => randomUUID());
  const mine = { userId: u, applicationId: a, grantId: g1 };
  const code = makeCode({ ...mine, createdAt: at(1) });
  const tokens = {
    code,
    access1: makeToken({ ...mine, familyId: code.id, createdAt: at(2) }),
    refresh1: makeToken({ ...mine, kind: 'refresh', familyId: code.id, expiresAt: null, createdAt: at(3) }),
    refresh2: makeToken({ ...mine, kind: 'refresh', familyId: f2, expiresAt: null, createdAt: at(4) }),
    otherUser: makeToken({ userId: v, applicationId: a, grantId: g2, createdAt: at(5) }),
    otherApp: makeToken({ userId: u, applicationId: b, grantId: g3, createdAt: at(6) }),
    personal: makePersonalToken({ userId: u, createdAt: at(7) }),
    clientCredentials: makeToken({ userId: null, applicationId: a, grantId: null, createdAt: at(8) }),
  } satisfies Record<string, TokenRecord>;
  for (const token of Object.values(tokens)) await adapter.insertToken(token);
  return { ids: { u, v, a, b, g1, f2, family1: code.id }, tokens };
}

type World = Awaited<ReturnType<typeof seedWorld>>;
type Name = keyof World['tokens'];

const CASES: { label: string; filter: (ids: World['ids']) => TokenFilter; revoked: Name[] }[] = [
  {
    label: 'grantId',
    filter: ({ g1 }) => ({ grantId: g1 }),
    revoked: ['code', 'access1', 'refresh1', 'refresh2'],
  },
  {
    label: 'applicationId',
    filter: ({ a }) => ({ applicationId: a }),
    revoked: ['code', 'access1', 'refresh1', 'refresh2', 'otherUser', 'clientCredentials'],
  },
  {
    label: 'userId',
    filter: ({ u }) => ({ userId: u }),
    revoked: ['code', 'access1', 'refresh1', 'refresh2', 'otherApp', 'personal'],
  },
  {
    label: 'familyId',
    filter: ({ family1 }) => ({ familyId: family1 }),
    revoked: ['code', 'access1', 'refresh1'],
  },
  { label: 'kind + userId', filter: ({ u }) => ({ kind: 'personal', userId: u }), revoked: ['personal'] },
  {
    label: 'kind + applicationId',
    filter: ({ a }) => ({ kind: 'access', applicationId: a }),
    revoked: ['access1', 'otherUser', 'clientCredentials'],
  },
  {
    label: 'kind + grantId',
    filter: ({ g1 }) => ({ kind: 'refresh', grantId: g1 }),
    revoked: ['refresh1', 'refresh2'],
  },
  {
    label: 'userId + applicationId',
    filter: ({ u, a }) => ({ userId: u, applicationId: a }),
    revoked: ['code', 'access1', 'refresh1', 'refresh2'],
  },
  { label: 'userId + familyId', filter: ({ v, family1 }) => ({ userId: v, familyId: family1 }), revoked: [] },
];

/** Asserts exactly `revoked` carry `revokedAt: when`, and every other seeded token is untouched. */
async function expectRevoked(
  adapter: StorageAdapter,
  world: World,
  revoked: Name[],
  when: Date,
): Promise<void> {
  const revokedIds = new Set(revoked.map((name) => world.tokens[name].id));
  for (const token of Object.values(world.tokens)) {
    const revokedAt = revokedIds.has(token.id) ? when : null;
    await expect(adapter.findTokenByHash(token.hash)).resolves.toEqual({ ...token, revokedAt });
  }
}

/** revokeTokens: every filter field and combination, counts, idempotence, and the empty filter. */
export function describeRevocation(adapter: GetAdapter): void {
  describe('revokeTokens', () => {
    it('revokes one record by id and returns 1', async () => {
      const world = await seedWorld(adapter());
      await expect(adapter().revokeTokens({ id: world.tokens.access1.id }, at(100))).resolves.toBe(1);
      await expectRevoked(adapter(), world, ['access1'], at(100));
    });

    for (const { label, filter, revoked } of CASES) {
      it(`revokes by ${label} and returns how many it changed (${revoked.length})`, async () => {
        const world = await seedWorld(adapter());
        await expect(adapter().revokeTokens(filter(world.ids), at(100))).resolves.toBe(revoked.length);
        await expectRevoked(adapter(), world, revoked, at(100));
      });
    }

    it('a second identical revoke returns 0 and keeps the first revokedAt', async () => {
      const world = await seedWorld(adapter());
      await expect(adapter().revokeTokens({ grantId: world.ids.g1 }, at(100))).resolves.toBe(4);
      await expect(adapter().revokeTokens({ grantId: world.ids.g1 }, at(200))).resolves.toBe(0);
      await expectRevoked(adapter(), world, ['code', 'access1', 'refresh1', 'refresh2'], at(100));
    });

    it('counts only records not revoked yet when filters overlap', async () => {
      const world = await seedWorld(adapter());
      await expect(adapter().revokeTokens({ familyId: world.ids.family1 }, at(100))).resolves.toBe(3);
      await expect(adapter().revokeTokens({ grantId: world.ids.g1 }, at(200))).resolves.toBe(1);
      const { refresh1, refresh2 } = world.tokens;
      await expectStoredToken(adapter(), refresh1, { revokedAt: at(100) });
      await expectStoredToken(adapter(), refresh2, { revokedAt: at(200) });
      await expect(adapter().listTokens({ grantId: world.ids.g1 })).resolves.toEqual([]);
    });

    it('returns 0 when nothing matches', async () => {
      const world = await seedWorld(adapter());
      await expect(adapter().revokeTokens({ id: randomUUID() }, at(100))).resolves.toBe(0);
      await expect(adapter().revokeTokens({ userId: randomUUID() }, at(100))).resolves.toBe(0);
      await expect(adapter().revokeTokens({ grantId: world.ids.g1, kind: 'device' }, at(100))).resolves.toBe(
        0,
      );
      await expectRevoked(adapter(), world, [], at(100));
    });

    it('rejects an empty filter instead of revoking everything', async () => {
      const world = await seedWorld(adapter());
      await expect(adapter().revokeTokens({}, at(100))).rejects.toBeDefined();
      await expectRevoked(adapter(), world, [], at(100));
    });

    it('rejects a filter whose fields are all undefined, as an empty one', async () => {
      const world = await seedWorld(adapter());
      const filter: TokenFilter = { userId: undefined, grantId: undefined };
      await expect(adapter().revokeTokens(filter, at(100))).rejects.toBeDefined();
      await expectRevoked(adapter(), world, [], at(100));
    });
  });
}
