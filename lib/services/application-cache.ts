import type { ApplicationRecord, StorageAdapter } from '../storage/storage-adapter';

/** The most applications the guard's cache holds; past it the oldest entry goes. */
const MAX_ENTRIES = 10_000;

interface Entry {
  record: ApplicationRecord | null;
  expiresAt: number;
}

function frozen(record: ApplicationRecord | null): ApplicationRecord | null {
  if (record === null) return null;
  Object.freeze(record.redirectUris);
  Object.freeze(record.scopes);
  return Object.freeze(record);
}

/**
 * The applications the bearer guard reads, kept for `ttlSeconds`, so a protected request costs one
 * storage round trip (the token) instead of two (the token, then its application) in the steady
 * state. Only the guard reads through it: client authentication, the settings and the admin
 * always read storage, so a reset secret or a deleted client is refused there at once.
 *
 * What stays true:
 * - **In this process**, every application write (`updateApplication`, `deleteApplication`,
 *   `createApplication`: secret reset, scope narrowing, trust change, deletion) goes through
 *   {@link ApplicationCache.watch}'s adapter, which forgets the entry before and after the write;
 *   a read that started before a write never stores its older answer.
 * - **In another process** on the same store, a change reaches the guard within `ttlSeconds`.
 *   Deletion and "revoke all" take effect there at once anyway: they revoke every token of the
 *   application first, and the token itself is read from storage on every request.
 *
 * Records are frozen: whoever reads one cannot change what the next request sees.
 */
export class ApplicationCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  /** Bumped by every write: a load that saw another value in between does not store its answer. */
  #epoch = 0;

  constructor(ttlSeconds: number) {
    this.#ttlMs = ttlSeconds * 1000;
  }

  /** The application `id` if the cache holds a fresh answer for it (`null`: known not to exist), else `undefined`. */
  peek(id: string): ApplicationRecord | null | undefined {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.expiresAt > Date.now() ? entry.record : undefined;
  }

  /** The application `id`, from the cache if fresh, else from `load` (and then cached). */
  get(id: string, load: () => Promise<ApplicationRecord | null>): Promise<ApplicationRecord | null> {
    if (this.#ttlMs === 0) return load();
    const cached = this.peek(id);
    if (cached !== undefined) return Promise.resolve(cached);
    const epoch = this.#epoch;
    return load().then((record) => {
      const stored = frozen(record);
      if (epoch === this.#epoch) this.#remember(id, stored, Date.now());
      return stored;
    });
  }

  /** Drops what the cache holds for `id`. */
  forget(id: string): void {
    this.#epoch += 1;
    this.#entries.delete(id);
  }

  #remember(id: string, record: ApplicationRecord | null, now: number): void {
    this.#entries.delete(id);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(id, { record, expiresAt: now + this.#ttlMs });
  }

  /**
   * `storage` with its application writes watched: each forgets the application it changes,
   * before the write (so no request reads the old record from the cache while it runs) and after
   * it (so a load that raced it is not kept).
   */
  watch(storage: StorageAdapter): StorageAdapter {
    const around =
      <Args extends [string, ...unknown[]], Result>(write: (...args: Args) => Promise<Result>) =>
      (...args: Args): Promise<Result> => {
        const [id] = args;
        this.forget(id);
        return write(...args).finally(() => this.forget(id));
      };
    return {
      ...storage,
      updateApplication: around(storage.updateApplication.bind(storage)),
      deleteApplication: around(storage.deleteApplication.bind(storage)),
      createApplication: (record) => {
        this.forget(record.id);
        return storage.createApplication(record).finally(() => this.forget(record.id));
      },
    };
  }
}
