import type { ConsumeResult, StorageAdapter, TokenKind, TokenRecord } from '../storage/storage-adapter';
import { sha256Hex } from './hash';
import type { TokenFormat } from './token-format';

/**
 * The one place a presented credential — an authorization code, refresh token, device code,
 * access or personal token — is turned back into its record, and where a single-use one is
 * redeemed. The grants, the revocation and introspection endpoints and the guards all come
 * through here (via `TokenService`), so the checks below are written once.
 */

/** What a presented credential's record says about it, most final first. */
export type PresentedState = 'revoked' | 'consumed' | 'expired' | 'live';

/** A presented credential that is ours, of an expected kind, and (if asked) the client's. */
export interface Presented {
  readonly record: TokenRecord;
  /** SHA-256 of the presented value: the key `consumeToken` takes. */
  readonly hash: string;
  /** `revoked` before `consumed` before `expired`: each grant maps them to its own error. */
  readonly state: PresentedState;
}

/** Whether the record's lifetime is over at `now` (lifetimes are set by the core, at minting). */
export function hasExpired(record: TokenRecord, now: Date): boolean {
  return record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime();
}

function stateOf(record: TokenRecord, now: Date): PresentedState {
  if (record.revokedAt !== null) return 'revoked';
  if (record.consumedAt !== null) return 'consumed';
  return hasExpired(record, now) ? 'expired' : 'live';
}

/** Not revoked, not consumed and not expired at `now`. */
export function isLive(record: TokenRecord, now: Date): boolean {
  return stateOf(record, now) === 'live';
}

/**
 * Finds a presented credential:
 * 1. its format (our prefix, length and checksum) must be one of `kinds` — a malformed or foreign
 *    value never reaches storage;
 * 2. it is looked up by its SHA-256 hash (only hashes are stored);
 * 3. the record's kind must be the one the prefix says (a refresh token never passes for an
 *    access token);
 * 4. when `applicationId` is given, the record must have been issued to that client (RFC 6749
 *    §4.1.3, §6: a client redeems only its own codes and tokens).
 * `null` when any of these fails; otherwise the record and its state, for the caller to judge.
 */
export async function findPresented(
  storage: StorageAdapter,
  format: TokenFormat,
  value: string,
  kinds: readonly TokenKind[],
  now: Date,
  applicationId?: string,
): Promise<Presented | null> {
  const kind = format.parse(value);
  if (kind === null || kind === 'client_secret' || !kinds.includes(kind)) return null;
  const hash = sha256Hex(value);
  const record = await storage.findTokenByHash(hash);
  if (record === null || record.kind !== kind) return null;
  if (applicationId !== undefined && record.applicationId !== applicationId) return null;
  return { record, hash, state: stateOf(record, now) };
}

/**
 * "Nothing half-written" for single-use credentials (RFC 6749 §4.1.2, §6; RFC 8628 §3.5): the
 * caller has checked everything, `issue` stores the new tokens, and only then is the presented
 * credential consumed, atomically. A crash between the two leaves the credential usable (and
 * tokens nobody holds), never consumed with no tokens. Of concurrent redemptions exactly one wins
 * (`consumed`, or `within_grace` for a rotated refresh token presented again in its grace
 * window); a loser gets the adapter's outcome back with what it stored, and withdraws that or
 * revokes more, as its grant's replay rule says.
 */
export async function consumeAfterIssue<Issued>(
  storage: StorageAdapter,
  presented: Presented,
  now: Date,
  graceMs: number,
  issue: () => Promise<Issued>,
): Promise<
  | { won: true; issued: Issued; withinGrace: boolean }
  | { won: false; issued: Issued; outcome: ConsumeResult | null }
> {
  const issued = await issue();
  const outcome = await storage.consumeToken(presented.record.kind, presented.hash, now, graceMs);
  if (outcome?.outcome === 'consumed') return { won: true, issued, withinGrace: false };
  if (outcome?.outcome === 'within_grace') return { won: true, issued, withinGrace: true };
  return { won: false, issued, outcome };
}
