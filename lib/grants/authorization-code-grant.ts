import { InvalidGrantError, InvalidRequestError } from '../errors/oauth-error';
import { sha256Hex } from '../tokens/hash';
import type { GrantContext } from './grant-context';
import { verifyPkce } from './pkce';

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.6. Order matters for "nothing half-written": everything is
 * checked first, then the tokens are stored, then the code is consumed atomically. A crash between
 * the last two leaves the code usable (and tokens nobody holds); a lost race revokes what it stored.
 */
export async function authorizationCodeGrant({
  client,
  params,
  options,
  adapter,
  tokens,
  events,
  now,
}: GrantContext) {
  const code = params.code;
  if (code === undefined || code === '') throw new InvalidRequestError('Missing parameter: code');
  if (options.tokens.parse(code) !== 'code') throw new InvalidGrantError('The authorization code is invalid');
  const hash = sha256Hex(code);
  const record = await adapter.findTokenByHash(hash);
  if (record === null || record.kind !== 'code' || record.applicationId !== client.id) {
    throw new InvalidGrantError('The authorization code is invalid');
  }
  if (record.consumedAt !== null || record.revokedAt !== null) {
    // RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it.
    await adapter.revokeTokens({ familyId: record.familyId ?? record.id }, now);
    events.emit('code.reused', { clientId: client.clientId, userId: record.userId });
    throw new InvalidGrantError('The authorization code has already been used');
  }
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) {
    throw new InvalidGrantError('The authorization code has expired');
  }
  if (record.redirectUri !== null && params.redirect_uri !== record.redirectUri) {
    throw new InvalidGrantError('redirect_uri does not match the authorization request');
  }
  const verifier = params.code_verifier;
  if (record.codeChallenge !== null && record.codeChallengeMethod !== null) {
    if (verifier === undefined) throw new InvalidRequestError('Missing parameter: code_verifier (PKCE)');
    if (!verifyPkce(verifier, record.codeChallenge, record.codeChallengeMethod)) {
      throw new InvalidGrantError('code_verifier does not match the code_challenge');
    }
  } else if (verifier !== undefined) {
    throw new InvalidGrantError('code_verifier sent for a code issued without a code_challenge');
  }

  const withRefresh = options.grantTypes.has('refresh_token') && options.accessTokenTtl !== null;
  const issued = await tokens.issueTokens(
    {
      applicationId: client.id,
      userId: record.userId,
      grantId: record.grantId,
      familyId: record.familyId ?? record.id,
      scopes: record.scopes,
    },
    withRefresh,
    now,
  );
  const consumed = await adapter.consumeToken('code', hash, now, 0);
  if (consumed?.outcome !== 'consumed') {
    // Lost a race with another exchange of the same code: that is a replay too.
    await adapter.revokeTokens({ familyId: record.familyId ?? record.id }, now);
    events.emit('code.reused', { clientId: client.clientId, userId: record.userId });
    throw new InvalidGrantError('The authorization code has already been used');
  }
  return issued;
}
