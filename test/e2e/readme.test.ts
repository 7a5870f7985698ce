/**
 * The README's shell examples run as printed against the example provider (`npm start`). Every
 * ```sh block in the sections below runs, in order, in one bash process, against
 * `examples/provider/server.ts` started on a free port (`PORT`, `ISSUER`); the only change made
 * to the text is the base URL (`http://localhost:3000` → that port). A block whose first line
 * is `# not run: <reason>` is skipped, visibly: it gets a test of its own that names the reason.
 * Any curl that answers HTTP 400 or more fails its block.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { scaled } from '../support/time-scale';

const ROOT = join(__dirname, '..', '..');
const README_BASE = 'http://localhost:3000';
/** The README sections whose sh blocks run (by heading text). */
const RUN_SECTIONS = ['Walk-through with curl', 'Endpoints', 'Settings pages and JSON API'];
const NOT_RUN = /^# not run: (.+)$/;

interface Block {
  index: number;
  section: string;
  line: number;
  text: string;
  skipReason: string | null;
}

/** The sh blocks of the run sections, in README order. */
function readmeBlocks(readme: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heading = /^#{2,3} (.+)$/.exec(line);
    if (heading?.[1] !== undefined) section = heading[1].trim();
    if (line !== '```sh' || !RUN_SECTIONS.includes(section)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const text = lines.slice(start, end).join('\n');
    const reason = NOT_RUN.exec(lines[start] ?? '')?.[1] ?? null;
    blocks.push({ index: blocks.length + 1, section, line: start, text, skipReason: reason });
    i = end;
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const runnable = blocks.filter((block) => block.skipReason === null);
const skipped = blocks.filter((block) => block.skipReason !== null);

async function waitUntilUp(base: string, server: ChildProcess, log: () => string): Promise<void> {
  // Bounded by attempts, not a deadline: tsx's start-up is slow on a busy machine.
  for (let attempt = 0; attempt < 600; attempt++) {
    if (server.exitCode !== null) throw new Error(`the example exited (${server.exitCode}):\n${log()}`);
    try {
      const response = await fetch(`${base}/.well-known/oauth-authorization-server`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the example did not answer:\n${log()}`);
}

/** Each block's output by block index, and the index of the block that failed (if one did). */
interface Run {
  outputs: Map<number, string>;
  failed: number | null;
  stderr: string;
}

const PREAMBLE = `set -euo pipefail
# Any HTTP answer of 400 or more fails the block, saying which request it was.
curl() {
  local status=0
  command curl --show-error --fail-with-body "$@" || status=$?
  if [ "$status" -ne 0 ]; then echo "README check: curl $* failed (exit $status)" >&2; fi
  return "$status"
}
`;

function runBlocks(base: string, work: string): Promise<Run> {
  const script = [
    PREAMBLE,
    ...runnable.map(
      (block) => `printf '\\n::block %d\\n' ${block.index}\n${block.text.replaceAll(README_BASE, base)}\n`,
    ),
    "printf '\\n::done\\n'",
  ].join('\n');
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', script],
      { cwd: work, timeout: scaled(180_000), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const outputs = new Map<number, string>();
        let current: number | null = null;
        for (const line of stdout.split('\n')) {
          const marker = /^::block (\d+)$/.exec(line);
          if (marker?.[1] !== undefined) {
            current = Number(marker[1]);
            outputs.set(current, '');
          } else if (line === '::done') {
            current = null;
          } else if (current !== null) {
            outputs.set(current, `${outputs.get(current)}${line}\n`);
          }
        }
        const finished = stdout.includes('\n::done');
        resolve({ outputs, failed: error === null && finished ? null : current, stderr });
      },
    );
  });
}

let run: Run;
let server: ChildProcess | undefined;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'eop-readme-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ISSUER: base };
  // The memory adapter, as a reader's first `npm start` has it.
  delete env.MONGODB_URI;
  delete env.DATABASE_URL;
  let log = '';
  server = spawn(process.execPath, ['--import', 'tsx', 'examples/provider/server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  await waitUntilUp(base, server, () => log);
  run = await runBlocks(base, work);
}, scaled(300_000));

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('README shell examples against npm start', () => {
  it('finds the walk-through, the endpoint and the settings examples', () => {
    expect(new Set(runnable.map((block) => block.section))).toEqual(new Set(RUN_SECTIONS));
  });

  it.each(runnable.map((block) => [`${block.section}, line ${block.line}`, block] as const))(
    'runs the block at %s as printed',
    (_where, block) => {
      const output = run.outputs.get(block.index);
      if (run.failed === block.index) {
        throw new Error(`this block failed:\n${output ?? ''}\n--- stderr ---\n${run.stderr.slice(-4000)}`);
      }
      if (run.failed !== null && run.failed < block.index)
        throw new Error(`not reached: block ${run.failed} failed`);
      expect(output).toBeDefined();
    },
  );

  it.each(skipped.map((block) => [`${block.section}, line ${block.line}`, block.skipReason] as const))(
    'skips the block at %s, marked "# not run: %s"',
    (_where, reason) => {
      expect(reason).toMatch(/\w{3,}/);
    },
  );
});

describe('what the walk-through shows', () => {
  it('ends in a call to the API as alice, and a remembered consent answers with a redirect', () => {
    const walk = runnable.find((block) => block.section === 'Walk-through with curl');
    const output = walk === undefined ? '' : (run.outputs.get(walk.index) ?? '');
    expect(output).toContain('{"id":"1","login":"alice"}');
    expect(output).toMatch(/^302 http:\/\/127\.0\.0\.1:8080\/callback\?code=eoc_\w+&state=again&iss=/m);
  });
});
