/**
 * Profiles one load alone (not part of `npm run bench`): starts bench-server.ts with
 * BENCH_CPU_PROFILE, runs one scenario for BENCH_SECONDS, and prints the server's CPU per request
 * by function (self time, and inclusive time of the frames on the stack), in µs per request.
 *
 *   node --import tsx bench/profile-one.ts <cc|code|header|query|rotate|bare|bare-token|hw-token>
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { BenchSetup } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const which = process.argv[2] ?? 'cc';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bench-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      NODE_ENV: 'production',
      BENCH_CODES: which === 'code' ? '60000' : '0',
      ...process.env,
      BENCH_CPU_PROFILE: dir,
    },
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve),
  );
  const setup = JSON.parse(line) as BenchSetup;
  const base = `http://127.0.0.1:${setup.port}`;
  const basic = `Basic ${Buffer.from(`${setup.clientId}:${setup.clientSecret}`).toString('base64')}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  let next = 0;
  const options: Record<string, autocannon.Options> = {
    cc: {
      url: `${base}/oauth/token`,
      method: 'POST',
      headers: { ...form, authorization: basic },
      body: 'grant_type=client_credentials&scope=ci:status',
    },
    'hw-token': {
      url: `${base}/handwritten/token`,
      method: 'POST',
      headers: { ...form, authorization: basic },
      body: 'grant_type=client_credentials&scope=public_repo',
    },
    'bare-token': {
      url: `${base}/bare-token`,
      method: 'POST',
      headers: form,
      body: 'grant_type=client_credentials',
    },
    bare: { url: `${base}/bare` },
    header: { url: `${base}/api/repos`, headers: { authorization: `Bearer ${setup.tokens[0]}` } },
    query: { url: `${base}/api/repos?access_token=${setup.tokens[0]}` },
    rotate: {
      url: base,
      requests: [
        {
          method: 'GET',
          path: '/api/repos',
          setupRequest: (r) => {
            next = (next + 1) % setup.tokens.length;
            return { ...r, headers: { ...r.headers, authorization: `Bearer ${setup.tokens[next]}` } };
          },
        },
      ],
    },
    code: {
      url: base,
      amount: 1000,
      requests: [
        {
          method: 'POST',
          path: '/oauth/token',
          headers: { ...form, authorization: basic },
          setupRequest: (r) => ({ ...r, body: `grant_type=authorization_code&code=${setup.codes.pop()}` }),
        },
      ],
    },
  };
  const chosen = options[which];
  if (chosen === undefined) throw new Error(`unknown load ${which}`);
  await autocannon({ ...chosen, connections: 10, duration: 1 });
  if (which === 'code') chosen.amount = setup.codes.length - 100; // amount overrides duration
  await fetch(`${base}/__profile/start`);
  const result = await autocannon({ ...chosen, connections: 10, duration: SECONDS });
  await fetch(`${base}/__profile/stop`);
  child.kill();
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no profile');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const requests = result.requests.total;
  console.log(
    `${which}: ${requests} requests, ${Math.round(result.requests.average)} req/s, failed ${result.errors + result.non2xx}`,
  );
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const url = n.callFrame.url
      .replace(/^.*node_modules\//, 'nm:')
      .replace(/^.*\/dist\//, '')
      .replace(/^file:\/\//, '');
    return `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (node === undefined) return;
    all += dt;
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  });
  const per = (us: number) => (us / requests).toFixed(1);
  console.log(`sampled ${per(all)} µs/req in all`);
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log('--- self');
  for (const [l, t] of top(self, Number(process.env.TOP ?? 45))) console.log(per(t).padStart(7), l);
  console.log('--- inclusive');
  for (const [l, t] of top(total, Number(process.env.TOP ?? 45) * 2)) console.log(per(t).padStart(7), l);
}
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
