import type { ResolvedOptions } from '../options/resolve-options';

/**
 * RFC 8414 §2 metadata listing exactly what this configuration enables. Computed once at
 * start-up: nothing in it changes while the provider runs.
 */
export function authorizationServerMetadata(options: ResolvedOptions): Record<string, unknown> {
  const base = `${options.issuer}${options.basePath}`;
  return {
    issuer: options.issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    scopes_supported: options.scopes.names,
    response_types_supported: options.grantTypes.has('authorization_code') ? ['code'] : [],
    response_modes_supported: ['query'],
    grant_types_supported: [...options.grantTypes],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: options.allowPlainPkce ? ['S256', 'plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
}
