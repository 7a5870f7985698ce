/**
 * The SQL adapter on PostgreSQL as the store grows (issue 15 point 7), part of `npm run bench`
 * (it needs `npm run build` first: the bench servers run the built package).
 *
 * Three bench servers (bench-server.ts with DATABASE_URL), each on its own database in one
 * PostgreSQL cluster, each holding the 1,000 access tokens it issued itself through the provider:
 * - `1,000,000 stored`: 999,000 more tokens of other users in `oauth_tokens`, seeded in bulk;
 * - `1,000 stored`: the same 999,000 rows, seeded by the same statement, in `bench_padding`, a
 *   table nothing reads — so both databases have the same size and the same write history;
 * - `1,000 stored (twin)`: a second, identical `1,000 stored`, the control: whatever the harness
 *   itself makes of two servers that do not differ shows in the twin's ratio.
 * All three are vacuumed and analysed, then warmed (every token once on every server, then one
 * discarded slice), and the plans of the guard's queries are printed (an index scan on both).
 *
 * Scale: the guard's latency, measured paired (bench/paired.ts: every worker asks each server in
 * turn, the order rotating per request group), in many short slices; the figure is the per-slice
 * ratio of mean latency, million-token store over thousand-token store, as median and IQR.
 * "Within 10%" means that ratio is between 0.90 and 1.10 (the million-token store neither 10%
 * slower nor 10% faster; 1/1.10 = 0.91 and 1/0.90 = 1.11 the other way up).
 *
 * Then, against bare Express on the same server: the guard (GET with a rotating token) over a
 * bare GET, and the token endpoint (client_credentials over Basic) over a bare POST, with
 * autocannon in short adjacent pairs whose order alternates, as per-round ratios of req/s and of
 * server CPU per request (median and IQR). The token rounds run last: each stores new tokens.
 *
 * PostgreSQL: a throwaway cluster (test/support/postgres-server.ts) unless DATABASE_URL names a
 * server (a role that may create databases). Knobs: BENCH_SLICES (40) × BENCH_SLICE_SECONDS (3),
 * BENCH_ROUNDS (5) × BENCH_SECONDS (3), BENCH_CONNECTIONS (10), BENCH_SCALE_LARGE (1,000,000),
 * BENCH_CONTROL (1; 0 leaves out the twin).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createDatabase, type PostgresServer, startPostgres } from '../test/support/postgres-server';
import { formatSummary, mean, pairedSlice, quantile, type Summary, summarize } from './paired';
import {
  checkpoint,
  type DatabaseShape,
  explainGuard,
  type FillerTable,
  seedFiller,
  shape,
  vacuumAnalyze,
} from './sql-scale-db';

const SLICES = Number(process.env.BENCH_SLICES ?? 40);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CONTROL = process.env.BENCH_CONTROL !== '0';
const KNOWN = 1000;
const LARGE = Number(process.env.BENCH_SCALE_LARGE ?? 1_000_000);
const FILLER = LARGE - KNOWN;
const BAND = { low: 0.9, high: 1.1 };

interface Setup {
  port: number;
  clientId: string;
  clientSecret: string;
  tokens: string[];
}

interface Server {
  label: string;
  filler: FillerTable;
  url: string;
  child: ChildProcess;
  setup: Setup;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
const log = (message: string) => process.stderr.write(`${message}\n`);

async function startServer(label: string, filler: FillerTable, url: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: url, BENCH_TOKENS: String(KNOWN), BENCH_CODES: '0' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    reader.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { label, filler, url, child, setup: JSON.parse(line) as Setup };
}

const target = (server: Server) => ({
  label: server.label,
  port: server.setup.port,
  tokens: server.setup.tokens,
});

// ---- against bare Express (autocannon) ----------------------------------------------------------

type Scenario = 'bare GET' | 'guard' | 'bare token POST' | 'token: client_credentials';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function serverCpu(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/__stats`);
  return ((await response.json()) as { cpuMicros: number }).cpuMicros;
}

async function measure(server: Server, scenario: Scenario): Promise<{ rps: number; cpuPerRequest: number }> {
  const { port, tokens, clientId, clientSecret } = server.setup;
  const url = `http://127.0.0.1:${port}`;
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  let next = 0;
  const options: Record<Scenario, autocannon.Options> = {
    'bare GET': { url: `${url}/bare` },
    guard: {
      url,
      requests: [
        {
          method: 'GET',
          path: '/api/repos',
          setupRequest: (request) => {
            next = (next + 1) % tokens.length;
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[next]}` } };
          },
        },
      ],
    },
    'bare token POST': {
      url: `${url}/bare-token`,
      method: 'POST',
      headers: FORM,
      body: 'grant_type=client_credentials',
    },
    'token: client_credentials': {
      url: `${url}/oauth/token`,
      method: 'POST',
      headers: { ...FORM, authorization: basic },
      body: 'grant_type=client_credentials&scope=ci:status',
    },
  };
  const before = await serverCpu(port);
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options[scenario] });
  const after = await serverCpu(port);
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(`${server.label} ${scenario}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  }
  return {
    rps: result.requests.average,
    cpuPerRequest: (after - before) / Math.max(1, result.requests.total),
  };
}

/**
 * ROUNDS rounds; each measures `ours` and `bare` back to back on every server (servers and the
 * pair's order alternating per round) and yields ours/bare for req/s and bare/ours for CPU per
 * request (both "fraction of bare Express": 1 is as fast as bare, lower is slower).
 */
async function versusBare(
  servers: Server[],
  ours: Scenario,
  bare: Scenario,
): Promise<Map<string, { rps: number[]; cpu: number[]; oursRps: number[]; bareRps: number[] }>> {
  const results = new Map(
    servers.map((s) => [
      s.label,
      { rps: [] as number[], cpu: [] as number[], oursRps: [] as number[], bareRps: [] as number[] },
    ]),
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const [position, server] of order.entries()) {
      const pair: Scenario[] = (round + position) % 2 === 0 ? [bare, ours] : [ours, bare];
      const measured = new Map<Scenario, { rps: number; cpuPerRequest: number }>();
      for (const scenario of pair) measured.set(scenario, await measure(server, scenario));
      const o = measured.get(ours);
      const b = measured.get(bare);
      const entry = results.get(server.label);
      if (o === undefined || b === undefined || entry === undefined) continue;
      entry.rps.push(o.rps / b.rps);
      entry.cpu.push(b.cpuPerRequest / o.cpuPerRequest);
      entry.oursRps.push(o.rps);
      entry.bareRps.push(b.rps);
      log(
        `round ${round + 1} ${server.label}: ${ours} ${Math.round(o.rps)} req/s, ${bare} ${Math.round(b.rps)} req/s ` +
          `(ratio ${(o.rps / b.rps).toFixed(3)}, CPU ratio ${(b.cpuPerRequest / o.cpuPerRequest).toFixed(3)}; load ${load()})`,
      );
    }
  }
  return results;
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  let cluster: PostgresServer | undefined;
  const servers: Server[] = [];
  const drops: (() => Promise<void>)[] = [];
  try {
    let base = process.env.DATABASE_URL;
    if (!base?.startsWith('postgres')) {
      cluster = await startPostgres();
      base = cluster.url;
    }
    const plan: { label: string; filler: FillerTable }[] = [
      { label: `${LARGE.toLocaleString('en')} stored`, filler: 'oauth_tokens' },
      { label: `${KNOWN.toLocaleString('en')} stored`, filler: 'bench_padding' },
      ...(CONTROL
        ? [{ label: `${KNOWN.toLocaleString('en')} stored (twin)`, filler: 'bench_padding' as const }]
        : []),
    ];
    const databases = await Promise.all(plan.map((_, index) => createDatabase(`bench_scale_${index}`, base)));
    drops.push(...databases.map((database) => database.drop));
    // Started together, so no server (or database) is the one that started first.
    servers.push(
      ...(await Promise.all(
        plan.map((p, index) => startServer(p.label, p.filler, databases[index]?.url ?? '')),
      )),
    );
    const [large, small, twin] = servers;
    if (large === undefined || small === undefined) throw new Error('servers did not start');

    for (const server of servers) {
      const ms = await seedFiller(server.url, server.filler, FILLER);
      log(
        `seeded ${FILLER} filler rows into ${server.filler} of "${server.label}" in ${Math.round(ms / 1000)} s (load ${load()})`,
      );
    }
    for (const server of servers) await vacuumAnalyze(server.url);
    await checkpoint(large.url);
    const shapes = new Map<string, DatabaseShape>();
    for (const server of servers) shapes.set(server.label, await shape(server.url));
    for (const [label, s] of shapes)
      log(`${label}: ${s.tokens} rows in oauth_tokens, ${s.padding} in bench_padding, ${s.sizeMb} MiB`);

    const plans = new Map<string, Record<string, string[]>>();
    for (const server of servers) plans.set(server.label, await explainGuard(server.url));
    for (const [label, byQuery] of plans) {
      for (const [query, lines] of Object.entries(byQuery))
        log(`EXPLAIN ${query} on "${label}":\n  ${lines.join('\n  ')}`);
    }

    // Warm-up: every token once on every server (its first use also writes last_used_at), then
    // one timed slice that is thrown away.
    const targets = servers.map(target);
    await pairedSlice(targets, { workers: CONNECTIONS, seconds: 600, groups: KNOWN });
    await pairedSlice(targets, { workers: CONNECTIONS, seconds: SLICE_SECONDS });

    const loadBefore = load();
    const ratioMean: number[] = [];
    const ratioMedian: number[] = [];
    const twinMean: number[] = [];
    const positionRatio: number[] = [];
    const latency = new Map<string, number[]>(servers.map((s) => [s.label, []]));
    let requests = 0;
    for (let slice = 0; slice < SLICES; slice += 1) {
      const { byTarget: measured, byPosition } = await pairedSlice(targets, {
        workers: CONNECTIONS,
        seconds: SLICE_SECONDS,
      });
      const [l, s, t] = measured as [number[], number[], number[] | undefined];
      // Not a figure of the servers: how much being asked first in a group costs by itself.
      positionRatio.push(mean(byPosition[0] ?? []) / mean(byPosition.at(-1) ?? []));
      ratioMean.push(mean(l) / mean(s));
      ratioMedian.push(quantile(l, 0.5) / quantile(s, 0.5));
      if (t !== undefined && twin !== undefined) twinMean.push(mean(t) / mean(s));
      for (const [index, server] of servers.entries())
        latency.get(server.label)?.push(mean(measured[index] ?? []));
      requests += measured.reduce((sum, list) => sum + list.length, 0);
      log(
        `slice ${slice + 1}: mean ms ${servers.map((server, index) => `${server.label} ${mean(measured[index] ?? []).toFixed(2)} (${measured[index]?.length})`).join(', ')}; ` +
          `large/small ${ratioMean.at(-1)?.toFixed(3)}${twin ? `, twin/small ${twinMean.at(-1)?.toFixed(3)}` : ''} (load ${load()})`,
      );
    }
    const loadAfter = load();
    const scale = summarize(ratioMean);
    const scaleMedianLatency = summarize(ratioMedian);
    const control = twinMean.length > 0 ? summarize(twinMean) : undefined;
    const position = summarize(positionRatio);
    const met = scale.median >= BAND.low && scale.median <= BAND.high;
    const iqrInside = scale.q1 >= BAND.low && scale.q3 <= BAND.high;

    const guardLoad = load();
    const guard = await versusBare([small, large], 'guard', 'bare GET');
    const tokenLoad = load();
    const token = await versusBare([small, large], 'token: client_credentials', 'bare token POST');
    const endLoad = load();

    const row = (summary: Summary) => ({
      median: Number(summary.median.toFixed(3)),
      q1: Number(summary.q1.toFixed(3)),
      q3: Number(summary.q3.toFixed(3)),
      'min–max': `${summary.min.toFixed(3)}–${summary.max.toFixed(3)}`,
      n: summary.n,
    });
    console.log(
      `\nSQL adapter on PostgreSQL: guard latency with ${LARGE.toLocaleString('en')} vs ${KNOWN.toLocaleString('en')} stored tokens, ` +
        `paired, ${SLICES} slices × ${SLICE_SECONDS} s, ${CONNECTIONS} workers, ${requests} requests ` +
        `(load average before ${loadBefore}, after ${loadAfter})`,
    );
    const scaleName = `guard latency, ${large.label} / ${small.label}`;
    console.table({
      [`${scaleName} (ratio of means per slice)`]: row(scale),
      [`${scaleName} (ratio of medians per slice)`]: row(scaleMedianLatency),
      ...(control ? { [`control: ${twin?.label} / ${small.label} (ratio of means)`]: row(control) } : {}),
      'harness: asked first / asked last in a group, all servers (ratio of means)': row(position),
    });
    console.table(
      Object.fromEntries(
        servers.map((s) => [
          s.label,
          {
            'mean latency ms (median of slices)': Number(
              quantile(latency.get(s.label) ?? [], 0.5).toFixed(2),
            ),
          },
        ]),
      ),
    );
    console.log(
      `criterion "within 10%": the per-slice ratio's median in [${BAND.low}, ${BAND.high}] ` +
        `(million-token store at most 10% slower and at most 10% faster): ${met ? 'MET' : 'NOT MET'} ` +
        `(${formatSummary(scale)}; IQR ${iqrInside ? 'inside' : 'NOT inside'} the band)` +
        (control ? `; control twin/small: ${formatSummary(control)}` : ''),
    );
    const bareRows = (name: string, results: Awaited<ReturnType<typeof versusBare>>, loadAt: string) =>
      [...results].map(([label, r]) => ({
        comparison: `${name}, ${label}`,
        'req/s ratio': row(summarize(r.rps)),
        'CPU ratio': row(summarize(r.cpu)),
        'ours req/s (median)': Math.round(quantile(r.oursRps, 0.5)),
        'bare req/s (median)': Math.round(quantile(r.bareRps, 0.5)),
        load: loadAt,
      }));
    const versus = [
      ...bareRows('guard / bare GET', guard, guardLoad),
      ...bareRows('client_credentials / bare POST', token, tokenLoad),
    ];
    console.log(
      `\nAgainst bare Express, ${ROUNDS} rounds × ${SECONDS} s per scenario, ${CONNECTIONS} connections (load at the end ${endLoad})`,
    );
    console.table(
      versus.map((v) => ({
        comparison: v.comparison,
        'req/s ratio median (IQR)': `${v['req/s ratio'].median} (${v['req/s ratio'].q1}–${v['req/s ratio'].q3})`,
        'CPU ratio median (IQR)': `${v['CPU ratio'].median} (${v['CPU ratio'].q1}–${v['CPU ratio'].q3})`,
        'ours req/s': v['ours req/s (median)'],
        'bare req/s': v['bare req/s (median)'],
        'load at start': v.load,
      })),
    );
    console.log(`wall time ${Math.round((Date.now() - started) / 1000)} s`);

    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'latest-sql-scale.json'),
      JSON.stringify(
        {
          date: new Date().toISOString(),
          large: LARGE,
          slices: SLICES,
          sliceSeconds: SLICE_SECONDS,
          connections: CONNECTIONS,
          shapes: Object.fromEntries(shapes),
          plans: Object.fromEntries(plans),
          scale: {
            ratioMeanLatency: ratioMean,
            ratioMedianLatency: ratioMedian,
            twin: twinMean,
            firstOverLast: positionRatio,
            met,
            iqrInside,
          },
          load: { before: loadBefore, after: loadAfter, guard: guardLoad, token: tokenLoad, end: endLoad },
          versus,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const server of servers) server.child.kill();
    await Promise.all(
      servers.map((server) =>
        server.child.exitCode === null
          ? new Promise((resolve) => server.child.once('exit', resolve))
          : undefined,
      ),
    );
    for (const drop of drops) await drop().catch(() => undefined);
    await cluster?.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
