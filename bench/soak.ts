/**
 * The long client_credentials run of issue 17 (`node --import tsx bench/soak.ts`, after
 * `npm run build`): one bench server, the token endpoint at a steady BENCH_SOAK_RATE (2,000 req/s)
 * for BENCH_SOAK_SECONDS (600), the server's RSS and heap sampled every BENCH_SOAK_SAMPLE seconds
 * (15; the live heap, after a full GC). It levels off when the live heap's peak over the last
 * third of the run is within 10% of its peak over the middle third: the purge (`purgeIntervalSeconds`, BENCH_PURGE_SECONDS) removes
 * what expired (`accessTokenTtl`, BENCH_ACCESS_TTL) or was revoked as fast as it is issued.
 * `--strict` fails the run when it does not level off or a request failed.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 2000);
const SAMPLE = Number(process.env.BENCH_SOAK_SAMPLE ?? 15);
const STRICT = process.argv.includes('--strict') || process.env.BENCH_STRICT === '1';

interface Stats {
  rss: number;
  heapUsed: number;
}

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(__dirname, 'bench-server.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { NODE_ENV: 'production', ...process.env, BENCH_TOKENS: '1', BENCH_CODES: '0' },
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const setup = JSON.parse(line) as { port: number; clientId: string; clientSecret: string };
    const stats = async (): Promise<Stats> =>
      (await (await fetch(`http://127.0.0.1:${setup.port}/__stats?gc=1`)).json()) as Stats;
    const samples: (Stats & { second: number })[] = [];
    const started = Date.now();
    const sampler = setInterval(async () => {
      const sample = { second: Math.round((Date.now() - started) / 1000), ...(await stats()) };
      samples.push(sample);
      process.stderr.write(
        `${sample.second} s: RSS ${Math.round(sample.rss / 2 ** 20)} MiB, heap ${Math.round(sample.heapUsed / 2 ** 20)} MiB, load ${loadavg()[0]?.toFixed(2)}\n`,
      );
    }, SAMPLE * 1000);
    const result = await autocannon({
      url: `http://127.0.0.1:${setup.port}/oauth/token`,
      method: 'POST',
      connections: 10,
      overallRate: RATE,
      duration: SECONDS,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${setup.clientId}:${setup.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=public_repo',
    });
    clearInterval(sampler);
    const third = Math.floor(samples.length / 3);
    const peak = (list: Stats[]) => Math.max(...list.map((s) => s.heapUsed));
    const middle = peak(samples.slice(third, 2 * third));
    const last = peak(samples.slice(2 * third));
    const levels = last <= middle * 1.1;
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(
      `soak: ${result.requests.total} client_credentials requests in ${SECONDS} s (${Math.round(result.requests.average)} req/s asked ${RATE}), ` +
        `${result.errors + result.timeouts + result.non2xx} failed, p99 ${result.latency.p99} ms; ` +
        `heap peak middle third ${mib(middle)} MiB, last third ${mib(last)} MiB, peak RSS ${mib(Math.max(...samples.map((s) => s.rss)))} MiB: ` +
        `${levels ? 'levels off' : 'still growing'}; load average ${loadavg()
          .map((v) => v.toFixed(2))
          .join(' ')}`,
    );
    if (STRICT && (!levels || result.errors + result.timeouts + result.non2xx > 0)) process.exitCode = 1;
  } finally {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
