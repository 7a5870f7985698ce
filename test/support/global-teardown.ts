/** Jest global teardown: stops the servers of test/support/global-setup.ts. */
import mongoGlobalTeardown from './mongo-global-teardown';
import postgresGlobalTeardown from './postgres-global-teardown';

export default async function globalTeardown(): Promise<void> {
  await Promise.all([mongoGlobalTeardown(), postgresGlobalTeardown()]);
}
