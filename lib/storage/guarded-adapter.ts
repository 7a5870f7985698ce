import { TemporarilyUnavailableError } from '../errors/oauth-error';
import type { StorageAdapter } from './storage-adapter';

/**
 * Wraps an adapter so that any storage failure surfaces as `TemporarilyUnavailableError`
 * (503 `temporarily_unavailable`) instead of a 500 with internals. Nothing is retried here: the
 * client retries, and the next request reaches the adapter again, so the provider recovers by
 * itself once storage is back.
 */
export function guardAdapter(adapter: StorageAdapter, onError: (error: unknown) => void): StorageAdapter {
  const guarded: Partial<Record<keyof StorageAdapter, unknown>> = {};
  const prototypeChain = new Set<string>();
  for (
    let object: object | null = adapter;
    object && object !== Object.prototype;
    object = Object.getPrototypeOf(object)
  ) {
    for (const key of Object.getOwnPropertyNames(object)) prototypeChain.add(key);
  }
  for (const key of prototypeChain) {
    const member: unknown = Reflect.get(adapter, key);
    // `createRateLimiter` is synchronous, and its counters' failures are the limiter's to answer.
    if (key === 'constructor' || key === 'createRateLimiter' || typeof member !== 'function') continue;
    const fail = (error: unknown): never => {
      onError(error);
      throw new TemporarilyUnavailableError();
    };
    // Not an async function: one `.then` on the adapter's promise is all the hot path pays.
    guarded[key as keyof StorageAdapter] = (...args: unknown[]): Promise<unknown> => {
      try {
        return Promise.resolve(Reflect.apply(member, adapter, args)).then(undefined, fail);
      } catch (error) {
        onError(error);
        return Promise.reject(new TemporarilyUnavailableError());
      }
    };
  }
  return guarded as StorageAdapter;
}
