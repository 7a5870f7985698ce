import { supportedDetailTypes } from '../scopes/authorization-details';
import type { EndpointCall } from './endpoint-call';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

function detailTypes(registry: Parameters<typeof supportedDetailTypes>[0]): Record<string, string[]> {
  const types = supportedDetailTypes(registry);
  return types.length === 0 ? {} : { authorization_details_types_supported: types };
}

/**
 * `GET /.well-known/oauth-authorization-server`: RFC 8414 §2 metadata listing exactly what this
 * provider enables, derived from the grant registry, so it cannot disagree with the routes.
 * Public and cacheable; any origin may read it.
 */
export function serveMetadata({ res, provider }: EndpointCall): void {
  const { options, grantTypes } = provider;
  const endpoints = `${options.issuer}${options.basePath}`;
  const responseTypes = grantTypes.responseTypes;
  res.set('Access-Control-Allow-Origin', '*').json({
    issuer: options.issuer,
    // §2: REQUIRED unless no grant type that uses the authorization endpoint is enabled.
    ...(responseTypes.length > 0 ? { authorization_endpoint: `${endpoints}/authorize` } : {}),
    token_endpoint: `${endpoints}/token`,
    revocation_endpoint: `${endpoints}/revoke`,
    introspection_endpoint: `${endpoints}/introspect`,
    scopes_supported: options.scopes.names,
    response_types_supported: responseTypes,
    response_modes_supported: grantTypes.responseModes,
    grant_types_supported: grantTypes.names,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: options.allowPlainPkce ? ['S256', 'plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
    // RFC 9396 §10: the authorization details types declared (none: the field is left out).
    ...detailTypes(options.scopes),
    // RFC 7591 §3 and draft-ietf-oauth-client-id-metadata-document §5: only when switched on.
    ...(options.dynamicRegistration.enabled ? { registration_endpoint: `${endpoints}/register` } : {}),
    ...(options.clientMetadataDocuments.enabled ? { client_id_metadata_document_supported: true } : {}),
    // RFC 9728 §4: the resources this server issues tokens for (RFC 8707 `resource` values).
    ...(options.resources.all.length > 0
      ? { protected_resources: options.resources.all.map((resource) => resource.uri) }
      : {}),
    ...grantTypes.metadata(endpoints),
  });
}
