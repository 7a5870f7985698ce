import OAuth2Server = require('@node-oauth/oauth2-server');

import { emitTokensIssued } from '../events/token-events';
import { GRANT_TYPES } from '../grants/grant-type-names';
import type { IssuedTokens, TokenSubject } from '../services/token-service';
import type { ApplicationRecord } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';
import { hasExpired, type Presented } from '../tokens/redeem';
import type { BridgeContext, Origin } from './bridge-context';

type Token = OAuth2Server.Token;

/**
 * What `saveToken` stores, for the grant its `user` object came from: the one place the model
 * redeems a code or a refresh token, in our order — everything checked, the new tokens stored,
 * then the presented credential consumed atomically (`TokenService.redeem`).
 */

const invalidGrant = (description: string) => new OAuth2Server.InvalidGrantError(description);

/** RFC 6749 §4.1.2: a code used twice is refused, and the tokens issued from it are revoked. */
export async function refuseCodeReplay(
  { provider }: BridgeContext,
  presented: Presented,
  now: Date,
): Promise<void> {
  const { record } = presented;
  await provider.tokens.revokeFamily(record, now);
  const application =
    record.applicationId === null ? null : await provider.applications.findById(record.applicationId);
  provider.events.emit('code.reused', { clientId: application?.clientId ?? '', userId: record.userId });
}

/** Issuing for each grant the model serves, and the events our token endpoint emits. */
export function tokenIssuance(bridge: BridgeContext) {
  const { grants, tokens, events, options } = bridge.provider;
  const { scopes: registry } = options;

  /** The secrets the library generated through this model (a refresh token only when one goes with it). */
  function secretsOf(token: Token, withRefresh: boolean): { access: string; refresh: string | null } {
    const refresh: unknown = token.refreshToken;
    return {
      access: token.accessToken,
      refresh: !withRefresh
        ? null
        : typeof refresh === 'string' && refresh !== ''
          ? refresh
          : options.tokens.generate('refresh'),
    };
  }

  function emitIssued(grantType: string, application: ApplicationRecord, issued: IssuedTokens): void {
    emitTokensIssued(events, grantType, application.clientId, issued);
  }

  /**
   * RFC 6749 §4.1.3, "nothing half-written": the tokens are stored, then the code is consumed
   * atomically. Of concurrent exchanges one wins; a loser is a replay, which revokes what the
   * code issued (the winner's tokens included).
   */
  async function redeemCode(presented: Presented, token: Token, application: ApplicationRecord, now: Date) {
    const { record } = presented;
    const given: unknown = token.authorizationCode;
    if (typeof given === 'string' && sha256Hex(given) !== presented.hash) {
      throw invalidGrant('The authorization code does not match');
    }
    if (record.applicationId !== application.id) throw invalidGrant('The authorization code is invalid');
    if (presented.state === 'consumed' || presented.state === 'revoked') {
      await refuseCodeReplay(bridge, presented, now);
      throw invalidGrant('The authorization code has already been used');
    }
    if (hasExpired(record, now)) throw invalidGrant('The authorization code has expired');
    const subject: TokenSubject = {
      applicationId: application.id,
      userId: record.userId,
      grantId: record.grantId,
      familyId: record.familyId ?? record.id,
      scopes: record.scopes,
      resourceSelection: record.resourceSelection,
    };
    const secrets = secretsOf(token, bridge.issuesRefreshTokens);
    const redeemed = await tokens.redeem(presented, now, 0, () =>
      tokens.issueGeneratedTokens(secrets, subject, now),
    );
    if (!redeemed.won) {
      await refuseCodeReplay(bridge, presented, now);
      throw invalidGrant('The authorization code has already been used');
    }
    return redeemed.issued;
  }

  /**
   * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): always a new refresh token, whatever
   * `alwaysIssueNewRefreshToken` says; the old one is consumed atomically after the new tokens are
   * stored. A narrower scope narrows the access token only; scopes the application may no longer
   * request are dropped from both. Presenting a rotated one again
   * (outside `refreshTokenReuseGraceSeconds`) revokes every token of the grant.
   */
  async function redeemRefreshToken(
    presented: Presented,
    token: Token,
    application: ApplicationRecord,
    now: Date,
  ) {
    const { record } = presented;
    if (record.applicationId !== application.id || presented.state === 'revoked') {
      throw invalidGrant('The refresh token is invalid');
    }
    if (hasExpired(record, now)) throw invalidGrant('The refresh token has expired');
    // The application as it is now (as at our token endpoint): scopes it may no longer request
    // are dropped from both new tokens; if nothing is left, invalid_scope.
    const granted = registry.narrow(record.scopes, application.scopes);
    if (granted.length === 0 && record.scopes.length > 0) {
      throw new OAuth2Server.InvalidScopeError(
        'The application may no longer request any scope of this grant',
      );
    }
    // Without a `scope` parameter the library passes the refresh token's own scope back: that is
    // the whole grant, now `granted`. A narrower one must stay within `granted`.
    const requested: unknown = token.scope;
    const asked = Array.isArray(requested) ? registry.normalize(requested.map(String)) : record.scopes;
    const scopes = registry.covers(asked, record.scopes) ? granted : asked;
    if (!registry.covers(granted, scopes)) {
      throw new OAuth2Server.InvalidScopeError(
        'The requested scope exceeds the scope granted (or the application may no longer request it)',
      );
    }
    const subject: TokenSubject = {
      applicationId: application.id,
      userId: record.userId,
      grantId: record.grantId,
      familyId: record.familyId,
      scopes,
      resourceSelection: record.resourceSelection,
    };
    const secrets = secretsOf(token, true);
    const graceMs = options.refreshTokenReuseGraceSeconds * 1000;
    const redeemed = await tokens.redeem(presented, now, graceMs, () =>
      tokens.issueGeneratedTokens(secrets, subject, now, { scopes: granted }),
    );
    if (redeemed.won) return redeemed.issued;
    if (redeemed.outcome === null) {
      // Expired or gone while we issued: withdraw what this request stored.
      await tokens.revokeRecords(redeemed.issued.records, now);
      throw invalidGrant('The refresh token is invalid');
    }
    await tokens.revokeWithLineage(record, now);
    events.emit('refresh_token.reused', { clientId: application.clientId, userId: record.userId });
    throw invalidGrant('The refresh token has already been used; the grant has been revoked');
  }

  /** The tokens of `origin`'s grant, stored; the user's approval is recorded for the password grant. */
  async function issueFor(origin: Origin, token: Token, application: ApplicationRecord, now: Date) {
    switch (origin.grant) {
      case GRANT_TYPES.authorizationCode:
        return redeemCode(origin.code, token, application, now);
      case GRANT_TYPES.refreshToken:
        return redeemRefreshToken(origin.refresh, token, application, now);
      case GRANT_TYPES.password: {
        const scopes = bridge.grantableScopes(token.scope, application, false);
        if (scopes === null) throw new OAuth2Server.InvalidScopeError('The requested scope is invalid');
        const grant = await grants.approve(origin.userId, application, scopes);
        const subject = {
          applicationId: application.id,
          userId: origin.userId,
          grantId: grant.id,
          familyId: null,
          scopes,
        };
        return tokens.issueGeneratedTokens(secretsOf(token, bridge.issuesRefreshTokens), subject, now);
      }
      case GRANT_TYPES.clientCredentials: {
        // RFC 6749 §4.4.3: no refresh token.
        const scopes = bridge.grantableScopes(token.scope, application, true);
        if (scopes === null) throw new OAuth2Server.InvalidScopeError('The requested scope is invalid');
        if (!application.confidential) {
          throw new OAuth2Server.UnauthorizedClientError(
            'The client_credentials grant is for confidential clients only',
          );
        }
        const subject = {
          applicationId: application.id,
          userId: null,
          grantId: null,
          familyId: null,
          scopes,
        };
        return tokens.issueGeneratedTokens(secretsOf(token, false), subject, now);
      }
    }
  }

  return { issueFor, emitIssued };
}
