import { randomUUID } from 'node:crypto';
import { InvalidTokenError } from '../errors/oauth-error';
import type { ResolvedOptions } from '../options/resolve-options';
import type { StorageAdapter, TokenKind, TokenRecord } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';

/** What a grant hands back to the token endpoint. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Seconds until the access token expires; `null` if it never does. */
  expiresIn: number | null;
  scopes: string[];
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
}

/** Extra fields of an authorization code. */
export interface CodeBinding {
  redirectUri: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
}

function expiry(now: Date, ttlSeconds: number | null): Date | null {
  return ttlSeconds === null ? null : new Date(now.getTime() + ttlSeconds * 1000);
}

/** Mints, stores and verifies tokens. The only code that turns a secret into a record. */
export class TokenService {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly adapter: StorageAdapter,
  ) {}

  /** A new record and its secret; nothing is stored yet. */
  mint(
    kind: TokenKind,
    subject: TokenSubject,
    ttlSeconds: number | null,
    now: Date,
    extra: Partial<CodeBinding & { name: string | null }> = {},
  ): { secret: string; record: TokenRecord } {
    const secret = this.options.tokens.generate(kind);
    const record: TokenRecord = {
      id: randomUUID(),
      kind,
      hash: sha256Hex(secret),
      applicationId: subject.applicationId,
      userId: subject.userId,
      grantId: subject.grantId,
      familyId: subject.familyId,
      scopes: [...subject.scopes],
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
  async issueCode(subject: TokenSubject, binding: CodeBinding, now = new Date()): Promise<string> {
    const { secret, record } = this.mint('code', subject, this.options.authorizationCodeTtl, now, binding);
    // A code starts its own family: tokens issued from it, and their rotations, carry its id.
    record.familyId = record.id;
    await this.adapter.insertToken(record);
    return secret;
  }

  /** Stores an access token and, when asked, a refresh token for the same subject. */
  async issueTokens(
    subject: TokenSubject,
    withRefreshToken: boolean,
    now = new Date(),
    /** RFC 6749 §6: a rotated refresh token keeps its scope when the access token is narrowed. */
    refreshScopes: readonly string[] = subject.scopes,
  ): Promise<IssuedTokens> {
    const access = this.mint('access', subject, this.options.accessTokenTtl, now);
    const refresh = withRefreshToken
      ? this.mint('refresh', { ...subject, scopes: [...refreshScopes] }, this.options.refreshTokenTtl, now)
      : null;
    await this.adapter.insertToken(access.record);
    if (refresh) await this.adapter.insertToken(refresh.record);
    return {
      accessToken: access.secret,
      refreshToken: refresh?.secret ?? null,
      expiresIn: this.options.accessTokenTtl,
      scopes: subject.scopes,
      records: refresh ? [access.record, refresh.record] : [access.record],
    };
  }

  /** Revokes records this service stored for a request that then failed or lost a race. */
  async revokeRecords(records: readonly TokenRecord[], now = new Date()): Promise<void> {
    for (const record of records) await this.adapter.revokeTokens({ id: record.id }, now);
  }

  /**
   * The live record of a presented token of one of `kinds`, or `null` (wrong format, unknown,
   * revoked, consumed or expired). A malformed token never reaches storage.
   */
  async findLiveToken(
    token: string,
    kinds: readonly TokenKind[],
    now = new Date(),
  ): Promise<TokenRecord | null> {
    const kind = this.options.tokens.parse(token);
    if (kind === null || kind === 'client_secret' || !kinds.includes(kind)) return null;
    const record = await this.adapter.findTokenByHash(sha256Hex(token));
    if (record === null || record.kind !== kind || !isLive(record, now)) return null;
    return record;
  }

  /** Like `findLiveToken` for bearer tokens, throwing RFC 6750's `invalid_token`. */
  async verifyBearerToken(token: string, now = new Date()): Promise<TokenRecord> {
    const record = await this.findLiveToken(token, ['access', 'personal'], now);
    if (record === null) throw new InvalidTokenError('The access token is invalid, expired or revoked');
    return record;
  }
}

/** Not revoked, not consumed and not expired at `now`. */
export function isLive(record: TokenRecord, now: Date): boolean {
  return (
    record.revokedAt === null &&
    record.consumedAt === null &&
    (record.expiresAt === null || record.expiresAt.getTime() > now.getTime())
  );
}
