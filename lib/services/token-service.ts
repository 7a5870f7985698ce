import { randomUUID } from 'node:crypto';
import { InvalidTokenError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import type { ResolvedOptions } from '../options/resolve-options';
import { type AuthorizationDetail, describeAuthorizationDetails } from '../scopes/authorization-details';
import { copySelection } from '../storage/resource-selection';
import type { ResourceSelection, StorageAdapter, TokenKind, TokenRecord } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import { consumeAfterIssue, findPresented, isLive, type Presented } from '../tokens/redeem';
import { pruneBeyondCap } from '../tokens/token-cap';

/** What a grant hands back to the token endpoint. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Seconds until the access token expires; `null` if it never does. */
  expiresIn: number | null;
  scopes: string[];
  /** The resources the access token may touch per resource-scoped scope; `null`: all. */
  resourceSelection: ResourceSelection | null;
  /** RFC 9396 §7: what was granted, for the token response; empty when no declared type applies. */
  authorizationDetails: AuthorizationDetail[];
  /** The access token's audience (RFC 8707); empty when issued without `resource`. */
  audience: string[];
  /** The stored records, so a caller can revoke them if a later step fails. */
  records: TokenRecord[];
}

/** Who a new token is for and where it comes from. */
export interface TokenSubject {
  applicationId: string | null;
  userId: string | null;
  grantId: string | null;
  familyId: string | null;
  scopes: string[];
  /** Per resource-scoped scope, the resources chosen; absent or `null`: all of them. */
  resourceSelection?: ResourceSelection | null;
  /** The resources it is for (RFC 8707), declared identifiers; absent or empty: none named. */
  audience?: readonly string[];
}

/** What a rotated refresh token keeps when its access token is narrowed; each defaults to the subject's. */
export interface RefreshKeeps {
  scopes?: readonly string[];
  audience?: readonly string[];
  resourceSelection?: ResourceSelection | null;
}

/** Extra fields of an authorization code. */
export interface CodeBinding {
  redirectUri: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
}

/** What a bearer token may be (RFC 6750): an access token or a personal access token. */
const BEARER_KINDS: readonly TokenKind[] = Object.freeze(['access', 'personal']);

/** `last_used_at` is written at most this often per token, so the hot path rarely writes. */
const TOUCH_INTERVAL_MS = 60_000;

function expiry(now: Date, ttlSeconds: number | null): Date | null {
  return ttlSeconds === null ? null : new Date(now.getTime() + ttlSeconds * 1000);
}

/**
 * Mints, stores, finds and redeems tokens. With `tokens/redeem.ts`, the only code that turns a
 * presented token or code into its record (device user codes, which are not tokens, are looked
 * up by `DeviceService`).
 */
export class TokenService {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly storage: StorageAdapter,
    private readonly onError: (error: unknown) => void,
    private readonly events: ProviderEvents,
  ) {}

  /** A new record and its secret; nothing is stored yet. */
  mint(
    kind: TokenKind,
    subject: TokenSubject,
    ttlSeconds: number | null,
    now: Date,
    extra: Partial<CodeBinding & { name: string | null }> = {},
  ): { secret: string; record: TokenRecord } {
    return this.mintGenerated(kind, this.options.tokens.generate(kind), subject, ttlSeconds, now, extra);
  }

  /** The record of a secret of `kind`; nothing is stored yet. */
  private mintGenerated(
    kind: TokenKind,
    secret: string,
    subject: TokenSubject,
    ttlSeconds: number | null,
    now: Date,
    extra: Partial<CodeBinding & { name: string | null }>,
  ): { secret: string; record: TokenRecord } {
    const record: TokenRecord = {
      id: randomUUID(),
      kind,
      hash: sha256Hex(secret),
      applicationId: subject.applicationId,
      userId: subject.userId,
      grantId: subject.grantId,
      familyId: subject.familyId,
      scopes: [...subject.scopes],
      resourceSelection: copySelection(subject.resourceSelection ?? null),
      audience: [...(subject.audience ?? [])],
      createdAt: now,
      expiresAt: expiry(now, ttlSeconds),
      revokedAt: null,
      consumedAt: null,
      lastUsedAt: null,
      name: extra.name ?? null,
      redirectUri: extra.redirectUri ?? null,
      codeChallenge: extra.codeChallenge ?? null,
      codeChallengeMethod: extra.codeChallengeMethod ?? null,
    };
    return { secret, record };
  }

  /** Stores an authorization code (RFC 6749 §4.1.2: short-lived, single-use, bound to its request). */
  issueCode(subject: TokenSubject, binding: CodeBinding, now = new Date()): Promise<string> {
    return this.issueGeneratedCode(this.options.tokens.generate('code'), subject, binding, now);
  }

  /**
   * `issueCode` for a code generated earlier with `options.tokens.generate('code')`, for protocols
   * that generate a value before they save it (the `@node-oauth/oauth2-server` model). Throws a
   * `TypeError` for a value that is not a well-formed code of this provider.
   */
  async issueGeneratedCode(
    secret: string,
    subject: TokenSubject,
    binding: CodeBinding,
    now = new Date(),
  ): Promise<string> {
    this.requireGenerated('code', secret);
    const { record } = this.mintGenerated(
      'code',
      secret,
      subject,
      this.options.authorizationCodeTtl,
      now,
      binding,
    );
    // A code starts its own family: tokens issued from it, and their rotations, carry its id.
    record.familyId = record.id;
    await this.storage.insertToken(record);
    // Silent authorizations mint a code per request: the oldest beyond the cap are revoked.
    await this.capIssued([record], now);
    return secret;
  }

  /** Stores an access token and, when asked, a refresh token for the same subject. */
  issueTokens(
    subject: TokenSubject,
    withRefreshToken: boolean,
    now = new Date(),
    /**
     * What a rotated refresh token keeps when the access token is narrowed, each defaulting to
     * the subject's: its scope (RFC 6749 §6), audience (RFC 8707 §2.2) and resources (RFC 9396 §6).
     */
    refreshKeeps: RefreshKeeps = {},
  ): Promise<IssuedTokens> {
    const format = this.options.tokens;
    const secrets = {
      access: format.generate('access'),
      refresh: withRefreshToken ? format.generate('refresh') : null,
    };
    return this.issueGeneratedTokens(secrets, subject, now, refreshKeeps);
  }

  /**
   * `issueTokens` for tokens generated earlier with `options.tokens.generate()` (a refresh token
   * is stored when `secrets.refresh` is given), for protocols that generate values before they
   * save them (the `@node-oauth/oauth2-server` model). Throws a `TypeError` for a value that is not
   * a well-formed token of this provider of its kind.
   */
  async issueGeneratedTokens(
    secrets: { access: string; refresh: string | null },
    subject: TokenSubject,
    now = new Date(),
    refreshKeeps: RefreshKeeps = {},
  ): Promise<IssuedTokens> {
    this.requireGenerated('access', secrets.access);
    if (secrets.refresh !== null) this.requireGenerated('refresh', secrets.refresh);
    const { accessTokenTtl, refreshTokenTtl } = this.options;
    const access = this.mintGenerated('access', secrets.access, subject, accessTokenTtl, now, {});
    const refresh =
      secrets.refresh === null
        ? null
        : this.mintGenerated(
            'refresh',
            secrets.refresh,
            {
              ...subject,
              scopes: [...(refreshKeeps.scopes ?? subject.scopes)],
              audience: refreshKeeps.audience ?? subject.audience ?? [],
              resourceSelection:
                refreshKeeps.resourceSelection === undefined
                  ? (subject.resourceSelection ?? null)
                  : refreshKeeps.resourceSelection,
            },
            refreshTokenTtl,
            now,
            {},
          );
    await this.storage.insertToken(access.record);
    if (refresh) await this.storage.insertToken(refresh.record);
    return {
      accessToken: access.secret,
      refreshToken: refresh?.secret ?? null,
      expiresIn: accessTokenTtl,
      scopes: subject.scopes,
      resourceSelection: access.record.resourceSelection,
      authorizationDetails: describeAuthorizationDetails(
        this.options.scopes,
        subject.scopes,
        access.record.resourceSelection,
      ),
      audience: access.record.audience,
      records: refresh ? [access.record, refresh.record] : [access.record],
    };
  }

  /**
   * GitHub's rule for what one caller may pile up: at most `limits.tokensPerScopeSet` live
   * records of each kind (code, access, refresh) per user × application × scope set — per client ×
   * scope set for tokens without a user — and past that the oldest are revoked. Run after an
   * issuance has won (so a race's losers never prune a winner), and never revokes `issued` itself.
   * Returns how many it revoked.
   */
  async capIssued(issued: readonly TokenRecord[], now = new Date()): Promise<number> {
    // Housekeeping after the tokens are stored: a storage failure here never costs the client the
    // tokens it was issued (nothing half-written); it reaches `onError` (through the guarded
    // adapter) and the next issuance prunes again.
    try {
      const cap = this.options.limits.tokensPerScopeSet;
      return cap === null ? 0 : await pruneBeyondCap(this.storage, cap, issued, now);
    } catch {
      return 0;
    }
  }

  /** Nothing weaker than what `mint` makes is ever stored: a value must be a well-formed token of ours. */
  private requireGenerated(kind: TokenKind, secret: string): void {
    if (this.options.tokens.parse(secret) !== kind) {
      throw new TypeError(`express-oauth-provider: not a ${kind} token generated by this provider`);
    }
  }

  /** Revokes records this service stored for a request that then failed or lost a race. */
  async revokeRecords(records: readonly TokenRecord[], now = new Date()): Promise<void> {
    for (const record of records) await this.storage.revokeTokens({ id: record.id }, now);
  }

  /** A presented credential of one of `kinds` (and, if given, of that client), in whatever state. */
  findPresented(
    value: string,
    kinds: readonly TokenKind[],
    now: Date,
    applicationId?: string,
  ): Promise<Presented | null> {
    return findPresented(this.storage, this.options.tokens, value, kinds, now, applicationId);
  }

  /**
   * The live record of a presented token of one of `kinds`, or `null` (wrong format, unknown,
   * revoked, consumed or expired). A malformed token never reaches storage.
   */
  async findLiveToken(
    value: string,
    kinds: readonly TokenKind[],
    now = new Date(),
  ): Promise<TokenRecord | null> {
    const presented = await this.findPresented(value, kinds, now);
    return presented?.state === 'live' ? presented.record : null;
  }

  /** Like `findLiveToken` for bearer tokens, throwing RFC 6750's `invalid_token`. */
  verifyBearerToken(token: string, now = new Date()): Promise<TokenRecord> {
    // The guard's hot path: one promise on the look-up, no further async layers.
    return this.findPresented(token, BEARER_KINDS, now).then((presented) => {
      if (presented?.state !== 'live') {
        throw new InvalidTokenError('The access token is invalid, expired or revoked');
      }
      return presented.record;
    });
  }

  /** Stores new tokens, then consumes the presented credential: see `consumeAfterIssue`. */
  redeem<Issued>(presented: Presented, now: Date, graceMs: number, issue: () => Promise<Issued>) {
    return consumeAfterIssue(this.storage, presented, now, graceMs, issue);
  }

  /** Revokes the record's family: a code and every token issued from it and their rotations. */
  revokeFamily(record: TokenRecord, now = new Date()): Promise<number> {
    return this.storage.revokeTokens({ familyId: record.familyId ?? record.id }, now);
  }

  /**
   * Revokes a token and what it belongs to: an access token alone; a refresh token with every
   * token of its grant (RFC 7009 §2.1), or of its family when it has no grant.
   */
  revokeWithLineage(record: TokenRecord, now = new Date()): Promise<number> {
    if (record.kind !== 'refresh') return this.storage.revokeTokens({ id: record.id }, now);
    const filter =
      record.grantId !== null ? { grantId: record.grantId } : { familyId: record.familyId ?? record.id };
    return this.storage.revokeTokens(filter, now);
  }

  /**
   * A user's live credentials, oldest first: access and refresh tokens of every application and
   * personal tokens (never a code or a device code, which are single steps of a flow). Records
   * only: the secrets were never stored.
   */
  async listForUser(userId: string, now = new Date()): Promise<TokenRecord[]> {
    const kinds: ReadonlySet<TokenKind> = new Set<TokenKind>(['access', 'refresh', 'personal']);
    const records = await this.storage.listTokens({ userId });
    return records.filter((record) => kinds.has(record.kind) && isLive(record, now));
  }

  /** Revokes one token of a user (an operator's action); `false` if the user has no such token. */
  async revokeForUser(userId: string, id: string, now = new Date()): Promise<boolean> {
    const record = (await this.storage.listTokens({ id, userId }))[0];
    if (record === undefined) return false;
    const count = await this.storage.revokeTokens({ id, userId }, now);
    if (count === 0) return false;
    const application =
      record.applicationId === null ? null : await this.storage.findApplicationById(record.applicationId);
    this.events.emit('token.revoked', {
      reason: 'admin',
      clientId: application?.clientId ?? null,
      userId,
      count,
    });
    return true;
  }

  /**
   * Notes that a token was used (`last_used_at`, on its grant too) at most once a minute per
   * token. Never awaited: the guard's answer does not wait for the write, and a failed write only
   * reaches `onError`.
   */
  recordUse(token: TokenRecord, now: Date): void {
    if (token.lastUsedAt !== null && now.getTime() - token.lastUsedAt.getTime() < TOUCH_INTERVAL_MS) return;
    this.storage.touchToken(token.id, now).catch(this.onError);
    if (token.grantId !== null) this.storage.touchGrant(token.grantId, now).catch(this.onError);
  }
}
