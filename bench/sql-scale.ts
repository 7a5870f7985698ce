/**
 * The SQL adapter on PostgreSQL as the store grows (issue 15 point 7), part of `npm run bench`:
 * two bench servers (bench-server.ts with DATABASE_URL), one on a database holding 1,000 access
 * tokens, one on a database holding the same 1,000 plus 999,000 more seeded in bulk (one
 * `INSERT … SELECT … FROM generate_series`, not through HTTP). Each serves the guard
 * (`authenticate()` + `requireScope('public_repo')`, the 1,000 tokens in rotation), the token
 * endpoint (client_credentials) and the bare Express routes beside them.
 *
 * The machine is shared and noisy, so the figures are ratios within one run: each round measures
 * every scenario on both servers, the order of the servers alternating from round to round, and
 * the report gives the median and the spread (min–max) of the per-round ratios.
 *
 * PostgreSQL: a throwaway cluster (test/support/postgres-server.ts) unless DATABASE_URL names a
 * server (a role that may create databases). Knobs: BENCH_SECONDS (5), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (10), BENCH_SCALE_LARGE (1,000,000 stored tokens in the large database).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { createDatabase, type PostgresServer, startPostgres } from '../test/support/postgres-server';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const KNOWN = 1000;
const LARGE = Number(process.env.BENCH_SCALE_LARGE ?? 1_000_000);

interface Setup {
  port: number;
  clientId: string;
  clientSecret: string;
  tokens: string[];
}

interface Server {
  label: string;
  child: ChildProcess;
  setup: Setup;
}

async function startServer(label: string, databaseUrl: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: databaseUrl, BENCH_TOKENS: String(KNOWN), BENCH_CODES: '0' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    reader.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { label, child, setup: JSON.parse(line) as Setup };
}

/** Fills the tokens table up to `total` rows with random access tokens of 1,000 other users. */
async function seed(url: string, total: number): Promise<{ rows: number; ms: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM oauth_tokens');
    const missing = total - Number(rows[0]?.count ?? 0);
    if (missing > 0) {
      await client.query(
        `INSERT INTO oauth_tokens (id, kind, hash, application_id, user_id, scopes, created_at, expires_at)
         SELECT gen_random_uuid()::text, 'access', encode(sha256(gen_random_uuid()::text::bytea), 'hex'),
                'filler-app', 'filler-user-' || (g % 1000), ARRAY['repo'], now(), now() + interval '1 day'
         FROM generate_series(1, $1::int) AS g`,
        [missing],
      );
    }
    await client.query('VACUUM ANALYZE oauth_tokens');
    const counted = await client.query<{ count: string }>('SELECT count(*) FROM oauth_tokens');
    return { rows: Number(counted.rows[0]?.count ?? 0), ms: performance.now() - started };
  } finally {
    await client.end();
  }
}

type Scenario =
  | 'bare GET'
  | 'guard, 1,000 tokens in rotation'
  | 'bare token POST'
  | 'token: client_credentials';
const SCENARIOS: Scenario[] = [
  'bare GET',
  'guard, 1,000 tokens in rotation',
  'bare token POST',
  'token: client_credentials',
];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function measure(server: Server, scenario: Scenario): Promise<number> {
  const { port, tokens, clientId, clientSecret } = server.setup;
  const url = `http://127.0.0.1:${port}`;
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  let next = 0;
  const options: Record<Scenario, autocannon.Options> = {
    'bare GET': { url: `${url}/bare` },
    'guard, 1,000 tokens in rotation': {
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
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options[scenario] });
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(`${server.label} ${scenario}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  }
  return result.requests.average;
}

/**
 * The guard on both servers interleaved request by request: each of CONNECTIONS workers sends a
 * guarded GET to the small server, then to the large one, and so on, so both see the same machine
 * at the same moment and the noise of a shared machine cancels out of their ratio. Returns the
 * mean latency (ms) per server.
 */
async function interleaved(
  servers: Server[],
  seconds: number,
): Promise<{ label: string; meanMs: number; count: number }[]> {
  const totals = servers.map(() => ({ ms: 0, count: 0 }));
  const until = performance.now() + seconds * 1000;
  const worker = async (offset: number) => {
    for (let i = offset; performance.now() < until; i += 1) {
      for (const [index, server] of servers.entries()) {
        const token = server.setup.tokens[(i * 7 + index) % server.setup.tokens.length];
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${server.setup.port}/api/repos`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${server.label}: guard answered ${response.status}`);
        const total = totals[index];
        if (total !== undefined) {
          total.ms += performance.now() - started;
          total.count += 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => worker(i * 101)));
  return servers.map((server, index) => ({
    label: server.label,
    meanMs: (totals[index]?.ms ?? 0) / Math.max(1, totals[index]?.count ?? 0),
    count: totals[index]?.count ?? 0,
  }));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const spread = (values: number[]) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;

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
    const small = await createDatabase('bench_small', base);
    const large = await createDatabase('bench_large', base);
    drops.push(small.drop, large.drop);
    servers.push(await startServer('1,000 stored', small.url));
    servers.push(await startServer(`${LARGE.toLocaleString('en')} stored`, large.url));
    const seeded = await seed(large.url, LARGE);
    const smallRows = await seed(small.url, 0);
    process.stderr.write(
      `seeded ${seeded.rows} token rows in ${Math.round(seeded.ms / 1000)} s (small database: ${smallRows.rows} rows)\n`,
    );

    const samples = new Map<string, number[]>();
    const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      const perRound = new Map<string, number>();
      for (const server of order) {
        for (const scenario of round % 2 === 0 ? SCENARIOS : [...SCENARIOS].reverse()) {
          const rps = await measure(server, scenario);
          perRound.set(`${server.label}|${scenario}`, rps);
          add(`${server.label}|${scenario}`, rps);
          process.stderr.write(`round ${round + 1} ${server.label} ${scenario}: ${Math.round(rps)} req/s\n`);
        }
      }
      const get = (label: string, scenario: Scenario) => perRound.get(`${label}|${scenario}`) ?? Number.NaN;
      const [s, l] = servers.map((server) => server.label) as [string, string];
      add(
        'guard large/small',
        get(l, 'guard, 1,000 tokens in rotation') / get(s, 'guard, 1,000 tokens in rotation'),
      );
      add('guard small/bare', get(s, 'guard, 1,000 tokens in rotation') / get(s, 'bare GET'));
      add('guard large/bare', get(l, 'guard, 1,000 tokens in rotation') / get(l, 'bare GET'));
      add('token small/bare', get(s, 'token: client_credentials') / get(s, 'bare token POST'));
      add('token large/bare', get(l, 'token: client_credentials') / get(l, 'bare token POST'));
    }

    // Interleaved: ROUNDS slices, each giving one small/large latency ratio.
    const interleavedRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const measured = await interleaved(round % 2 === 0 ? servers : [...servers].reverse(), SECONDS);
      const [small, large] = servers.map((server) => measured.find((m) => m.label === server.label));
      const ratio = (small?.meanMs ?? 0) / (large?.meanMs ?? 1);
      interleavedRatios.push(ratio);
      process.stderr.write(
        `interleaved ${round + 1}: ${[small, large].map((m) => `${m?.label} ${m?.meanMs.toFixed(2)} ms (${m?.count})`).join(', ')}; ` +
          `latency small/large ${ratio.toFixed(3)}\n`,
      );
    }
    samples.set('guard large/small, interleaved', interleavedRatios);

    const rows = servers.flatMap((server) =>
      SCENARIOS.map((scenario) => {
        const list = samples.get(`${server.label}|${scenario}`) ?? [];
        return {
          database: server.label,
          scenario,
          'req/s (median)': Math.round(median(list)),
          'req/s (min–max)': `${Math.round(Math.min(...list))}–${Math.round(Math.max(...list))}`,
        };
      }),
    );
    const ratios = [
      'guard large/small, interleaved',
      'guard large/small',
      'guard small/bare',
      'guard large/bare',
      'token small/bare',
      'token large/bare',
    ].map((key) => {
      const list = samples.get(key) ?? [];
      return { ratio: key, median: Number(median(list).toFixed(3)), 'min–max over rounds': spread(list) };
    });
    console.log(
      `\nSQL adapter on PostgreSQL: 1,000 vs ${LARGE.toLocaleString('en')} stored tokens, ${ROUNDS} rounds × ${SECONDS} s, ` +
        `${CONNECTIONS} connections, servers alternating each round`,
    );
    console.table(rows);
    console.table(ratios);
    console.log(`wall time ${Math.round((Date.now() - started) / 1000)} s`);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'latest-sql-scale.json'),
      JSON.stringify(
        { date: new Date().toISOString(), large: LARGE, rounds: ROUNDS, seconds: SECONDS, rows, ratios },
        null,
        2,
      ),
    );
  } finally {
    for (const server of servers) server.child.kill();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.child.once('exit', resolve))));
    for (const drop of drops) await drop().catch(() => undefined);
    await cluster?.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
