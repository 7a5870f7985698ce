import { InvalidRequestError } from '../errors/oauth-error';
import type { EndpointCall } from './endpoint-call';

/**
 * `POST /oauth/revoke` (RFC 7009), after the shared opening: the client may revoke only its own
 * tokens. The kind is read from the token's own prefix, so `token_type_hint` is accepted but never
 * trusted. Revoking a refresh token revokes every token of its grant (§2.1: the server SHOULD also
 * invalidate the access tokens of the same grant). Unknown, foreign or already revoked tokens
 * answer 200 like a success (§2.2), revealing nothing.
 */
export async function revokePresentedToken(call: EndpointCall): Promise<void> {
  const { res, params, provider, client } = call;
  const token = params.token;
  if (token === undefined || token === '') throw new InvalidRequestError('Missing parameter: token');
  const now = new Date();
  const presented = await provider.tokens.findPresented(token, ['access', 'refresh'], now, client.id);
  if (presented !== null && presented.state !== 'revoked') {
    const count = await provider.tokens.revokeWithLineage(presented.record, now);
    // Concurrent requests for one token all get here; only the one that revoked something reports it.
    if (count > 0) {
      provider.events.emit('token.revoked', {
        reason: 'revocation_endpoint',
        clientId: client.clientId,
        userId: presented.record.userId,
        count,
      });
    }
  }
  res.status(200).end();
}
