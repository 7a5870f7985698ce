import { DEVICE_CODE_GRANT, type ResolvedOptions } from '../options/resolve-options';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/**
 * RFC 8414 §2 metadata listing exactly what this configuration enables. Computed once at
 * start-up: nothing in it changes while the provider runs.
 */
export function authorizationServerMetadata(options: ResolvedOptions): Record<string, unknown> {
  const base = `${options.issuer}${options.basePath}`;
  // Each response type belongs to a grant: `code` to authorization_code, `token` to implicit.
  const responseTypes = [
    ...(options.grantTypes.has('authorization_code') ? ['code'] : []),
    ...(options.grantTypes.has('implicit') ? ['token'] : []),
  ];
  const metadata: Record<string, unknown> = {
    issuer: options.issuer,
    // §2: REQUIRED unless no grant type that uses the authorization endpoint is enabled.
    ...(responseTypes.length > 0 ? { authorization_endpoint: `${base}/authorize` } : {}),
    token_endpoint: `${base}/token`,
    revocation_endpoint: `${base}/revoke`,
    introspection_endpoint: `${base}/introspect`,
    scopes_supported: options.scopes.names,
    response_types_supported: responseTypes,
    response_modes_supported: options.grantTypes.has('implicit') ? ['query', 'fragment'] : ['query'],
    grant_types_supported: [...options.grantTypes],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: options.allowPlainPkce ? ['S256', 'plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
  if (options.grantTypes.has(DEVICE_CODE_GRANT))
    metadata.device_authorization_endpoint = `${base}/device/code`;
  return metadata;
}
