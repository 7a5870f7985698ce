import {
  InvalidAuthorizationDetailsError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
} from '../errors/oauth-error';
import { message } from '../messages/catalog';
import { parseAuthorizationDetails } from '../scopes/authorization-details';
import { expandSelection, grantCovers } from '../scopes/resource-access';
import { intersectSelections } from '../storage/resource-selection';
import type { ResourceSelection, TokenRecord } from '../storage/storage-adapter';
import { hasExpired } from '../tokens/redeem';
import type { GrantDescriptor, GrantRequest } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';

/**
 * RFC 6749 §6 with rotation (OAuth 2.1 §4.3.1 / RFC 9700 §4.14.2): every use returns a new refresh
 * token and consumes the old one atomically. Presenting a consumed one again within the grace
 * interval answers an access token alone; outside it, it is treated as theft: every token of the
 * grant is revoked.
 */
async function refreshAccessToken({ client, params, provider, now }: GrantRequest) {
  const { options, tokens, events } = provider;
  const value = params.refresh_token;
  if (value === undefined || value === '') throw new InvalidRequestError('Missing parameter: refresh_token');
  const presented = await tokens.findPresented(value, ['refresh'], now, client.id);
  if (presented === null || presented.state === 'revoked') {
    throw new InvalidGrantError('The refresh token is invalid');
  }
  const { record } = presented;
  // A consumed one goes on: `consumeToken` tells a retry within the grace interval from a replay.
  if (hasExpired(record, now)) throw new InvalidGrantError('The refresh token has expired');
  // The application as it is now: scopes it may no longer request (it was narrowed, or a scope
  // is no longer declared) are dropped from both new tokens; if nothing is left, invalid_scope.
  const granted = options.scopes.narrow(record.scopes, client.scopes);
  if (granted.length === 0 && record.scopes.length > 0) {
    throw new InvalidScopeError('The application may no longer request any scope of this grant');
  }
  let scopes = granted;
  if (params.scope !== undefined) {
    // RFC 6749 §6: the new scope must not include any scope not originally granted. It narrows
    // this access token only; the new refresh token keeps the scope of the one presented.
    const requested = options.scopes.parse(params.scope);
    if (!options.scopes.covers(granted, requested)) {
      throw new InvalidScopeError(
        'The requested scope exceeds the scope granted (or the application may no longer request it)',
      );
    }
    scopes = requested;
  }
  // RFC 8707 §2.2: likewise `resource` narrows this access token's audience, never widens it.
  const audience = options.resources.narrow(record.audience, params.resource);
  // The grant may have been narrowed after this refresh token was read: never issue wider.
  const grant = record.grantId === null ? null : await provider.grants.findById(record.grantId);
  const grantedSelection = grant === null ? record.resourceSelection : narrowedBy(provider, record, grant);
  let resourceSelection = grantedSelection;
  const details = params.authorization_details;
  if (details !== undefined) {
    // RFC 9396 §6: the token request may ask for less than was granted, never for more.
    const asked = parseAuthorizationDetails(options.scopes, details);
    const held = { scopes: granted, resourceSelection: grantedSelection };
    if (!grantCovers(options.scopes, held, asked.scopes, asked.resourceSelection)) {
      throw new InvalidAuthorizationDetailsError(message('problem.widerThanGranted'));
    }
    scopes = params.scope === undefined ? asked.scopes : [...new Set([...scopes, ...asked.scopes])];
    resourceSelection = {
      ...(expandSelection(options.scopes, granted, grantedSelection, scopes) ?? {}),
      ...(asked.resourceSelection ?? {}),
    };
  }

  const subject = {
    applicationId: client.id,
    userId: record.userId,
    grantId: record.grantId,
    familyId: record.familyId,
    scopes,
    audience,
    resourceSelection,
  };
  const graceMs = options.refreshTokenReuseGraceSeconds * 1000;
  const redeemed = await tokens.redeem(presented, now, graceMs, () =>
    tokens.issueTokens(subject, true, now, {
      scopes: granted,
      audience: record.audience,
      resourceSelection: grantedSelection,
    }),
  );
  if (redeemed.won && !redeemed.withinGrace) return redeemed.issued;
  if (redeemed.won) {
    // A retry within the grace interval (a lost response) gets a new access token, never a second
    // live refresh chain: the rotation that came first holds the one refresh token (RFC 9700 §4.14.2).
    const [access, ...refresh] = redeemed.issued.records;
    await tokens.revokeRecords(refresh, now);
    return { ...redeemed.issued, refreshToken: null, records: access === undefined ? [] : [access] };
  }
  if (redeemed.outcome === null) {
    // Expired or gone while we issued: withdraw what this request stored.
    await tokens.revokeRecords(redeemed.issued.records, now);
    throw new InvalidGrantError('The refresh token is invalid');
  }
  await tokens.revokeWithLineage(record, now);
  events.emit('refresh_token.reused', { clientId: client.clientId, userId: record.userId });
  throw new InvalidGrantError('The refresh token has already been used; the grant has been revoked');
}

/** The refresh token's selection within its grant's current one. */
function narrowedBy(
  provider: GrantRequest['provider'],
  record: TokenRecord,
  grant: { scopes: string[]; resourceSelection: ResourceSelection | null },
): ResourceSelection | null {
  const current = expandSelection(provider.options.scopes, grant.scopes, grant.resourceSelection);
  return current === null ? record.resourceSelection : intersectSelections(record.resourceSelection, current);
}

export const refreshTokenGrant: GrantDescriptor = {
  name: GRANT_TYPES.refreshToken,
  parameters: ['refresh_token', 'scope', 'resource', 'authorization_details'],
  handler: refreshAccessToken,
  // Rotation: every refresh answers with a new refresh token, whatever the access token lifetime.
  issuesRefreshTokens: true,
};
