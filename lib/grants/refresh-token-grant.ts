import { InvalidGrantError, InvalidRequestError, InvalidScopeError } from '../errors/oauth-error';
import { sha256Hex } from '../tokens/hash';
import type { GrantContext } from './grant-context';

/**
 * RFC 6749 §6 with rotation (OAuth 2.1 §4.3.1 / RFC 9700 §4.14.2): every use returns a new refresh
 * token and consumes the old one atomically. Presenting a consumed one again (outside the grace
 * interval) is treated as theft: every token of the grant is revoked.
 */
export async function refreshTokenGrant({
  client,
  params,
  options,
  adapter,
  tokens,
  events,
  now,
}: GrantContext) {
  const presented = params.refresh_token;
  if (presented === undefined || presented === '')
    throw new InvalidRequestError('Missing parameter: refresh_token');
  if (options.tokens.parse(presented) !== 'refresh')
    throw new InvalidGrantError('The refresh token is invalid');
  const hash = sha256Hex(presented);
  const record = await adapter.findTokenByHash(hash);
  if (
    record === null ||
    record.kind !== 'refresh' ||
    record.applicationId !== client.id ||
    record.revokedAt !== null
  ) {
    throw new InvalidGrantError('The refresh token is invalid');
  }
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) {
    throw new InvalidGrantError('The refresh token has expired');
  }
  let scopes = record.scopes;
  if (params.scope !== undefined) {
    // RFC 6749 §6: the new scope must not include any scope not originally granted. It narrows
    // this access token only; the new refresh token keeps the scope of the one presented.
    const requested = options.scopes.parse(params.scope);
    if (!options.scopes.covers(record.scopes, requested)) {
      throw new InvalidScopeError('The requested scope exceeds the scope originally granted');
    }
    scopes = requested;
  }

  const issued = await tokens.issueTokens(
    {
      applicationId: client.id,
      userId: record.userId,
      grantId: record.grantId,
      familyId: record.familyId,
      scopes,
    },
    true,
    now,
    record.scopes,
  );
  const graceMs = options.refreshTokenReuseGraceSeconds * 1000;
  const consumed = await adapter.consumeToken('refresh', hash, now, graceMs);
  if (consumed?.outcome === 'consumed' || consumed?.outcome === 'within_grace') return issued;
  if (consumed === null) {
    await tokens.revokeRecords(issued.records, now);
    throw new InvalidGrantError('The refresh token is invalid');
  }
  const filter =
    record.grantId !== null ? { grantId: record.grantId } : { familyId: record.familyId ?? record.id };
  await adapter.revokeTokens(filter, now);
  events.emit('refresh_token.reused', { clientId: client.clientId, userId: record.userId });
  throw new InvalidGrantError('The refresh token has already been used; the grant has been revoked');
}
