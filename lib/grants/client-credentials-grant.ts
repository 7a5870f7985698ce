import { InvalidScopeError, UnauthorizedClientError } from '../errors/oauth-error';
import type { GrantContext } from './grant-context';

/**
 * RFC 6749 §4.4: a confidential client acts on its own behalf. No user, no grant, and no refresh
 * token (§4.4.3: one SHOULD NOT be included).
 */
export async function clientCredentialsGrant({ client, params, options, tokens, now }: GrantContext) {
  if (!client.confidential) {
    throw new UnauthorizedClientError('The client_credentials grant is for confidential clients only');
  }
  const requested = params.scope === undefined ? null : options.scopes.parse(params.scope);
  const allowed = client.scopes.length > 0 ? client.scopes : options.scopes.names;
  const scopes = requested ?? (client.scopes.length > 0 ? client.scopes : options.defaultScopes);
  if (!options.scopes.covers(allowed, scopes)) {
    throw new InvalidScopeError('The requested scope is not allowed for this client');
  }
  return tokens.issueTokens(
    {
      applicationId: client.id,
      userId: null,
      grantId: null,
      familyId: null,
      scopes: options.scopes.normalize(scopes),
    },
    false,
    now,
  );
}
