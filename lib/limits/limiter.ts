import { type Description, TooManyRequestsError } from '../errors/http-error';
import { TemporarilyUnavailableError } from '../errors/oauth-error';
import type { ProviderEventMap, ProviderEvents } from '../events/provider-events';
import type { RateLimitCounter, RateLimitResult, RateLimitSpec } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import { memoryCounter } from './flexible-counter';
import type { RateLimitOption, ResolvedLimits } from './limit-options';

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

function storeKey(key: LimitKey): string {
  return sha256Hex(`${key.kind}:${key.value}`).slice(0, 40);
}

/**
 * The provider's rate limits, one counter per limit (from the adapter's `createRateLimiter`, so
 * processes on one store share one budget, or in process memory). A counter whose store fails
 * answers 503: limits fail **closed**. They guard the store against floods, and a store that
 * cannot count cannot serve the request either (the counters live in the same database).
 */
export class Limiter {
  readonly #counters = new Map<string, RateLimitCounter>();

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

  async #ask(operation: () => Promise<RateLimitResult>): Promise<RateLimitResult> {
    try {
      return await operation();
    } catch (error) {
      this.onError(error);
      throw new TemporarilyUnavailableError();
    }
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

  /** Counts one request against `limit` (if it is on); throws the 429 once over it. */
  async consume(limit: string, key: LimitKey, description?: Description): Promise<void> {
    const counter = this.#counters.get(limit);
    if (counter === undefined) return;
    const result = await this.#ask(() => counter.consume(storeKey(key)));
    if (!result.allowed) throw this.refusal(limit, key, result.retryAfterSeconds, description);
  }

  /** Throws the 429 if `key` is over `limit` now, without counting anything. */
  async refuseIfBlocked(limit: string, key: LimitKey, description?: Description): Promise<void> {
    const counter = this.#counters.get(limit);
    if (counter === undefined) return;
    const result = await this.#ask(() => counter.peek(storeKey(key)));
    if (!result.allowed) throw this.refusal(limit, key, result.retryAfterSeconds, description);
  }
}
