import { GRANT_TYPES } from '../grants/grant-type-names';
import type { IssuedTokens } from '../services/token-service';
import type { ProviderEvents } from './provider-events';

/**
 * Once tokens are stored: `token.refreshed` for a refresh, `token.issued` with the grant type
 * otherwise. The event names the client, the user and the access token's id — never a secret —
 * whether the token endpoint or the oauth2-server bridge issued them.
 */
export function emitTokensIssued(
  events: ProviderEvents,
  grantType: string,
  clientId: string,
  issued: IssuedTokens,
): void {
  const access = issued.records[0];
  const event = {
    clientId,
    userId: access?.userId ?? null,
    scopes: issued.scopes,
    accessTokenId: access?.id ?? '',
  };
  if (grantType === GRANT_TYPES.refreshToken) events.emit('token.refreshed', event);
  else events.emit('token.issued', { ...event, grantType });
}
