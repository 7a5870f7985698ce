/**
 * Audit finding 1's flood, rerun (README "Security defaults"): the example provider
 * (`examples/provider/server.ts` on the memory adapter, as `npm start` runs it) in a process of its
 * own on a free loopback port; one public client that alice registers through the settings API;
 * rounds of `POST /oauth/device/code` for that client from 127.0.0.1; the server's resident memory
 * (`VmRSS` of its process) before and after each round, and the answers by status.
 *
 * Usage: `node --import tsx bench/device-flood.ts [rounds=2] [requests=10000] [concurrency=16]`.
 * Bounded by count (never by time); the server is killed at the end whatever happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const [rounds = 2, requests = 10_000, concurrency = 16] = process.argv.slice(2).map(Number);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return Math.round((kib / 1024) * 10) / 10;
}

function startServer(port: number): Promise<ChildProcess> {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'examples', 'provider', 'server.ts')],
    {
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'error', MONGODB_URI: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`the example provider exited (${code})`)));
    server.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Example OAuth provider on')) resolve(server);
    });
  });
}

/** alice signs in and registers a public client; its `client_id`. */
async function registerPublicClient(base: string): Promise<string> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password: 'alice-pass', return_to: '/' }),
    redirect: 'manual',
  });
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const created = await fetch(`${base}/settings/api/applications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({
      name: 'Flood',
      homepage_url: 'https://flood.example',
      redirect_uris: ['https://flood.example/cb'],
      confidential: false,
    }),
  });
  const body: unknown = await created.json();
  const clientId = typeof body === 'object' && body !== null ? Reflect.get(body, 'client_id') : undefined;
  if (created.status !== 201 || typeof clientId !== 'string') {
    throw new Error(`registering the client failed: ${created.status} ${JSON.stringify(body)}`);
  }
  return clientId;
}

async function flood(base: string, clientId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next += 1;
      const answer = await fetch(`${base}/oauth/device/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, scope: 'user' }),
      });
      await answer.arrayBuffer();
      counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

async function main(): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(port);
  const pid = server.pid ?? 0;
  try {
    const clientId = await registerPublicClient(base);
    console.log(`example provider pid ${pid} on ${base}; RSS at start ${rssMiB(pid)} MiB`);
    for (let round = 1; round <= rounds; round += 1) {
      const before = rssMiB(pid);
      const started = Date.now();
      const counts = await flood(base, clientId);
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `round ${round}: ${requests} requests in ${seconds.toFixed(1)} s (${Math.round(requests / seconds)}/s), ` +
          `answers ${JSON.stringify(counts)}, RSS ${before} → ${rssMiB(pid)} MiB`,
      );
    }
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
