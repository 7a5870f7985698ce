/**
 * A real MongoDB-protocol server for the tests: `MONGODB_URI` when it is set, otherwise FerretDB
 * (SQLite backend) started from a fresh temporary directory on a free loopback port.
 *
 * FerretDB's binary is searched for in `FERRETDB_BIN`, `PATH`, this project's cache
 * (`~/.cache/express-oauth-provider/ferretdb-v1.24.2/`) and `$(go env GOPATH)/bin`; each
 * candidate must answer `--version`. If none does, it is built from the Go module proxy.
 * Not with `go install …/cmd/ferretdb@v1.24.2`: that binary panics at start ("Invalid
 * build/version/version.txt file content"), because the module zip lacks the generated
 * `version.txt`. So the module source is copied, `version.txt` written, and `go build` run: about
 * 2 minutes on a fresh machine, a few seconds with a warm Go cache.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { access, chmod, cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createConnection as tcpConnect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import mongoose, { type Connection } from 'mongoose';
import { freePort } from './free-port';
import { scaled } from './time-scale';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** Set by the global setup for the test workers. */
export const URI_ENV = 'OAUTH_TEST_MONGODB_URI';
export const BIN_ENV = 'OAUTH_TEST_FERRETDB_BIN';

const run = promisify(execFile);
type Log = (message: string) => void;
const defaultLog: Log = (message) => console.log(message);

/** The URI of the server the global setup chose (`MONGODB_URI` or its FerretDB). */
export function mongoUri(): string {
  const uri = process.env[URI_ENV];
  if (uri === undefined || uri === '') {
    throw new Error(
      `${URI_ENV} is not set: run tests through jest (globalSetup test/support/mongo-global-setup.ts)`,
    );
  }
  return uri;
}

/**
 * A mongoose connection (never the default one) to a database of its own: `name` plus a random
 * suffix, so test files and runs never share data. Fails within ~5 s (scaled) if the server is down.
 * Close it with {@link dropAndClose}.
 */
export async function connect(name: string, uri: string = mongoUri()): Promise<Connection> {
  const dbName = `${name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${randomBytes(4).toString('hex')}`;
  const connection = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: scaled(5_000) });
  await connection.asPromise();
  return connection;
}

/** Drops the connection's database, then closes the connection. */
export async function dropAndClose(connection: Connection): Promise<void> {
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

// ---- finding or building the binary -------------------------------------------------------------

async function version(binary: string): Promise<string | null> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: scaled(10_000) });
    return /^version: (\S+)/m.exec(stdout)?.[1] ?? null;
  } catch {
    return null; // missing, not executable, or the `go install` build that panics
  }
}

async function goPath(): Promise<string | null> {
  try {
    return (await run('go', ['env', 'GOPATH'])).stdout.trim() || null;
  } catch {
    return null;
  }
}

function cachePath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'express-oauth-provider', `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
}

/** A path to a working `ferretdb` binary, building one if needed. */
export async function resolveFerretDb(log: Log = defaultLog): Promise<string> {
  const gopath = await goPath();
  const candidates = [
    process.env[BIN_ENV],
    process.env.FERRETDB_BIN,
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .map((dir) => (dir === '' ? undefined : join(dir, 'ferretdb'))),
    cachePath(),
    gopath === null ? undefined : join(gopath, 'bin', 'ferretdb'),
  ];
  for (const candidate of new Set(candidates)) {
    if (candidate === undefined) continue;
    if (
      !(await access(candidate).then(
        () => true,
        () => false,
      ))
    )
      continue;
    if ((await version(candidate)) !== null) return candidate;
    log(
      `FerretDB: ignoring ${candidate}: \`--version\` fails (a \`go install\` build of v1.24 panics at start)`,
    );
  }
  await buildFerretDb(cachePath(), log);
  return cachePath();
}

async function buildFerretDb(target: string, log: Log): Promise<void> {
  const started = Date.now();
  log(
    `FerretDB: building ${FERRETDB_VERSION} from the Go module proxy into ${target} (about 2 min the first time)`,
  );
  let download: string;
  try {
    download = (await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`]))
      .stdout;
  } catch (error) {
    throw new Error(
      'FerretDB is not installed and could not be built (is Go installed?). Install Go, set FERRETDB_BIN ' +
        `to a ferretdb binary, or set MONGODB_URI to a running MongoDB. Cause: ${String(error)}`,
    );
  }
  const parsed: unknown = JSON.parse(download);
  const moduleDir = typeof parsed === 'object' && parsed !== null && 'Dir' in parsed ? parsed.Dir : undefined;
  if (typeof moduleDir !== 'string')
    throw new Error(`FerretDB: unexpected \`go mod download\` output: ${download}`);
  const src = await mkdtemp(join(tmpdir(), 'ferretdb-src-'));
  try {
    await cp(moduleDir, src, { recursive: true });
    // The module cache is read-only; the copy's directories must be writable to add a file and
    // to be removed afterwards.
    await chmod(src, 0o755);
    for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory()) await chmod(join(entry.parentPath, entry.name), 0o755);
    }
    // What `bin/task gen-version` would write; without it the binary panics at start.
    await writeFile(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    await mkdir(join(target, '..'), { recursive: true });
    const partial = `${target}.${process.pid}.tmp`;
    await run('go', ['build', '-buildvcs=false', '-o', partial, './cmd/ferretdb'], {
      cwd: src,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(partial, target);
  } finally {
    await rm(src, { recursive: true, force: true });
  }
  log(`FerretDB: built ${FERRETDB_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ---- running it ---------------------------------------------------------------------------------

/** A FerretDB process and its data directory. */
export interface FerretDbServer {
  /** `mongodb://127.0.0.1:<port>/`; the same across `restart()`. */
  uri: string;
  binary: string;
  /** The temporary directory holding its SQLite files, state and log. */
  dir: string;
  /** Milliseconds from spawn until it accepted a connection, for the last (re)start. */
  readyMs: number;
  /**
   * Stops the process, by default abruptly (SIGKILL: an outage, immediate); `{ graceful: true }`
   * sends SIGTERM instead. The data stays for `restart()`.
   */
  stop(options?: { graceful?: boolean }): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function launch(
  binary: string,
  dir: string,
  port: number,
): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = Date.now();
  const logPath = join(dir, 'ferretdb.log');
  const logFd = openSync(logPath, 'a');
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${join(dir, 'data')}/`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-', // no metrics listener: it would clash between instances on 8088
    '--telemetry=disable',
    '--log-level=warn',
  ];
  const child = spawn(binary, args, {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, DO_NOT_TRACK: '1' },
  });
  closeSync(logFd);
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const process of live) process.kill('SIGKILL');
    });
  }
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > scaled(20_000)) {
      child.kill('SIGKILL');
      throw new Error(`FerretDB did not start on port ${port}; see ${logPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, readyMs: Date.now() - started };
}

/**
 * SIGKILL by default: an abrupt outage, at once (SQLite keeps every committed write). A graceful
 * SIGTERM takes FerretDB 3 s while a client is still connected.
 */
async function terminate(child: ChildProcess, graceful = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts FerretDB (SQLite backend) in a new temporary directory on a free 127.0.0.1 port. */
export async function startFerretDb(log: Log = defaultLog): Promise<FerretDbServer> {
  const binary = await resolveFerretDb(log);
  const dir = await mkdtemp(join(tmpdir(), 'oauth-ferretdb-'));
  await mkdir(join(dir, 'data'));
  const port = await freePort();
  let { child, readyMs } = await launch(binary, dir, port);
  const server: FerretDbServer = {
    uri: `mongodb://127.0.0.1:${port}/`,
    binary,
    dir,
    readyMs,
    stop: (options) => terminate(child, options?.graceful),
    async restart() {
      await terminate(child);
      ({ child, readyMs } = await launch(binary, dir, port));
      server.readyMs = readyMs;
    },
    async dispose() {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * A FerretDB of the test's own, for tests that stop the database mid-test (outages). Call
 * `dispose()` in `afterAll`. Uses the binary the global setup found.
 */
export function startPrivateFerretDb(): Promise<FerretDbServer> {
  return startFerretDb();
}
