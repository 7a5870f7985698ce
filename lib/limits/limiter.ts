import { type Description, TooManyRequestsError } from '../errors/http-error';
import { TemporarilyUnavailableError } from '../errors/oauth-error';
import type { ProviderEventMap, ProviderEvents } from '../events/provider-events';
import type { RateLimitCounter, RateLimitResult, RateLimitSpec } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import { memoryCounter } from './flexible-counter';
import type { RateLimitOption, ResolvedLimits } from './limit-options';
import { MemoryCounter } from './memory-counter';

/** The endpoints whose requests are counted per address and per client. */
export type LimitedEndpoint = 'token' | 'device_code' | 'revocation' | 'introspection';

/** Who a limit counts: an address (pseudonymous), a client, a user. */
export interface LimitKey {
  kind: ProviderEventMap['limit.exceeded']['keyKind'];
  /** The raw value: `req.ip`, a `client_id`, a user id. Hashed before it reaches a store or an event. */
  value: string;
  clientId?: string | null;
  userId?: string | null;
}

/** An address as events and stores see it: not the address, but always the same for one. */
export function addressPseudonym(address: string): string {
  return sha256Hex(`address:${address}`).slice(0, 16);
}

/** How many keys' hashes the limiter keeps (the recent callers), and how long a key it keeps one of. */
const KEY_MEMO_SIZE = 10_000;
const KEY_MEMO_LENGTH = 200;

/**
 * The provider's rate limits, one counter per limit (from the adapter's `createRateLimiter`, so
 * processes on one store share one budget, or in process memory). A counter whose store fails
 * answers 503: limits fail **closed**. They guard the store against floods, and a store that
 * cannot count cannot serve the request either (the counters live in the same database).
 */
export class Limiter {
  readonly #counters = new Map<string, RateLimitCounter>();
  /** Each key's store key, so a caller's requests hash it once, not three times each (a hash is 2–3 µs). */
  readonly #storeKeys = new Map<string, string>();

  constructor(
    readonly limits: ResolvedLimits,
    private readonly create: ((spec: RateLimitSpec) => RateLimitCounter) | undefined,
    private readonly events: ProviderEvents,
    private readonly onError: (error: unknown) => void,
    deviceCodeTtl: number,
  ) {
    const endpoints: LimitedEndpoint[] = ['token', 'device_code', 'revocation', 'introspection'];
    for (const endpoint of endpoints) {
      this.#add(`${endpoint}.address`, limits.perAddress);
      this.#add(`${endpoint}.client`, limits.perClient);
    }
    this.#add('client_authentication.failures', limits.failedClientAuthentications);
    this.#add('registration.address', limits.registrationsPerAddress);
    this.#add('client_document.address', limits.documentFetchesPerAddress);
    if (limits.deviceCodesPerClient !== null) {
      this.#add('device_code.outstanding', {
        points: limits.deviceCodesPerClient,
        durationSeconds: deviceCodeTtl,
      });
    }
  }

  #add(name: string, rate: RateLimitOption | null): void {
    if (rate === null) return;
    const spec: RateLimitSpec = { name, ...rate };
    this.#counters.set(name, this.create ? this.create(spec) : memoryCounter(spec));
  }

  /** The key as stores and counters see it: a hash of who it is, never the raw value. */
  #storeKey(key: LimitKey): string {
    const raw = `${key.kind}:${key.value}`;
    if (raw.length > KEY_MEMO_LENGTH) return sha256Hex(raw).slice(0, 40);
    let hashed = this.#storeKeys.get(raw);
    if (hashed === undefined) {
      hashed = sha256Hex(raw).slice(0, 40);
      if (this.#storeKeys.size >= KEY_MEMO_SIZE) this.#storeKeys.clear();
      this.#storeKeys.set(raw, hashed);
    }
    return hashed;
  }

  /**
   * Asks a counter: at once for one in this process's memory (no promise on the hot path), else
   * through its store; a store's failure is a 503.
   */
  #ask(counter: RateLimitCounter, key: LimitKey, peek: boolean): RateLimitResult | Promise<RateLimitResult> {
    const storeKey = this.#storeKey(key);
    if (counter instanceof MemoryCounter) {
      return peek ? counter.peekNow(storeKey) : counter.consumeNow(storeKey);
    }
    const unavailable = (error: unknown): never => {
      this.onError(error);
      throw new TemporarilyUnavailableError();
    };
    try {
      // `Promise.resolve`: a counter written in plain JavaScript may answer without a promise.
      return Promise.resolve(peek ? counter.peek(storeKey) : counter.consume(storeKey)).then(
        undefined,
        unavailable,
      );
    } catch (error) {
      return unavailable(error);
    }
  }

  #judge(
    limit: string,
    key: LimitKey,
    peek: boolean,
    description: Description | undefined,
  ): void | Promise<void> {
    const counter = this.#counters.get(limit);
    if (counter === undefined) return;
    const answer = (result: RateLimitResult): void => {
      if (!result.allowed) throw this.refusal(limit, key, result.retryAfterSeconds, description);
    };
    const result = this.#ask(counter, key, peek);
    return result instanceof Promise ? result.then(answer) : answer(result);
  }

  /** Reports a refusal and builds its 429. */
  refusal(
    limit: string,
    key: LimitKey,
    retryAfterSeconds: number,
    description?: Description,
  ): TooManyRequestsError {
    this.events.emit('limit.exceeded', {
      limit,
      keyKind: key.kind,
      clientId: key.clientId ?? null,
      userId: key.userId ?? null,
      address: key.kind === 'address' ? addressPseudonym(key.value) : null,
    });
    return new TooManyRequestsError(retryAfterSeconds, description);
  }

  /**
   * Counts one request against `limit` (if it is on); throws the 429 once over it. Synchronous
   * for counters in this process's memory (a step need not await it then).
   */
  consume(limit: string, key: LimitKey, description?: Description): void | Promise<void> {
    return this.#judge(limit, key, false, description);
  }

  /** Throws the 429 if `key` is over `limit` now, without counting anything. */
  refuseIfBlocked(limit: string, key: LimitKey, description?: Description): void | Promise<void> {
    return this.#judge(limit, key, true, description);
  }
}
