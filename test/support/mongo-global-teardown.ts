/** Jest global teardown: stops the FerretDB of the global setup and removes its directory. */
import { READY_KEY, SERVER_KEY } from './mongo-global-setup';

export default async function mongoGlobalTeardown(): Promise<void> {
  Reflect.deleteProperty(globalThis, READY_KEY);
  const server: unknown = Reflect.get(globalThis, SERVER_KEY);
  if (typeof server !== 'object' || server === null || !('dispose' in server)) return;
  const { dispose } = server;
  if (typeof dispose === 'function') await dispose();
  Reflect.deleteProperty(globalThis, SERVER_KEY);
}
