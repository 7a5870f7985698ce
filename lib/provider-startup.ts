/**
 * What a provider does once, after `createProvider()` returns: storing the configured clients.
 * `createProvider()` is synchronous and storage is not, so the work starts at once and
 * `provider.ready` settles when it is done. Every endpoint waits for it (the `awaitStart` step),
 * so no request sees a configured client's old secret; if it failed (storage down), the next
 * request tries again, so the provider recovers by itself, as it does from any outage.
 */
export class ProviderStartup {
  /** The first attempt: hosts `await provider.ready` before they listen. */
  readonly ready: Promise<void>;
  #current: Promise<void>;
  #done = false;

  constructor(
    private readonly work: () => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.ready = this.#attempt();
    this.#current = this.ready;
    // Reported, and never an unhandled rejection when the host does not await `ready`.
    this.ready.catch(onError);
  }

  #attempt(): Promise<void> {
    return this.work().then(() => {
      this.#done = true;
    });
  }

  /**
   * Resolves once the start-up work has succeeded; while an attempt runs, waits for it; after a
   * failed one, starts another (one at a time) and waits for that.
   */
  whenStarted(): Promise<void> | undefined {
    if (this.#done) return undefined;
    const current = this.#current;
    return current.then(undefined, () => {
      // Several requests may see the same failure: only the first starts a new attempt.
      if (this.#current === current) this.#current = this.#attempt();
      return this.#current;
    });
  }
}
