/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import type { ResourceSelection, TokenRecord } from '../../storage/storage-adapter';
import { at, makeGrant, makeToken } from '../fixtures';
import type { GetAdapter } from './context';

/** Lists compared as sets: the contract lets an adapter keep ids in any order. */
function sorted(selection: ResourceSelection | null): ResourceSelection | null {
  if (selection === null) return null;
  return Object.fromEntries(Object.entries(selection).map(([scope, ids]) => [scope, [...ids].sort()]));
}

async function selectionOf(adapter: GetAdapter, token: TokenRecord): Promise<ResourceSelection | null> {
  const found = await adapter().findTokenByHash(token.hash);
  if (found === null) throw new Error(`token ${token.id} went missing`);
  return sorted(found.resourceSelection);
}

/** `resourceSelection` on grants and tokens, and `restrictTokens` (narrowing, atomic per record). */
export function describeResourceSelections(adapter: GetAdapter): void {
  describe('resource selections', () => {
    it('a grant and a token keep their resourceSelection, null or chosen ids, scope names with dots and colons', async () => {
      const selection = { repo: ['alice/notes', 'alice/plans'], 'repo:read.v2': ['alice/notes'] };
      const grant = makeGrant({ resourceSelection: selection });
      await adapter().saveGrant(grant);
      expect(sorted((await adapter().findGrantById(grant.id))?.resourceSelection ?? null)).toEqual(selection);
      const token = makeToken({ resourceSelection: selection });
      await adapter().insertToken(token);
      expect(await selectionOf(adapter, token)).toEqual(selection);
      const open = makeToken();
      await adapter().insertToken(open);
      expect(await selectionOf(adapter, open)).toBeNull();
      expect((await adapter().listTokens({ id: token.id }))[0]?.resourceSelection).not.toBeNull();
    });

    it('saveGrant on an existing pair replaces resourceSelection (narrower or back to null)', async () => {
      const first = makeGrant({ resourceSelection: null });
      await adapter().saveGrant(first);
      const narrowed = await adapter().saveGrant({
        ...first,
        resourceSelection: { repo: ['alice/notes'] },
        updatedAt: at(5),
      });
      expect(narrowed.resourceSelection).toEqual({ repo: ['alice/notes'] });
      const widened = await adapter().saveGrant({
        ...first,
        id: randomUUID(),
        resourceSelection: null,
        updatedAt: at(6),
      });
      expect(widened.id).toBe(first.id);
      expect(widened.resourceSelection).toBeNull();
    });

    it('restrictTokens intersects each matching live record: unrestricted takes the narrowing, restricted keeps the common ids, other scopes stay', async () => {
      const grantId = randomUUID();
      const open = makeToken({ grantId, resourceSelection: null });
      const chosen = makeToken({
        grantId,
        resourceSelection: { repo: ['alice/notes', 'alice/plans'], gist: ['g1'] },
      });
      const elsewhere = makeToken({ resourceSelection: null });
      const revoked = makeToken({ grantId, resourceSelection: null });
      for (const token of [open, chosen, elsewhere, revoked]) await adapter().insertToken(token);
      await adapter().revokeTokens({ id: revoked.id }, at(1));
      const count = await adapter().restrictTokens(
        { grantId },
        { repo: ['alice/plans', 'alice/hello-world'] },
      );
      expect(count).toBe(2);
      expect(await selectionOf(adapter, open)).toEqual({ repo: ['alice/hello-world', 'alice/plans'] });
      expect(await selectionOf(adapter, chosen)).toEqual({ repo: ['alice/plans'], gist: ['g1'] });
      expect(await selectionOf(adapter, elsewhere)).toBeNull();
      expect(await selectionOf(adapter, revoked)).toBeNull();
    });

    it('restrictTokens never widens: narrowing to ids a token does not have leaves it with none', async () => {
      const token = makeToken({ resourceSelection: { repo: ['alice/notes'] } });
      await adapter().insertToken(token);
      await adapter().restrictTokens({ id: token.id }, { repo: ['alice/plans'] });
      expect(await selectionOf(adapter, token)).toEqual({ repo: [] });
    });

    it('restrictTokens refuses an empty filter and matches nothing for unknown keys', async () => {
      await expect(adapter().restrictTokens({}, { repo: [] })).rejects.toThrow();
      await expect(adapter().restrictTokens({ grantId: undefined }, { repo: [] })).rejects.toThrow();
      await expect(adapter().restrictTokens({ grantId: randomUUID() }, { repo: [] })).resolves.toBe(0);
    });

    it('concurrent restrictTokens of one record lose no narrowing (atomic per record)', async () => {
      const token = makeToken({ resourceSelection: null });
      await adapter().insertToken(token);
      const all = ['a', 'b', 'c', 'd', 'e', 'f'];
      // Each call removes one id; together they must leave exactly the ids none removed.
      await Promise.all(
        all
          .slice(0, 4)
          .map((dropped) =>
            adapter().restrictTokens({ id: token.id }, { repo: all.filter((id) => id !== dropped) }),
          ),
      );
      expect(await selectionOf(adapter, token)).toEqual({ repo: ['e', 'f'] });
    });

    it('a token touched while it is narrowed keeps the narrowing', async () => {
      const token = makeToken({ resourceSelection: null });
      await adapter().insertToken(token);
      await Promise.all([
        adapter().touchToken(token.id, at(2)),
        adapter().restrictTokens({ id: token.id }, { repo: ['alice/notes'] }),
        adapter().touchToken(token.id, at(3)),
      ]);
      expect(await selectionOf(adapter, token)).toEqual({ repo: ['alice/notes'] });
    });
  });
}
