/**
 * Memory figures of issue 17 (run with `node --expose-gc --import tsx bench/memory.ts`, after
 * `npm run build`):
 * - bytes held per live access token: the memory adapter's heap after a full GC, before and
 *   after storing BENCH_MEMORY_TOKENS (100,000) client_credentials-style tokens through the
 *   provider's service API (the secrets are not kept);
 * - idle RSS of a bench server with the provider (no stored tokens) against one serving the bare
 *   Express routes alone (BENCH_BARE_ONLY), each a fresh process, each after a few requests, the
 *   median of BENCH_MEMORY_PAIRS (3) pairs started alternately.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createProvider } from 'express-oauth-provider';
import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';
import { median } from './stats';

const COUNT = Number(process.env.BENCH_MEMORY_TOKENS ?? 100_000);
const PAIRS = Number(process.env.BENCH_MEMORY_PAIRS ?? 3);

function collect(): number {
  const gc = Reflect.get(globalThis, 'gc');
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function bytesPerToken(): Promise<number> {
  const provider = createProvider({
    adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
    issuer: 'http://127.0.0.1',
    scopes: { public_repo: { description: 'Public repositories' } },
    currentUser: () => null,
    loginUrl: '/login',
    purgeIntervalSeconds: 0,
  });
  const { application } = await provider.applications.create(
    {
      name: 'm',
      homepageUrl: 'https://m.example',
      redirectUris: ['https://m.example/cb'],
      confidential: true,
      scopes: [],
    },
    null,
  );
  const subject = {
    applicationId: application.id,
    userId: null,
    grantId: null,
    familyId: null,
    scopes: ['public_repo'],
  };
  // One token first, so the maps and code paths exist before the baseline.
  await provider.tokens.issueTokens(subject, false);
  const before = collect();
  for (let i = 0; i < COUNT; i++) await provider.tokens.issueTokens(subject, false);
  const after = collect();
  await provider.close();
  return (after - before) / COUNT;
}

async function idleRss(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_TOKENS: '0', BENCH_CODES: '0', ...env },
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    const { port } = JSON.parse(line) as { port: number };
    for (let i = 0; i < 20; i++) await (await fetch(`http://127.0.0.1:${port}/bare`)).text();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stats = (await (await fetch(`http://127.0.0.1:${port}/__stats`)).json()) as { rss: number };
    return stats.rss;
  } finally {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const perToken = await bytesPerToken();
  const provider: number[] = [];
  const bare: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    if (pair % 2 === 0) {
      bare.push(await idleRss({ BENCH_BARE_ONLY: '1' }));
      provider.push(await idleRss({}));
    } else {
      provider.push(await idleRss({}));
      bare.push(await idleRss({ BENCH_BARE_ONLY: '1' }));
    }
  }
  const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  console.log(
    `bytes held per live access token (memory adapter, ${COUNT.toLocaleString('en')} stored): ${Math.round(perToken)}`,
  );
  console.log(
    `idle RSS, median of ${PAIRS}: provider ${mib(median(provider))} MiB, bare Express ${mib(median(bare))} MiB, ` +
      `difference ${mib(median(provider) - median(bare))} MiB`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
