import { GRANT_TYPES } from '../grants/grant-type-names';
import { readJsonObject } from '../http/parse-body';
import { ClientMetadataProblem, checkClientMetadata } from '../registration/client-metadata';
import type { EndpointCall } from './endpoint-call';

/**
 * `POST {basePath}/register`: RFC 7591 dynamic client registration, when
 * `dynamicRegistration.enabled`. Anyone may call it (no initial access token, §3), so every
 * registration is counted per client address (`limits.registrationsPerAddress`), the clients it
 * creates are `dynamic` (consent every time, marked unverified) and unused ones are deleted.
 */

/** §3.1: the request is a JSON object of client metadata (415 for any other media type). */
export async function registerClient(call: EndpointCall): Promise<void> {
  const { req, res, provider } = call;
  const { options, events, dynamicClients } = provider;
  const rules = options.dynamicRegistration;
  const address = req.ip;
  if (address !== undefined && address !== '') {
    await provider.limiter.consume('registration.address', { kind: 'address', value: address });
  }
  const body = await readJsonObject(req, options.bodyLimit);
  let checked: ReturnType<typeof checkClientMetadata>;
  try {
    checked = checkClientMetadata(body, {
      scopes: options.scopes,
      allowHttpRedirectUris: options.allowHttpRedirectUris,
      scopeCap: rules.scopes,
      allowConfidential: rules.allowConfidential,
      refreshTokens: options.grantTypes.has(GRANT_TYPES.refreshToken),
    });
  } catch (error) {
    if (!(error instanceof ClientMetadataProblem)) throw error;
    events.emit('registration.refused', {
      via: 'registration_endpoint',
      clientId: null,
      field: error.field,
      reason: error.error.code,
    });
    // §3.2.2: 400 with `invalid_redirect_uri` or `invalid_client_metadata`.
    throw error.error;
  }
  const { application, clientSecret } = await dynamicClients.register(checked.input);
  const grantTypes = options.grantTypes.has(GRANT_TYPES.refreshToken)
    ? [GRANT_TYPES.authorizationCode, GRANT_TYPES.refreshToken]
    : [GRANT_TYPES.authorizationCode];
  // §3.2.1: the registered metadata, as this server will apply it, and the secret only here.
  res.status(201).json({
    client_id: application.clientId,
    client_id_issued_at: Math.floor(application.createdAt.getTime() / 1000),
    ...(clientSecret === null ? {} : { client_secret: clientSecret, client_secret_expires_at: 0 }),
    client_name: application.name,
    redirect_uris: application.redirectUris,
    grant_types: grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: checked.tokenEndpointAuthMethod,
    ...(checked.applicationType === null ? {} : { application_type: checked.applicationType }),
    ...(application.homepageUrl === '' ? {} : { client_uri: application.homepageUrl }),
    ...(application.scopes.length === 0 ? {} : { scope: application.scopes.join(' ') }),
  });
}
