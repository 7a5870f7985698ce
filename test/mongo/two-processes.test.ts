/**
 * Two example-provider processes on one MongoDB database, as behind a load balancer: the
 * properties of test/support/two-processes.ts (a code issued by one is redeemed at the other,
 * single use and revocation hold across them, a consent form shown by one is accepted by the
 * other).
 *
 * The processes run test/support/example-provider-process.ts with `node --import tsx`; they are
 * killed in `afterAll` whatever happened, and exit by themselves if this process dies (stdin).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { MongoAdapter } from '../../adapters/mongo';
import { connect, dropAndClose, mongoUri } from '../support/mongo-server';
import { scaled } from '../support/time-scale';
import {
  itSharesStateAcrossProcesses,
  type ProviderProcess,
  startProviderProcess,
  stopAllProcesses,
} from '../support/two-processes';

const SCRIPT = join(__dirname, '..', 'support', 'example-provider-process.ts');
const START_WITHIN_MS = scaled(30_000);

let connection: Connection;
let adapter: MongoAdapter;
let a: ProviderProcess;
let b: ProviderProcess;

beforeAll(async () => {
  connection = await connect('two_processes');
  adapter = new MongoAdapter({ connection, logger: () => {} });
  await adapter.ensureIndexes();
  const env = {
    MONGODB_URI: mongoUri(),
    OAUTH_DB_NAME: connection.name,
    ISSUER: 'http://oauth.test',
    CSRF_SECRET: randomBytes(24).toString('hex'),
    SESSION_SECRET: randomBytes(24).toString('hex'),
  };
  const start = (name: string) =>
    startProviderProcess({
      name,
      script: SCRIPT,
      env,
      readyPort: (output) => Number(/^listening (\d+)$/m.exec(output)?.[1] ?? Number.NaN) || null,
      startWithinMs: START_WITHIN_MS,
    });
  [a, b] = await Promise.all([start('A'), start('B')]);
}, START_WITHIN_MS + 10_000);

afterAll(async () => {
  await stopAllProcesses();
  if (connection !== undefined) await dropAndClose(connection);
});

describe('two provider processes on one MongoDB database', () => {
  itSharesStateAcrossProcesses(() => ({ a, b, adapter }));
});
