import { InvalidGrantError, InvalidRequestError } from '../errors/oauth-error';
import type { Presented } from '../tokens/redeem';
import type { GrantDescriptor, GrantRequest } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';
import { verifyPkce } from './pkce';

/** RFC 6749 §4.1.2: a code used twice revokes the tokens issued from it. */
async function refuseReplay({ client, provider, now }: GrantRequest, presented: Presented): Promise<never> {
  await provider.tokens.revokeFamily(presented.record, now);
  provider.events.emit('code.reused', { clientId: client.clientId, userId: presented.record.userId });
  throw new InvalidGrantError('The authorization code has already been used');
}

type PkceFailure = 'missing_verifier' | 'verifier_mismatch' | 'unexpected_verifier';

/** Reports a failed PKCE check (an event, never the verifier) before it is answered. */
function pkceFailed({ client, provider }: GrantRequest, userId: string | null, reason: PkceFailure): void {
  provider.events.emit('authorization.pkce_failed', {
    clientId: client.clientId,
    userId,
    stage: 'token',
    reason,
  });
}

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.6. Order matters for "nothing half-written": everything is
 * checked first, then the tokens are stored, then the code is consumed atomically. A crash between
 * the last two leaves the code usable (and tokens nobody holds); a lost race revokes what it stored.
 */
async function exchangeAuthorizationCode(request: GrantRequest) {
  const { client, params, provider, now } = request;
  const code = params.code;
  if (code === undefined || code === '') throw new InvalidRequestError('Missing parameter: code');
  const presented = await provider.tokens.findPresented(code, ['code'], now, client.id);
  if (presented === null) throw new InvalidGrantError('The authorization code is invalid');
  const { record } = presented;
  if (presented.state === 'revoked' || presented.state === 'consumed')
    return refuseReplay(request, presented);
  if (presented.state === 'expired') throw new InvalidGrantError('The authorization code has expired');
  if (record.redirectUri !== null && params.redirect_uri !== record.redirectUri) {
    provider.events.emit('authorization.redirect_mismatch', {
      clientId: client.clientId,
      stage: 'token',
      reason: params.redirect_uri === undefined ? 'missing' : 'not_the_authorized_one',
    });
    throw new InvalidGrantError('redirect_uri does not match the authorization request');
  }
  const verifier = params.code_verifier;
  if (record.codeChallenge !== null && record.codeChallengeMethod !== null) {
    if (verifier === undefined) {
      pkceFailed(request, record.userId, 'missing_verifier');
      throw new InvalidRequestError('Missing parameter: code_verifier (PKCE)');
    }
    if (!verifyPkce(verifier, record.codeChallenge, record.codeChallengeMethod)) {
      pkceFailed(request, record.userId, 'verifier_mismatch');
      throw new InvalidGrantError('code_verifier does not match the code_challenge');
    }
  } else if (verifier !== undefined) {
    pkceFailed(request, record.userId, 'unexpected_verifier');
    throw new InvalidGrantError('code_verifier sent for a code issued without a code_challenge');
  }
  // RFC 8707 §2.2: `resource` here narrows the access token to some of the code's resources.
  const audience = provider.options.resources.narrow(record.audience, params.resource);

  const redeemed = await provider.tokens.redeem(presented, now, 0, () =>
    request.issue({
      userId: record.userId,
      grantId: record.grantId,
      familyId: record.familyId ?? record.id,
      scopes: record.scopes,
      resourceSelection: record.resourceSelection,
      audience,
      refreshAudience: record.audience,
    }),
  );
  // Lost a race with another exchange of the same code: that is a replay too.
  if (!redeemed.won) return refuseReplay(request, presented);
  return redeemed.issued;
}

export const authorizationCodeGrant: GrantDescriptor = {
  name: GRANT_TYPES.authorizationCode,
  parameters: ['code', 'redirect_uri', 'code_verifier', 'resource'],
  handler: exchangeAuthorizationCode,
  issuesRefreshTokens: true,
  // A code is useless when the grant that redeems it is disabled, so `code` belongs to this grant.
  responseType: { type: 'code', mode: 'query' },
};
