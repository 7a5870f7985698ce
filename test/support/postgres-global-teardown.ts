/** Jest global teardown: stops the PostgreSQL cluster of the global setup and removes its directory. */
import { POSTGRES_KEY, POSTGRES_READY_KEY } from './postgres-global-setup';

export default async function postgresGlobalTeardown(): Promise<void> {
  Reflect.deleteProperty(globalThis, POSTGRES_READY_KEY);
  const server: unknown = Reflect.get(globalThis, POSTGRES_KEY);
  Reflect.deleteProperty(globalThis, POSTGRES_KEY);
  if (typeof server !== 'object' || server === null || !('dispose' in server)) return;
  const { dispose } = server;
  if (typeof dispose === 'function') await dispose.call(server);
}
