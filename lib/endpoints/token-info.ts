import { resolveOAuthContext } from '../guards/authenticate';
import { describeAuthorizationDetails } from '../scopes/authorization-details';
import type { TokenRecord } from '../storage/storage-adapter';
import type { EndpointCall } from './endpoint-call';

function detailsOf(provider: EndpointCall['provider'], token: TokenRecord): Record<string, unknown> {
  const details = describeAuthorizationDetails(
    provider.options.scopes,
    token.scopes,
    token.resourceSelection,
  );
  return details.length === 0 ? {} : { authorization_details: details };
}

/**
 * `GET /oauth/token/info` (Doorkeeper/GitLab's endpoint): what the presented bearer token is.
 * `expires_in` is `null` for a token that never expires; `created_at` is in Unix seconds; `aud`
 * lists the resources the token is for (RFC 8707), empty when it was issued without `resource`.
 */
export async function describeBearerToken({ req, res, provider }: EndpointCall): Promise<void> {
  const { token, client } = await resolveOAuthContext(req, provider);
  const expiresIn =
    token.expiresAt === null
      ? null
      : Math.max(0, Math.floor((token.expiresAt.getTime() - Date.now()) / 1000));
  res.json({
    resource_owner_id: token.userId,
    scope: token.scopes,
    expires_in: expiresIn,
    application: client === null ? null : { uid: client.clientId },
    created_at: Math.floor(token.createdAt.getTime() / 1000),
    aud: token.audience,
    // RFC 9396's shape, as in the token response and introspection; absent when none applies.
    ...detailsOf(provider, token),
  });
}
