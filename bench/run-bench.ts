/**
 * `npm run bench`: load-tests the provider against bare Express in the same run and the same
 * process (bench-server.ts; autocannon runs here, on 127.0.0.1 only, for a bounded time).
 *
 * On a shared 2-core machine the load generator competes with the server and other jobs come and
 * go, so a figure means something only beside the baseline measured right next to it: every round
 * measures each scenario once, briefly, in an order that flips from round to round
 * (A B C … then … C B A), and each scenario's ratio to its baseline is taken **per round**. The
 * table gives the median of those ratios over the rounds and their interquartile range; CPU µs per
 * request (the server's own `process.cpuUsage()`, which the load generator does not share) and
 * p99 beside them; the load average (`os.loadavg()`) at the start and end of each suite.
 *
 * `--strict` (or BENCH_STRICT=1) fails the run when a ratio's interquartile range exceeds
 * BENCH_MAX_SPREAD (default 0.15 of its median: too noisy to judge) or any request failed.
 *
 * Environment: BENCH_SECONDS (per scenario and round, default 2), BENCH_ROUNDS (default 12, after
 * one discarded warm-up round), BENCH_CONNECTIONS (10), BENCH_TOKENS (10,000 stored tokens),
 * BENCH_EXTRA_STORED (extra stored tokens, for the growth check), MONGODB_URI / DATABASE_URL
 * (bench the Mongo or SQL adapter instead of memory: postgres://… or sqlite:<path>), BENCH_CODES
 * (authorization codes for the exchange, default 3,000 per round), BENCH_SUITES (`guard,token`, or
 * one of them), BENCH_CPU_PROFILE=<dir> (the servers write a `.cpuprofile` of the measured rounds
 * there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { type BenchSetup, median, round3, type Spread, spread } from './stats';

type Setup = BenchSetup;

interface ScenarioRequest {
  path?: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requests?: autocannon.Request[];
}

interface Scenario {
  name: string;
  suite: 'guard' | 'token';
  baseline: string | null;
  /** Single-use inputs (codes): run at most this many requests per round. */
  amount?: (setup: Setup) => number;
  options: (setup: Setup) => ScenarioRequest;
}

interface Sample {
  requestsPerSecond: number;
  p99: number;
  cpuMicrosPerRequest: number;
  failed: number;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const STRICT = process.argv.includes('--strict') || process.env.BENCH_STRICT === '1';
const MAX_SPREAD = Number(process.env.BENCH_MAX_SPREAD ?? 0.15);
/** Rounds per suite, the warm-up included (its samples are dropped). */
const ALL_ROUNDS = ROUNDS + 1;

function basic(setup: Setup): string {
  return `Basic ${Buffer.from(`${setup.clientId}:${setup.clientSecret}`).toString('base64')}`;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const SCENARIOS: Scenario[] = [
  { name: 'bare Express GET', suite: 'guard', baseline: null, options: () => ({ path: '/bare' }) },
  {
    name: 'protected, header token',
    suite: 'guard',
    baseline: 'bare Express GET',
    options: (s) => ({ path: '/api/repos', headers: { authorization: `Bearer ${s.tokens[0]}` } }),
  },
  {
    name: 'protected, query token',
    suite: 'guard',
    baseline: 'bare Express GET',
    options: (s) => ({ path: `/api/repos?access_token=${s.tokens[0]}` }),
  },
  {
    name: 'protected, rotating tokens',
    suite: 'guard',
    baseline: 'bare Express GET',
    options: (s) => {
      let next = 0;
      return {
        requests: [
          {
            method: 'GET',
            path: '/api/repos',
            setupRequest: (request) => {
              next = (next + 1) % s.tokens.length;
              return {
                ...request,
                headers: { ...request.headers, authorization: `Bearer ${s.tokens[next]}` },
              };
            },
          },
        ],
      };
    },
  },
  {
    name: 'hand-written guard (reference)',
    suite: 'guard',
    baseline: 'bare Express GET',
    options: (s) => ({
      path: '/handwritten/repos',
      headers: { authorization: `Bearer ${s.handwrittenToken}` },
    }),
  },
  {
    name: 'bare Express token POST',
    suite: 'token',
    baseline: null,
    options: () => ({
      method: 'POST',
      path: '/bare-token',
      headers: FORM,
      body: 'grant_type=client_credentials',
    }),
  },
  {
    name: 'token: client_credentials',
    suite: 'token',
    baseline: 'bare Express token POST',
    options: (s) => ({
      method: 'POST',
      path: '/oauth/token',
      headers: { ...FORM, authorization: basic(s) },
      body: 'grant_type=client_credentials&scope=ci:status',
    }),
  },
  {
    name: 'hand-written token (reference)',
    suite: 'token',
    baseline: 'bare Express token POST',
    options: (s) => ({
      method: 'POST',
      path: '/handwritten/token',
      headers: { ...FORM, authorization: basic(s) },
      body: 'grant_type=client_credentials&scope=public_repo',
    }),
  },
  {
    name: 'token: authorization_code',
    suite: 'token',
    amount: (setup) => Math.floor(setup.codes.length / ALL_ROUNDS),
    baseline: 'bare Express token POST',
    options: (s) => ({
      requests: [
        {
          method: 'POST',
          path: '/oauth/token',
          headers: { ...FORM, authorization: basic(s) },
          setupRequest: (request) => {
            const code = s.codes.pop();
            return code === undefined
              ? request
              : { ...request, body: `grant_type=authorization_code&code=${code}` };
          },
        },
      ],
    }),
  },
];

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; setup: Setup }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // As deployed: NODE_ENV=production (the memory adapter skips its per-token contract check).
    env: { NODE_ENV: 'production', ...process.env, ...env },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    reader.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, setup: JSON.parse(line) as Setup };
}

interface ServerStats {
  cpuMicros: number;
  rss: number;
  maxRssKb: number;
}

async function serverStats(port: number, path = '/__stats'): Promise<ServerStats> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await response.json()) as ServerStats;
}

async function measure(setup: Setup, scenario: Scenario, seconds: number): Promise<Sample> {
  const before = await serverStats(setup.port);
  const { path, ...request } = scenario.options(setup);
  const result = await autocannon({
    url: `http://127.0.0.1:${setup.port}${path ?? ''}`,
    connections: CONNECTIONS,
    duration: seconds,
    ...(scenario.amount ? { amount: scenario.amount(setup) } : {}),
    ...request,
  });
  const after = await serverStats(setup.port);
  return {
    // Requests over the elapsed time: a run that ends at `amount` (the code exchange) stops
    // mid-second, and autocannon's per-second average counts that partial second as a whole one.
    requestsPerSecond: result.requests.total / Math.max(0.01, result.duration),
    p99: result.latency.p99,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests.total),
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

interface Row {
  scenario: string;
  'req/s': number;
  'p99 ms': number;
  'CPU µs/req': number;
  failed: number;
  /** Median per-round req/s ratio to the baseline, and its interquartile range. */
  ratio: string;
  'ratio IQR/median': number | null;
  'p99 ratio': number | null;
  'CPU ratio': number | null;
}

interface SuiteResult {
  rows: Row[];
  ratios: Record<string, Spread>;
  peakRssKb: number;
  load: { start: number[]; end: number[] };
}

const loadNow = (): number[] => loadavg().map((value) => Math.round(value * 100) / 100);

/**
 * One suite = one fresh server process and the scenarios compared with each other. The guard and
 * the token endpoint get separate processes, so the tokens the token endpoint stores never tax
 * the guard's figures with GC.
 */
async function runSuite(scenarios: Scenario[], env: Record<string, string>): Promise<SuiteResult> {
  const load = { start: loadNow(), end: [] as number[] };
  const { child, setup } = await startServer(env);
  const samples = new Map<string, Sample[]>();
  try {
    for (let round = 0; round < ALL_ROUNDS; round++) {
      const warmUp = round === 0;
      if (round === 1) await fetch(`http://127.0.0.1:${setup.port}/__profile/start`);
      const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
      for (const scenario of order) {
        const sample = await measure(setup, scenario, warmUp ? 1 : SECONDS);
        if (!warmUp) samples.set(scenario.name, [...(samples.get(scenario.name) ?? []), sample]);
        process.stderr.write(
          `${warmUp ? 'warm-up' : `round ${round}`} ${scenario.name}: ${Math.round(sample.requestsPerSecond)} req/s, ` +
            `${Math.round(sample.cpuMicrosPerRequest)} µs/req\n`,
        );
      }
    }
    await fetch(`http://127.0.0.1:${setup.port}/__profile/stop`);
    const stats = await serverStats(setup.port);
    load.end = loadNow();
    const ratios: Record<string, Spread> = {};
    const rows = scenarios.map((scenario): Row => {
      const list = samples.get(scenario.name) ?? [];
      const base = scenario.baseline ? (samples.get(scenario.baseline) ?? []) : [];
      // Per round: this scenario against the baseline measured beside it.
      const perRound = (pick: (s: Sample) => number, invert = false) =>
        list.flatMap((sample, i) => {
          const other = base[i];
          if (other === undefined || pick(sample) === 0 || pick(other) === 0) return [];
          return [invert ? pick(other) / pick(sample) : pick(sample) / pick(other)];
        });
      const ratio = scenario.baseline ? spread(perRound((s) => s.requestsPerSecond)) : null;
      if (ratio !== null) ratios[scenario.name] = ratio;
      return {
        scenario: scenario.name,
        'req/s': Math.round(median(list.map((s) => s.requestsPerSecond))),
        'p99 ms': median(list.map((s) => s.p99)),
        'CPU µs/req': Math.round(median(list.map((s) => s.cpuMicrosPerRequest))),
        failed: list.reduce((sum, s) => sum + s.failed, 0),
        ratio: ratio === null ? '—' : `${round3(ratio.median)} [${round3(ratio.q1)}–${round3(ratio.q3)}]`,
        'ratio IQR/median': ratio === null ? null : round3(ratio.relative),
        'p99 ratio': scenario.baseline ? round3(median(perRound((s) => s.p99))) : null,
        // Bare CPU per request over ours: the same "fraction of bare Express" as req/s, without
        // the load generator's share of the two cores in it.
        'CPU ratio': scenario.baseline ? round3(median(perRound((s) => s.cpuMicrosPerRequest, true))) : null,
      };
    });
    return { rows, ratios, peakRssKb: stats.maxRssKb, load };
  } finally {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const suites = new Set((process.env.BENCH_SUITES ?? 'guard,token').split(',').map((name) => name.trim()));
  const skipped: SuiteResult = { rows: [], ratios: {}, peakRssKb: 0, load: { start: [], end: [] } };
  // Only the token suite needs single-use authorization codes.
  const guard = suites.has('guard')
    ? await runSuite(
        SCENARIOS.filter((scenario) => scenario.suite === 'guard'),
        { BENCH_CODES: '0' },
      )
    : skipped;
  const token = suites.has('token')
    ? await runSuite(
        SCENARIOS.filter((scenario) => scenario.suite === 'token'),
        { BENCH_CODES: process.env.BENCH_CODES ?? String(ALL_ROUNDS * 3000) },
      )
    : skipped;
  const rows = [...guard.rows, ...token.rows];
  const adapter = process.env.DATABASE_URL ? 'sql' : process.env.MONGODB_URI ? 'mongo' : 'memory';
  const stored = Number(process.env.BENCH_TOKENS ?? 10_000) + Number(process.env.BENCH_EXTRA_STORED ?? 0);
  console.log(
    `\nexpress-oauth-provider bench: ${adapter} adapter, ${stored} stored access tokens, ` +
      `${ROUNDS} alternating rounds × ${SECONDS} s (after a warm-up round), ${CONNECTIONS} connections; ` +
      'ratio = median of per-round ratios to bare Express [interquartile range]',
  );
  console.table(rows);
  console.log(
    `load average (1, 5, 15 min): guard suite ${guard.load.start.join(' ')} → ${guard.load.end.join(' ')}, ` +
      `token suite ${token.load.start.join(' ')} → ${token.load.end.join(' ')}`,
  );
  console.log(
    `server peak RSS: guard suite ${Math.round(guard.peakRssKb / 1024)} MiB, token suite ${Math.round(token.peakRssKb / 1024)} MiB; ` +
      `wall time ${Math.round((Date.now() - started) / 1000)} s`,
  );
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    adapter,
    stored,
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    rows,
    load: { guard: guard.load, token: token.load },
    peakRssKb: { guard: guard.peakRssKb, token: token.peakRssKb },
  };
  writeFileSync(join(dir, `latest-${adapter}.json`), JSON.stringify(result, null, 2));

  const noisy = Object.entries({ ...guard.ratios, ...token.ratios }).filter(
    ([, ratio]) => !(ratio.relative <= MAX_SPREAD),
  );
  const failed = rows.filter((row) => row.failed > 0);
  for (const [name, ratio] of noisy)
    console.log(`too noisy to judge: ${name} (IQR ${round3(ratio.relative)} of the median > ${MAX_SPREAD})`);
  for (const row of failed) console.log(`failed requests: ${row.scenario} (${row.failed})`);
  if (STRICT && (noisy.length > 0 || failed.length > 0)) {
    console.log('--strict: the run is not conclusive');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
