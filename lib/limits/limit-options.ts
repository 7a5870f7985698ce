import { ConfigurationError } from '../errors/configuration-error';

/** A rate: at most `points` requests per key in a window of `durationSeconds`. */
export interface RateLimitOption {
  points: number;
  durationSeconds: number;
  /** How long a key that went over is refused, in seconds; default: the rest of its window. */
  blockSeconds?: number;
}

/**
 * The `limits` option: each limit a rate or a cap, `false` to turn that one off; `limits: false`
 * turns them all off. Left-out limits keep their defaults ({@link DEFAULT_LIMITS}).
 */
export interface LimitsOptions {
  /** Requests per client address (`req.ip`) to each of the token, device authorization, revocation and introspection endpoints. */
  perAddress?: RateLimitOption | false;
  /** Requests per authenticated client to each of those endpoints. */
  perClient?: RateLimitOption | false;
  /** Failed client authentications per `client_id`; over it, the client is refused with 429 for `blockSeconds`. */
  failedClientAuthentications?: RateLimitOption | false;
  /** RFC 7591 registration requests per client address (`dynamicRegistration`). */
  registrationsPerAddress?: RateLimitOption | false;
  /** Client metadata documents fetched for authorization requests from one client address (`clientMetadataDocuments`; cached documents are not counted). */
  documentFetchesPerAddress?: RateLimitOption | false;
  /** Device authorizations a client may start within one device code lifetime (`deviceCodeTtl`). */
  deviceCodesPerClient?: number | false;
  /** Live codes, access tokens and refresh tokens of each kind per user (or client, without a user) × application × scope set; past it the oldest are revoked, as GitHub does. */
  tokensPerScopeSet?: number | false;
  /** Applications one user may register (host code creating one without an owner is not counted). */
  applicationsPerUser?: number | false;
  /** Live personal access tokens one user may hold. */
  personalTokensPerUser?: number | false;
}

/** Every limit, resolved: `null` where it is off. */
export interface ResolvedLimits {
  perAddress: RateLimitOption | null;
  perClient: RateLimitOption | null;
  failedClientAuthentications: RateLimitOption | null;
  registrationsPerAddress: RateLimitOption | null;
  documentFetchesPerAddress: RateLimitOption | null;
  deviceCodesPerClient: number | null;
  tokensPerScopeSet: number | null;
  applicationsPerUser: number | null;
  personalTokensPerUser: number | null;
}

/** The library's defaults, written down in the README's "Security defaults". */
export const DEFAULT_LIMITS: Readonly<ResolvedLimits> = Object.freeze({
  perAddress: Object.freeze({ points: 1200, durationSeconds: 60 }),
  perClient: Object.freeze({ points: 3000, durationSeconds: 60 }),
  failedClientAuthentications: Object.freeze({ points: 20, durationSeconds: 300, blockSeconds: 300 }),
  registrationsPerAddress: Object.freeze({ points: 20, durationSeconds: 3600 }),
  documentFetchesPerAddress: Object.freeze({ points: 60, durationSeconds: 600 }),
  deviceCodesPerClient: 1000,
  tokensPerScopeSet: 10,
  applicationsPerUser: 100,
  personalTokensPerUser: 100,
});

const RATES = [
  'perAddress',
  'perClient',
  'failedClientAuthentications',
  'registrationsPerAddress',
  'documentFetchesPerAddress',
] as const;
const CAPS = [
  'deviceCodesPerClient',
  'tokensPerScopeSet',
  'applicationsPerUser',
  'personalTokensPerUser',
] as const;
const KNOWN: ReadonlySet<string> = new Set<string>([...RATES, ...CAPS]);
const MAX = 1_000_000_000;

function whole(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX;
}

function rate(value: unknown, name: string): RateLimitOption | null {
  if (value === false) return null;
  const given: Record<string, unknown> =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const { points, durationSeconds, blockSeconds } = given;
  const extra = Object.keys(given).find(
    (key) => !['points', 'durationSeconds', 'blockSeconds'].includes(key),
  );
  if (
    typeof value !== 'object' ||
    value === null ||
    extra !== undefined ||
    !whole(points, 1) ||
    !whole(durationSeconds, 1) ||
    (blockSeconds !== undefined && !whole(blockSeconds, 0))
  ) {
    throw new ConfigurationError(
      name,
      'must be false or { points, durationSeconds, blockSeconds? } with positive whole numbers',
    );
  }
  return Object.freeze(
    blockSeconds === undefined ? { points, durationSeconds } : { points, durationSeconds, blockSeconds },
  );
}

function cap(value: unknown, name: string): number | null {
  if (value === false) return null;
  if (whole(value, 1)) return value;
  throw new ConfigurationError(name, 'must be false or a positive whole number');
}

/** The `limits` option's check: the defaults, with the host's choices over them. */
export function resolveLimits(value: unknown, name: string): ResolvedLimits {
  if (value === undefined) return DEFAULT_LIMITS;
  if (value === false) {
    return Object.freeze({
      perAddress: null,
      perClient: null,
      failedClientAuthentications: null,
      registrationsPerAddress: null,
      documentFetchesPerAddress: null,
      deviceCodesPerClient: null,
      tokensPerScopeSet: null,
      applicationsPerUser: null,
      personalTokensPerUser: null,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(name, 'must be false or an object of limits');
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN.has(key))
      throw new ConfigurationError(`${name}.${key}`, `is not a limit (known: ${[...KNOWN].join(', ')})`);
  }
  const pick = <K extends keyof ResolvedLimits>(
    key: K,
    read: (v: unknown, n: string) => ResolvedLimits[K],
  ) => (given[key] === undefined ? DEFAULT_LIMITS[key] : read(given[key], `${name}.${key}`));
  return Object.freeze({
    perAddress: pick('perAddress', rate),
    perClient: pick('perClient', rate),
    failedClientAuthentications: pick('failedClientAuthentications', rate),
    registrationsPerAddress: pick('registrationsPerAddress', rate),
    documentFetchesPerAddress: pick('documentFetchesPerAddress', rate),
    deviceCodesPerClient: pick('deviceCodesPerClient', cap),
    tokensPerScopeSet: pick('tokensPerScopeSet', cap),
    applicationsPerUser: pick('applicationsPerUser', cap),
    personalTokensPerUser: pick('personalTokensPerUser', cap),
  });
}
