/**
 * The paired measurement behind `bench/sql-scale.ts`'s scale figure: if it always asked one
 * server first, or gave one server more requests, the ratio would carry that bias. Two local
 * servers record the order in which each request group reaches them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pairedSlice, quantile, summarize } from '../../bench/paired';

interface Recorder {
  server: Server;
  port: number;
}

async function recorder(name: string, arrivals: string[]): Promise<Recorder> {
  const server = createServer((req, res) => {
    arrivals.push(`${name} ${req.headers.authorization}`);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('pairedSlice', () => {
  const arrivals: string[] = [];
  let a: Recorder;
  let b: Recorder;
  beforeAll(async () => {
    a = await recorder('a', arrivals);
    b = await recorder('b', arrivals);
  });
  afterAll(async () => {
    for (const { server } of [a, b]) await new Promise((resolve) => server.close(resolve));
  });

  it('asks every target once per group with the same token index, each first in half of the groups', async () => {
    arrivals.length = 0;
    const tokens = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];
    const latencies = await pairedSlice(
      [
        { label: 'a', port: a.port, tokens },
        { label: 'b', port: b.port, tokens },
      ],
      // One worker, so arrivals come in group order; bounded by count (the time limit is far away).
      { workers: 1, seconds: 600, groups: 40 },
    );
    expect(latencies.byTarget.map((list) => list.length)).toEqual([40, 40]);
    expect(latencies.byPosition.map((list) => list.length)).toEqual([40, 40]);
    const pairs = Array.from({ length: 40 }, (_, group) => arrivals.slice(group * 2, group * 2 + 2));
    for (const [group, pair] of pairs.entries()) {
      const token = `Bearer t${group % tokens.length}`;
      expect(pair.sort()).toEqual([`a ${token}`, `b ${token}`]);
    }
    const firsts = Array.from({ length: 40 }, (_, group) => arrivals[group * 2]?.split(' ')[0]);
    expect(firsts.filter((name) => name === 'a')).toHaveLength(20);
    expect(firsts.filter((name) => name === 'b')).toHaveLength(20);
  });

  it('starts neighbouring workers on different targets, even with an even number of workers', async () => {
    arrivals.length = 0;
    // Four workers, one group each (worker w takes group w, whose token is t<w>).
    const tokens = ['t0', 't1', 't2', 't3'];
    await pairedSlice(
      [
        { label: 'a', port: a.port, tokens },
        { label: 'b', port: b.port, tokens },
      ],
      { workers: 4, seconds: 600, groups: 4 },
    );
    const firstTarget = (token: string) =>
      arrivals.find((arrival) => arrival.endsWith(`Bearer ${token}`))?.split(' ')[0];
    expect(tokens.map(firstTarget)).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('quantile and summarize', () => {
  it('interpolates between ranks and reports the IQR', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([7], 0.75)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
    expect(summarize([1, 2, 3, 4, 5])).toEqual({ median: 3, q1: 2, q3: 4, min: 1, max: 5, n: 5 });
  });
});
