/**
 * The core owns the purge (issue 13): every `purgeIntervalSeconds` (default 600) the provider
 * calls `adapter.purgeExpired`, for any adapter, one call at a time, on a timer that never keeps
 * the process alive and that `provider.close()` stops; `0` turns it off.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeToken } from '../../lib/testing';
import { interceptAdapter } from '../support/adapters';
import { fakeIntervals } from '../support/clock';
import { createTestHost } from '../support/test-host';
import { scaled } from '../support/time-scale';

/** Lets the purge the last tick started run to its end (real I/O, real time). */
async function settle(purges: { running: number }): Promise<void> {
  for (let i = 0; i < 200 && purges.running > 0; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
}

async function countingHost(purgeIntervalSeconds?: number, hold?: Promise<void>) {
  const purges = { calls: [] as Date[], running: 0, deleted: 0 };
  const t = await createTestHost({
    ...(purgeIntervalSeconds === undefined ? {} : { purgeIntervalSeconds }),
    wrapAdapter: (adapter) =>
      interceptAdapter(adapter, async (method, proceed) => {
        if (method !== 'purgeExpired') return proceed();
        purges.calls.push(new Date());
        purges.running += 1;
        try {
          await hold;
          const deleted = await proceed();
          purges.deleted += Number(deleted);
          return deleted;
        } finally {
          purges.running -= 1;
        }
      }),
  });
  return { t, purges };
}

describe('the provider purges expired records', () => {
  it('every 600 seconds by default, on any adapter, deleting what expired', async () => {
    fakeIntervals();
    const { t, purges } = await countingHost();
    const expired = makeToken({
      expiresAt: new Date(Date.now() - 60_000),
      createdAt: new Date(Date.now() - 120_000),
    });
    const live = makeToken({ createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000) });
    await t.adapter.insertToken(expired);
    await t.adapter.insertToken(live);
    jest.advanceTimersByTime(599_000);
    expect(purges.calls).toHaveLength(0);
    jest.advanceTimersByTime(1_000);
    expect(purges.calls).toHaveLength(1);
    await settle(purges);
    expect(purges.deleted).toBe(1);
    await expect(t.adapter.findTokenByHash(expired.hash)).resolves.toBeNull();
    await expect(t.adapter.findTokenByHash(live.hash)).resolves.toEqual(live);
    jest.advanceTimersByTime(600_000);
    expect(purges.calls).toHaveLength(2);
    await settle(purges);
  });

  it('never overlaps itself: a slow purge is not joined by the next tick', async () => {
    fakeIntervals();
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { purges } = await countingHost(10, hold);
    jest.advanceTimersByTime(10_000);
    jest.advanceTimersByTime(10_000);
    jest.advanceTimersByTime(10_000);
    expect(purges.calls).toHaveLength(1);
    release();
    await settle(purges);
    jest.advanceTimersByTime(10_000);
    expect(purges.calls).toHaveLength(2);
    await settle(purges);
  });

  it('stops on provider.close(), and never runs with purgeIntervalSeconds: 0', async () => {
    fakeIntervals();
    const closed = await countingHost(60);
    await closed.t.provider.close();
    const off = await countingHost(0);
    jest.advanceTimersByTime(24 * 3600 * 1000);
    expect(closed.purges.calls).toHaveLength(0);
    expect(off.purges.calls).toHaveLength(0);
  });

  it('a failed purge reaches onError, answers nothing to anyone, and the next tick tries again', async () => {
    fakeIntervals();
    let failures = 1;
    const t = await createTestHost({
      purgeIntervalSeconds: 5,
      wrapAdapter: (adapter) =>
        interceptAdapter(adapter, async (method, proceed) => {
          if (method === 'purgeExpired' && failures-- > 0) throw new Error('disk on fire');
          return proceed();
        }),
    });
    jest.advanceTimersByTime(5_000);
    for (let i = 0; i < 100 && t.errors.length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.errors.map(String)).toEqual(['Error: disk on fire']);
    jest.advanceTimersByTime(5_000);
    expect(failures).toBe(-1);
  });

  it('never keeps a process alive: a script that only creates a provider exits by itself', async () => {
    const script = `
      const { createProvider } = require('./lib');
      const { MemoryAdapter } = require('./adapters/memory');
      createProvider({ adapter: new MemoryAdapter({ purgeIntervalMs: 0 }), issuer: 'http://127.0.0.1', scopes: { a: { description: 'A' } },
        currentUser: () => null, loginUrl: '/login', purgeIntervalSeconds: 1 });
      console.log('created');`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      timeout: scaled(30_000),
    });
    expect(stdout.trim()).toBe('created');
  });
});
