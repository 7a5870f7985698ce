import { AttemptLimiter } from '../device/attempt-limiter';
import { generateUserCode, normalizeUserCode } from '../device/user-codes';
import { TooManyAttemptsError, UnknownUserCodeError } from '../errors/http-error';
import { InvalidRequestError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import { message } from '../messages/catalog';
import type { ResolvedOptions } from '../options/resolve-options';
import { expandSelection } from '../scopes/resource-access';
import type {
  ApplicationRecord,
  ResourceSelection,
  StorageAdapter,
  TokenRecord,
} from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import { isLive } from '../tokens/redeem';
import type { ApplicationService } from './application-service';
import type { GrantService } from './grant-service';
import type { TokenService, TokenSubject } from './token-service';

/**
 * The device flow (RFC 8628) is stored in ordinary token records, without extending the storage
 * contract. A sub-contract in three roles, all `kind: 'device'`:
 * - the **device code** record: `hash` = SHA-256 of the `…d_…` device code the device polls
 *   with, `familyId` = its own `id`; consumed once, when the device gets its tokens;
 * - the **user code** record: `hash` = SHA-256 of `device-user-code:<CODE>`, `familyId` = the
 *   device code record's `id`; consumed when the user decides (one decision per code);
 * - the **decision** record: `hash` = SHA-256 of `device-decision:<device record id>`, carrying
 *   the user, the grant and the scopes; a denial has no grant (`grantId: null`) and lives, like
 *   an approval, until the device code expires, so no purge turns it back into "pending".
 * The derived hashes cannot collide with a presented token's: those hash `…d_…` strings. An
 * adapter needs nothing special: `findTokenByHash`, `listTokens({ id, kind })`, `consumeToken`
 * and `revokeTokens` are all it is asked for, and the conformance suite covers each.
 */
function userCodeHash(userCode: string): string {
  return sha256Hex(`device-user-code:${userCode}`);
}

function decisionHash(deviceRecordId: string): string {
  return sha256Hex(`device-decision:${deviceRecordId}`);
}

/** A device authorization waiting for the user's decision. */
export interface PendingDevice {
  userCode: string;
  userCodeRecord: TokenRecord;
  device: TokenRecord;
  client: ApplicationRecord;
}

/** The device flow's records: started by the device, decided by the user, polled by the device. */
export class DeviceService {
  /** RFC 8628 §5.1: user codes are short, so wrong guesses are limited (5 a minute per user). */
  private readonly attempts = new AttemptLimiter(5, 60_000);

  constructor(
    private readonly options: ResolvedOptions,
    private readonly storage: StorageAdapter,
    private readonly tokens: TokenService,
    private readonly applications: ApplicationService,
    private readonly grants: GrantService,
    private readonly events: ProviderEvents,
  ) {}

  /** RFC 8628 §3.2: stores a device code and a user code for the client's request. */
  async start(
    client: ApplicationRecord,
    scopes: string[],
    now: Date,
  ): Promise<{ deviceCode: string; userCode: string }> {
    const ttl = this.options.deviceCodeTtl;
    const subject = { applicationId: client.id, userId: null, grantId: null, familyId: null, scopes };
    const device = this.tokens.mint('device', subject, ttl, now);
    device.record.familyId = device.record.id;
    await this.storage.insertToken(device.record);
    const userCode = generateUserCode();
    const userCodeRecord = this.tokens.mint('device', { ...subject, familyId: device.record.id }, ttl, now);
    // A clash of user codes is astronomically rare; the unique hash index turns it into a retryable 503.
    await this.storage.insertToken({ ...userCodeRecord.record, hash: userCodeHash(userCode) });
    return { deviceCode: device.secret, userCode };
  }

  /**
   * The live device authorization a user's typed code names. Wrong codes count against the user
   * (`TooManyAttemptsError` after five a minute); an unknown, used or expired one is an
   * `UnknownUserCodeError`.
   */
  async findPending(input: string, userId: string, now = new Date()): Promise<PendingDevice> {
    const wait = this.attempts.retryAfter(userId);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const userCode = normalizeUserCode(input);
    const userCodeRecord =
      userCode === null ? null : await this.storage.findTokenByHash(userCodeHash(userCode));
    const [device] =
      userCodeRecord?.familyId != null
        ? await this.storage.listTokens({ id: userCodeRecord.familyId, kind: 'device' })
        : [];
    const client =
      device?.applicationId != null ? await this.applications.findById(device.applicationId) : null;
    if (
      userCode === null ||
      userCodeRecord === null ||
      !isLive(userCodeRecord, now) ||
      !device ||
      !isLive(device, now) ||
      !client
    ) {
      this.attempts.recordFailure(userId);
      throw new UnknownUserCodeError();
    }
    return { userCode, userCodeRecord, device, client };
  }

  /**
   * RFC 8628 §3.3: records the user's decision, once per user code. Approving records the user's
   * grant too, on the resources chosen (`selection`; `null`: all); denying leaves a decision
   * without a grant, which the device's next poll reads as `access_denied`.
   */
  async decide(
    pending: PendingDevice,
    userId: string,
    approved: boolean,
    selection: ResourceSelection | null = null,
    now = new Date(),
  ): Promise<void> {
    const consumed = await this.storage.consumeToken('device', pending.userCodeRecord.hash, now, 0);
    if (consumed?.outcome !== 'consumed') throw new InvalidRequestError(message('problem.userCodeUsed'));
    const grant = approved
      ? await this.grants.approve(userId, pending.client, pending.device.scopes, [], selection)
      : null;
    const subject: TokenSubject = {
      applicationId: pending.client.id,
      userId,
      grantId: grant?.id ?? null,
      familyId: pending.device.id,
      scopes: pending.device.scopes,
      // The device's tokens carry the choice (restricting a scope restricts what it includes).
      resourceSelection: expandSelection(this.options.scopes, pending.device.scopes, selection),
    };
    const ttl = Math.max(
      1,
      Math.ceil(((pending.device.expiresAt?.getTime() ?? now.getTime()) - now.getTime()) / 1000),
    );
    // A denial is a live record without a grant, kept until the device code expires: a revoked
    // one would be purged (`purgeExpired` deletes revoked records) and the device's next poll
    // would read `authorization_pending` again instead of `access_denied` (RFC 8628 §3.5).
    const decision = this.tokens.mint('device', subject, ttl, now).record;
    await this.storage.insertToken({ ...decision, hash: decisionHash(pending.device.id) });
    if (!approved) this.events.emit('authorization.denied', { userId, clientId: pending.client.clientId });
  }

  /** The user's decision on a device code, or `null` while there is none. */
  findDecision(device: TokenRecord): Promise<TokenRecord | null> {
    return this.storage.findTokenByHash(decisionHash(device.id));
  }

  /** Notes a poll (RFC 8628 §3.5: the interval between polls is enforced from it). */
  async recordPoll(device: TokenRecord, now: Date): Promise<void> {
    await this.storage.touchToken(device.id, now);
  }
}
