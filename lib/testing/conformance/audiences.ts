/// <reference types="jest" />
import { at, makeCode, makeGrant, makeToken } from '../fixtures';
import type { GetAdapter } from './context';

const API = 'https://host.example/api';
const MCP = 'https://host.example/mcp';

/**
 * The `audience` of grants and tokens (RFC 8707 resource indicators): stored as given (order and
 * all), empty lists included, returned as copies, replaced by `saveGrant`, and carried by
 * `consumeToken`'s record.
 */
export function describeAudiences(adapter: GetAdapter): void {
  describe('audiences (RFC 8707)', () => {
    it('insertToken keeps the audience exactly: none, one, several in their order', async () => {
      const records = [
        makeToken({ audience: [] }),
        makeToken({ audience: [MCP] }),
        makeToken({ kind: 'refresh', audience: [MCP, API] }),
        makeCode({ audience: [API, MCP] }),
      ];
      for (const record of records) await adapter().insertToken(record);
      for (const record of records)
        await expect(adapter().findTokenByHash(record.hash)).resolves.toEqual(record);
      const [, , refresh] = records;
      await expect(adapter().listTokens({ id: refresh?.id })).resolves.toEqual([refresh]);
    });

    it('a returned audience is a copy: mutating it changes nothing stored', async () => {
      const token = makeToken({ audience: [MCP] });
      await adapter().insertToken(token);
      token.audience.push(API);
      const found = await adapter().findTokenByHash(token.hash);
      expect(found?.audience).toEqual([MCP]);
      found?.audience.push(API);
      await expect(adapter().findTokenByHash(token.hash)).resolves.toMatchObject({ audience: [MCP] });
    });

    it('consumeToken hands back the record with its audience', async () => {
      const code = makeCode({ audience: [MCP] });
      await adapter().insertToken(code);
      const result = await adapter().consumeToken('code', code.hash, at(1), 0);
      expect(result?.outcome).toBe('consumed');
      expect(result?.record.audience).toEqual([MCP]);
    });

    it('saveGrant stores the audience and replaces it on an existing pair, like scopes', async () => {
      const first = makeGrant({ audience: [API], createdAt: at(1), updatedAt: at(1) });
      await expect(adapter().saveGrant(first)).resolves.toEqual(first);
      const second = makeGrant({
        userId: first.userId,
        applicationId: first.applicationId,
        audience: [API, MCP],
        createdAt: at(5),
        updatedAt: at(5),
      });
      const saved = await adapter().saveGrant(second);
      expect(saved).toMatchObject({ id: first.id, audience: [API, MCP], updatedAt: at(5) });
      await expect(adapter().findGrantById(first.id)).resolves.toEqual(saved);
      const third = await adapter().saveGrant({ ...second, audience: [], updatedAt: at(6) });
      expect(third.audience).toEqual([]);
      await expect(adapter().listGrantsByUser(first.userId)).resolves.toEqual([third]);
    });
  });
}
