/**
 * A real PostgreSQL server for the tests: `DATABASE_URL` when it is set (a `postgres://` URL of a
 * role that may create databases), otherwise a throwaway cluster: `initdb` into a fresh temporary
 * directory and `pg_ctl start` on a free loopback port, about two seconds.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root the server's commands run as
 * the `postgres` user (Debian's package creates it), on a directory handed to that user. The
 * binaries are searched in `PG_BIN`, then the newest `/usr/lib/postgresql/<version>/bin`, then
 * `PATH`. Each test file gets a database of its own ({@link createDatabase}).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';
import { scaled } from './time-scale';

/** Set by the global setup for the test workers: a URL of the server's `postgres` database. */
export const PG_URL_ENV = 'OAUTH_TEST_POSTGRES_URL';
export const PG_BIN_ENV = 'OAUTH_TEST_POSTGRES_BIN';

const run = promisify(execFile);
type Log = (message: string) => void;

/** The admin URL the global setup chose (`DATABASE_URL` or its own cluster). */
export function postgresUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (url === undefined || url === '') {
    throw new Error(
      `${PG_URL_ENV} is not set: run tests through jest (globalSetup test/support/postgres-global-setup.ts)`,
    );
  }
  return url;
}

/** The directory holding `initdb`, `pg_ctl` and `postgres`. */
export async function findPostgresBin(): Promise<string> {
  const given = process.env[PG_BIN_ENV] ?? process.env.PG_BIN;
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (newest !== undefined) return join(root, newest, 'bin');
  try {
    const found = execFileSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).trim();
    if (found !== '') return join(found, '..');
  } catch {
    // not on PATH either
  }
  throw new Error(
    'PostgreSQL is not installed: `apt-get install postgresql` (or set PG_BIN, or DATABASE_URL to a server)',
  );
}

/** The uid/gid to run the server as: `postgres` when we are root, ourselves otherwise. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A throwaway PostgreSQL cluster. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; the same across `restart()`. */
  url: string;
  port: number;
  dir: string;
  /** Milliseconds the last start took, until `pg_ctl -w` saw the server accept connections. */
  readyMs: number;
  /** Stops the server: `immediate` (default) is an abrupt outage, `fast` a clean shutdown. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Starts a new cluster in a temporary directory on a free 127.0.0.1 port. */
export async function startPostgres(log: Log = () => {}): Promise<PostgresServer> {
  const bin = await findPostgresBin();
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'oauth-postgres-'));
  if (user !== undefined) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const pg = (command: string, args: string[]) =>
    run(join(bin, command), args, {
      ...user,
      cwd: dir,
      timeout: scaled(60_000),
      env: { ...process.env, LC_ALL: 'C' },
    });
  const initStarted = Date.now();
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  log(`PostgreSQL: initdb in ${Date.now() - initStarted} ms (${bin})`);
  const port = await freePort();
  // A test server: no fsync (a crash of the server process loses nothing, only a crash of the
  // machine would), sockets in our folder. synchronous_commit stays on: with it off, an abrupt
  // stop (the outage tests) loses the last commits.
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const waitSeconds = String(Math.round(scaled(60_000) / 1000));
  const start = async () => {
    const started = Date.now();
    await pg('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      options,
      '-w',
      '-t',
      waitSeconds,
      'start',
    ]);
    return Date.now() - started;
  };
  const server: PostgresServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    readyMs: await start(),
    async stop(mode = 'immediate') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch((error: unknown) => {
        // Already stopped is fine; anything else is not.
        if (!String(error).includes('Is server running?')) throw error;
      });
    },
    async restart() {
      await server.stop();
      server.readyMs = await start();
    },
    async dispose() {
      await server.stop('immediate');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A URL like `base` for another database. */
export function withDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates a database of its own (`name` plus a random suffix) on the server of the global setup,
 * or on `base`, and returns its URL and a `drop()` that removes it.
 */
export async function createDatabase(
  name: string,
  base: string = postgresUrl(),
): Promise<{ url: string; database: string; drop(): Promise<void> }> {
  const database = `${name
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 40)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base, connectionTimeoutMillis: scaled(10_000) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(base, database),
    database,
    async drop() {
      const client = new Client({ connectionString: base, connectionTimeoutMillis: scaled(10_000) });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
