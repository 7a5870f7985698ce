import { InvalidScopeError, UnauthorizedClientError } from '../errors/oauth-error';
import type { GrantDescriptor, GrantRequest } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';

/**
 * RFC 6749 §4.4: a confidential client acts on its own behalf. No user, no grant, and no refresh
 * token (§4.4.3: one SHOULD NOT be included).
 */
async function authenticateAsClient({ client, params, provider, issue }: GrantRequest) {
  const { scopes: registry, defaultScopes } = provider.options;
  if (!client.confidential) {
    throw new UnauthorizedClientError('The client_credentials grant is for confidential clients only');
  }
  const requested = params.scope === undefined ? null : registry.parse(params.scope);
  const allowed = client.scopes.length > 0 ? client.scopes : registry.names;
  const scopes = requested ?? (client.scopes.length > 0 ? client.scopes : defaultScopes);
  if (!registry.covers(allowed, scopes)) {
    throw new InvalidScopeError('The requested scope is not allowed for this client');
  }
  // RFC 8707 §2: the client names the resources it wants the token for (none: no audience).
  const audience = provider.options.resources.parse(params.resource);
  return issue({ userId: null, scopes: registry.normalize(scopes), audience });
}

export const clientCredentialsGrant: GrantDescriptor = {
  name: GRANT_TYPES.clientCredentials,
  parameters: ['scope', 'resource'],
  handler: authenticateAsClient,
  issuesRefreshTokens: false,
};
