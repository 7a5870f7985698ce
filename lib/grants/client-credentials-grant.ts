import { UnauthorizedClientError } from '../errors/oauth-error';
import { scopesForClient } from '../scopes/grantable-scopes';
import type { GrantDescriptor, GrantRequest } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';

/**
 * RFC 6749 §4.4: a confidential client acts on its own behalf. No user, no grant, and no refresh
 * token (§4.4.3: one SHOULD NOT be included). RFC 9700 §4.15: its token carries only scopes
 * declared for clients to hold (`holders: ['client']`), and only those the application may
 * request; without `scope` it gets every such scope (possibly none).
 */
async function authenticateAsClient({ client, params, provider, issue }: GrantRequest) {
  const { scopes: registry } = provider.options;
  if (!client.confidential) {
    throw new UnauthorizedClientError('The client_credentials grant is for confidential clients only');
  }
  const requested = params.scope === undefined ? null : registry.parse(params.scope);
  const scopes = scopesForClient(registry, client, requested);
  // RFC 8707 §2: the client names the resources it wants the token for (none: no audience).
  const audience = provider.options.resources.parse(params.resource);
  return issue({ userId: null, scopes, audience });
}

export const clientCredentialsGrant: GrantDescriptor = {
  name: GRANT_TYPES.clientCredentials,
  parameters: ['scope', 'resource'],
  handler: authenticateAsClient,
  issuesRefreshTokens: false,
};
