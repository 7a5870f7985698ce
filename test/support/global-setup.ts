/**
 * Jest global setup of the projects that need both database servers (jest.config.js): a
 * MongoDB-protocol server (test/support/mongo-global-setup.ts) and a PostgreSQL server
 * (test/support/postgres-global-setup.ts), started side by side (they are independent). If one
 * fails, the other is stopped.
 */
import mongoGlobalSetup from './mongo-global-setup';
import mongoGlobalTeardown from './mongo-global-teardown';
import postgresGlobalSetup from './postgres-global-setup';
import postgresGlobalTeardown from './postgres-global-teardown';

export default async function globalSetup(): Promise<void> {
  const results = await Promise.allSettled([mongoGlobalSetup(), postgresGlobalSetup()]);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.allSettled([mongoGlobalTeardown(), postgresGlobalTeardown()]);
    throw failed.reason;
  }
}
