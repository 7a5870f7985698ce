/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { at, makeCode, makeToken, randomHash } from '../fixtures';
import { countBy, expectStoredToken, type GetAdapter } from './context';

const PARALLEL = 50;

/** consumeToken's outcomes, its grace window, and single use under concurrent calls. */
export function describeConsumeAndRaces(adapter: GetAdapter): void {
  describe('consumeToken', () => {
    it('consumes once: the first call gets the record as it was, later calls get replayed', async () => {
      const code = makeCode();
      await adapter().insertToken(code);
      await expect(adapter().consumeToken('code', code.hash, at(60), 0)).resolves.toEqual({
        outcome: 'consumed',
        record: code,
      });
      const consumed = { ...code, consumedAt: at(60) };
      await expect(adapter().findTokenByHash(code.hash)).resolves.toEqual(consumed);
      await expect(adapter().consumeToken('code', code.hash, at(61), 0)).resolves.toEqual({
        outcome: 'replayed',
        record: consumed,
      });
      await expect(adapter().consumeToken('code', code.hash, at(599), 0)).resolves.toEqual({
        outcome: 'replayed',
        record: consumed,
      });
    });

    it('consumes refresh tokens and device codes too', async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID(), expiresAt: null });
      const device = makeToken({ kind: 'device', expiresAt: at(900) });
      await adapter().insertToken(refresh);
      await adapter().insertToken(device);
      const first = await adapter().consumeToken('refresh', refresh.hash, at(7200), 0);
      expect(first).toEqual({ outcome: 'consumed', record: refresh });
      const second = await adapter().consumeToken('device', device.hash, at(30), 0);
      expect(second).toEqual({ outcome: 'consumed', record: device });
      await expect(adapter().findTokenByHash(device.hash)).resolves.toMatchObject({ consumedAt: at(30) });
    });

    it('returns null for an unknown hash', async () => {
      await adapter().insertToken(makeCode());
      await expect(adapter().consumeToken('code', randomHash(), at(1), 0)).resolves.toBeNull();
    });

    it('returns null when the kind does not match, and does not consume the record', async () => {
      const code = makeCode();
      await adapter().insertToken(code);
      await expect(adapter().consumeToken('refresh', code.hash, at(1), 0)).resolves.toBeNull();
      await expect(adapter().consumeToken('access', code.hash, at(1), 0)).resolves.toBeNull();
      await expect(adapter().findTokenByHash(code.hash)).resolves.toEqual(code);
      await expect(adapter().consumeToken('code', code.hash, at(2), 0)).resolves.toMatchObject({
        outcome: 'consumed',
      });
    });

    it('returns null when expired (expiresAt <= at), and does not consume the record', async () => {
      const code = makeCode({ expiresAt: at(600) });
      await adapter().insertToken(code);
      await expect(adapter().consumeToken('code', code.hash, at(600), 0)).resolves.toBeNull();
      await expect(adapter().consumeToken('code', code.hash, at(601), 0)).resolves.toBeNull();
      await expect(adapter().consumeToken('code', code.hash, at(599), 0)).resolves.toEqual({
        outcome: 'consumed',
        record: code,
      });
    });

    it('reports a revoked record as replayed, even within the grace window', async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID() });
      const code = makeCode();
      await adapter().insertToken(refresh);
      await adapter().insertToken(code);
      await adapter().revokeTokens({ id: refresh.id }, at(10));
      await expect(adapter().consumeToken('refresh', refresh.hash, at(20), 60_000)).resolves.toEqual({
        outcome: 'replayed',
        record: { ...refresh, revokedAt: at(10) },
      });
      await adapter().consumeToken('code', code.hash, at(30), 60_000);
      await adapter().revokeTokens({ id: code.id }, at(31));
      await expect(adapter().consumeToken('code', code.hash, at(32), 60_000)).resolves.toEqual({
        outcome: 'replayed',
        record: { ...code, consumedAt: at(30), revokedAt: at(31) },
      });
    });

    it('answers within_grace inside graceMs and replayed from then on', async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID(), expiresAt: at(86_400) });
      await adapter().insertToken(refresh);
      const graceMs = 10_000;
      await adapter().consumeToken('refresh', refresh.hash, at(100), graceMs);
      const consumed = { ...refresh, consumedAt: at(100) };
      const consume = (date: Date) => adapter().consumeToken('refresh', refresh.hash, date, graceMs);
      const justBefore = new Date(at(110).getTime() - 1);
      await expect(consume(at(100))).resolves.toEqual({ outcome: 'within_grace', record: consumed });
      await expect(consume(justBefore)).resolves.toEqual({ outcome: 'within_grace', record: consumed });
      await expect(consume(at(110))).resolves.toEqual({ outcome: 'replayed', record: consumed });
      await expect(consume(at(500))).resolves.toEqual({ outcome: 'replayed', record: consumed });
    });

    it('with graceMs 0, a second call at the same instant is replayed', async () => {
      const code = makeCode();
      await adapter().insertToken(code);
      await adapter().consumeToken('code', code.hash, at(5), 0);
      await expect(adapter().consumeToken('code', code.hash, at(5), 0)).resolves.toMatchObject({
        outcome: 'replayed',
      });
    });
  });

  describe('races', () => {
    it(`${PARALLEL} concurrent consumeToken calls on one code: exactly one consumed`, async () => {
      const code = makeCode();
      await adapter().insertToken(code);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () => adapter().consumeToken('code', code.hash, at(10), 0)),
      );
      expect(countBy(results, (result) => result?.outcome ?? 'null')).toEqual({
        consumed: 1,
        replayed: PARALLEL - 1,
      });
      const winner = results.find((result) => result?.outcome === 'consumed');
      expect(winner?.record).toEqual(code);
      await expectStoredToken(adapter(), code, { consumedAt: at(10) });
    });

    it(`${PARALLEL} concurrent consumeToken calls on one refresh token: exactly one consumed`, async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID(), expiresAt: null });
      await adapter().insertToken(refresh);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          adapter().consumeToken('refresh', refresh.hash, at(100 + i), 0),
        ),
      );
      expect(countBy(results, (result) => result?.outcome ?? 'null')).toEqual({
        consumed: 1,
        replayed: PARALLEL - 1,
      });
    });

    it(`${PARALLEL} concurrent calls with a grace window: one consumed, the rest within_grace`, async () => {
      const refresh = makeToken({ kind: 'refresh', familyId: randomUUID() });
      await adapter().insertToken(refresh);
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          adapter().consumeToken('refresh', refresh.hash, at(10), 60_000),
        ),
      );
      expect(countBy(results, (result) => result?.outcome ?? 'null')).toEqual({
        consumed: 1,
        within_grace: PARALLEL - 1,
      });
    });

    it(`${PARALLEL} concurrent revokeTokens of one id revoke it exactly once`, async () => {
      const token = makeToken();
      await adapter().insertToken(token);
      const counts = await Promise.all(
        Array.from({ length: PARALLEL }, () => adapter().revokeTokens({ id: token.id }, at(10))),
      );
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
      await expectStoredToken(adapter(), token, { revokedAt: at(10) });
    });
  });
}
