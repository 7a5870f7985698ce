/**
 * `npm run bench`: load-tests the provider against bare Express in the same run. The server is a
 * separate process (bench-server.ts); autocannon runs here, on 127.0.0.1 only, for a bounded time.
 * Scenarios alternate over several rounds and the median is reported, since on 2 cores the load
 * generator competes with the server: compare ratios within one run, not absolute figures.
 *
 * Environment: BENCH_SECONDS (per scenario and round, default 5), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 10), MONGODB_URI (bench the Mongo adapter instead of memory),
 * DATABASE_URL (bench the SQL adapter: postgres://… or sqlite:<path>),
 * BENCH_EXTRA_STORED (extra stored tokens, for the growth check), BENCH_CODES (authorization codes
 * for the exchange, default 8,000 per round), BENCH_SUITES (`guard,token`, or one of them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

interface Setup {
  port: number;
  clientId: string;
  clientSecret: string;
  tokens: string[];
  codes: string[];
}

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
  /** Run a fixed number of requests instead of for `BENCH_SECONDS` (single-use inputs). */
  amount?: (setup: Setup) => number;
  options: (setup: Setup) => ScenarioRequest;
}

interface Sample {
  requestsPerSecond: number;
  p99: number;
  cpuMicrosPerRequest: number;
  errors: number;
  non2xx: number;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

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
      body: 'grant_type=client_credentials&scope=public_repo',
    }),
  },
  {
    name: 'token: authorization_code',
    suite: 'token',
    amount: (setup) => Math.floor(setup.codes.length / ROUNDS),
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
    env: { ...process.env, ...env },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    reader.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, setup: JSON.parse(line) as Setup };
}

async function serverCpu(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/__stats`);
  return ((await response.json()) as { cpuMicros: number }).cpuMicros;
}

async function measure(setup: Setup, scenario: Scenario): Promise<Sample> {
  const before = await serverCpu(setup.port);
  const { path, ...request } = scenario.options(setup);
  const result = await autocannon({
    url: `http://127.0.0.1:${setup.port}${path ?? ''}`,
    connections: CONNECTIONS,
    ...(scenario.amount ? { amount: scenario.amount(setup) } : { duration: SECONDS }),
    ...request,
  });
  const after = await serverCpu(setup.port);
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    cpuMicrosPerRequest: (after - before) / Math.max(1, result.requests.total),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface Row {
  scenario: string;
  reqPerSec: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  errors: number;
  ratio: number | null;
  p99Ratio: number | null;
  cpuRatio: number | null;
}

/**
 * One suite = one fresh server process and the scenarios compared with each other. The guard and
 * the token endpoint get separate processes: every client_credentials request stores a token that
 * lives 2 hours, and a heap that grew by a million tokens would tax the guard's figures with GC.
 */
async function runSuite(
  scenarios: Scenario[],
  env: Record<string, string>,
): Promise<{ rows: Row[]; peakRssKb: number }> {
  const { child, setup } = await startServer(env);
  const samples = new Map<string, Sample[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order each round so no scenario always runs on a warmer or cooler machine.
      const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
      for (const scenario of order) {
        const sample = await measure(setup, scenario);
        samples.set(scenario.name, [...(samples.get(scenario.name) ?? []), sample]);
        process.stderr.write(
          `round ${round + 1} ${scenario.name}: ${Math.round(sample.requestsPerSecond)} req/s\n`,
        );
      }
    }
    const stats = (await (await fetch(`http://127.0.0.1:${setup.port}/__stats`)).json()) as {
      maxRssKb: number;
    };
    const rows = scenarios.map((scenario): Row => {
      const list = samples.get(scenario.name) ?? [];
      const rps = median(list.map((s) => s.requestsPerSecond));
      const p99 = median(list.map((s) => s.p99));
      const cpu = median(list.map((s) => s.cpuMicrosPerRequest));
      const base = scenario.baseline ? (samples.get(scenario.baseline) ?? []) : [];
      const baseRps = median(base.map((s) => s.requestsPerSecond));
      const baseP99 = median(base.map((s) => s.p99));
      const baseCpu = median(base.map((s) => s.cpuMicrosPerRequest));
      return {
        scenario: scenario.name,
        reqPerSec: Math.round(rps),
        p99Ms: p99,
        cpuMicrosPerRequest: Math.round(cpu),
        errors: list.reduce((sum, s) => sum + s.errors + s.non2xx, 0),
        ratio: scenario.baseline ? Number((rps / baseRps).toFixed(3)) : null,
        p99Ratio: scenario.baseline && baseP99 > 0 ? Number((p99 / baseP99).toFixed(2)) : null,
        // Bare CPU per request over ours: the same "fraction of bare Express" as req/s, without
        // the load generator's share of the two cores in it.
        cpuRatio: scenario.baseline && cpu > 0 ? Number((baseCpu / cpu).toFixed(3)) : null,
      };
    });
    return { rows, peakRssKb: stats.maxRssKb };
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const suites = new Set((process.env.BENCH_SUITES ?? 'guard,token').split(',').map((name) => name.trim()));
  const skipped = { rows: [] as Row[], peakRssKb: 0 };
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
        { BENCH_CODES: process.env.BENCH_CODES ?? String(ROUNDS * 8000) },
      )
    : skipped;
  const rows = [...guard.rows, ...token.rows];
  const adapter = process.env.DATABASE_URL ? 'sql' : process.env.MONGODB_URI ? 'mongo' : 'memory';
  const stored = Number(process.env.BENCH_TOKENS ?? 10_000) + Number(process.env.BENCH_EXTRA_STORED ?? 0);
  console.log(
    `\nexpress-oauth-provider bench: ${adapter} adapter, ${stored} stored access tokens, ${ROUNDS} rounds × ${SECONDS} s, ` +
      `${CONNECTIONS} connections, median of rounds`,
  );
  console.table(rows);
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
    rows,
    guard: guard.peakRssKb,
    token: token.peakRssKb,
  };
  writeFileSync(join(dir, `latest-${adapter}.json`), JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
