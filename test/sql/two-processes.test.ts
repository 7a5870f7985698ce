/**
 * Two example-provider processes on one SQL database, as behind a load balancer: each is
 * `examples/provider/server.ts` started with the same `DATABASE_URL` (a PostgreSQL database of
 * its own, then a SQLite file), so both run the migrations at the same moment on start; then the
 * properties of test/support/two-processes.ts (a code issued by one is redeemed at the other,
 * single use and revocation hold across them, a consent form shown by one is accepted by the
 * other).
 *
 * The processes run with `node --import tsx`; they are killed in `afterAll` whatever happened.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { createDatabase } from '../support/postgres-server';
import { migrationNames, openSqlStore, type SqlStore } from '../support/sql-adapters';
import { scaled } from '../support/time-scale';
import {
  itSharesStateAcrossProcesses,
  type ProviderProcess,
  startProviderProcess,
  stopAllProcesses,
} from '../support/two-processes';

const SERVER = join(__dirname, '..', '..', 'examples', 'provider', 'server.ts');
const START_WITHIN_MS = scaled(60_000);

describe.each(['postgres', 'sqlite'] as const)(
  'two provider processes on one SQL database (%s)',
  (dialect) => {
    let a: ProviderProcess;
    let b: ProviderProcess;
    let store: SqlStore;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      let databaseUrl: string;
      if (dialect === 'postgres') {
        const db = await createDatabase('two_processes');
        databaseUrl = db.url;
        cleanup = () => db.drop();
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'oauth-two-processes-'));
        databaseUrl = `sqlite:${join(dir, 'oauth.db')}`;
        cleanup = () => rm(dir, { recursive: true, force: true });
      }
      const env = {
        DATABASE_URL: databaseUrl,
        MONGODB_URI: '',
        ISSUER: 'http://oauth.test',
        CSRF_SECRET: randomBytes(24).toString('hex'),
        SESSION_SECRET: randomBytes(24).toString('hex'),
      };
      const start = async (name: string) => {
        const port = await freePort();
        return startProviderProcess({
          name: `${name} (${dialect})`,
          script: SERVER,
          env: { ...env, PORT: String(port) },
          readyPort: (output) => (output.includes('Example OAuth provider on') ? port : null),
          startWithinMs: START_WITHIN_MS,
        });
      };
      // Both start at once: both run the migrations on the same empty database.
      [a, b] = await Promise.all([start('A'), start('B')]);
      store = await openSqlStore(dialect, 'unused', databaseUrl);
    }, START_WITHIN_MS + 10_000);

    afterAll(async () => {
      await stopAllProcesses();
      await store?.cleanup();
      await cleanup?.();
    });

    it('both migrated the same database at start, and the schema is there once', async () => {
      const migrations = await store.query('SELECT name FROM oauth_migrations');
      expect(migrations.map((row) => row.name)).toEqual(await migrationNames());
    });

    itSharesStateAcrossProcesses(() => ({ a, b, adapter: store.adapter }));
  },
);
