import { ConfigurationError } from '../errors/configuration-error';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError } from '../errors/oauth-error';
import type { GrantDescriptor, GrantRequest } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';

/**
 * RFC 6749 §4.3, off by default (RFC 9700 §2.4 says it MUST NOT be used; some first-party CLIs
 * still need it). The host's `verifyPassword` decides, and may refuse a user whose credentials
 * are right, e.g. one with two-factor authentication, with a reason the client is shown.
 */
async function authenticateResourceOwner({ client, params, provider, issue }: GrantRequest) {
  const { options, grants } = provider;
  const { username, password } = params;
  if (username === undefined || username === '') throw new InvalidRequestError('Missing parameter: username');
  if (password === undefined) throw new InvalidRequestError('Missing parameter: password');
  const verify = options.verifyPassword;
  if (verify === undefined) throw new InvalidGrantError('The password grant is not configured');
  const requested = params.scope === undefined ? options.defaultScopes : options.scopes.parse(params.scope);
  const scopes = options.scopes.normalize(requested);
  options.scopes.requireHeldBy(scopes, 'user');
  if (client.scopes.length > 0 && !options.scopes.covers(client.scopes, scopes)) {
    throw new InvalidScopeError('The requested scope is not allowed for this client');
  }
  const verdict = await verify(username, password, client);
  if (verdict === null) throw new InvalidGrantError('Invalid username or password');
  if ('refused' in verdict && typeof verdict.refused === 'string')
    throw new InvalidGrantError(verdict.refused);
  const userId: unknown = Reflect.get(verdict, 'id');
  if (typeof userId !== 'string' || userId === '') {
    throw new TypeError('verifyPassword() must return { id: string }, null or { refused: string }');
  }
  const grant = await grants.approve(userId, client, scopes);
  return issue({ userId, grantId: grant.id, scopes });
}

export const passwordGrant: GrantDescriptor = {
  name: GRANT_TYPES.password,
  parameters: ['username', 'password', 'scope'],
  handler: authenticateResourceOwner,
  issuesRefreshTokens: true,
  requires(options) {
    if (options.verifyPassword === undefined) {
      throw new ConfigurationError('verifyPassword', 'is required when grantTypes lists "password"');
    }
  },
};
