import { InvalidRequestError, UnsupportedGrantTypeError } from '../errors/oauth-error';
import { authorizationCodeGrant } from './authorization-code-grant';
import { clientCredentialsGrant } from './client-credentials-grant';
import { deviceCodeGrant } from './device-code-grant';
import type { GrantHandler } from './grant-context';
import { passwordGrant } from './password-grant';
import { refreshTokenGrant } from './refresh-token-grant';

const GRANTS: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
  'urn:ietf:params:oauth:grant-type:device_code': deviceCodeGrant,
};

/** The handler of an enabled grant type, or `unsupported_grant_type` (RFC 6749 §5.2). */
export function grantHandlerFor(grantType: string | undefined, enabled: ReadonlySet<string>): GrantHandler {
  if (grantType === undefined || grantType === '')
    throw new InvalidRequestError('Missing parameter: grant_type');
  const handler = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  if (handler === undefined || !enabled.has(grantType)) {
    throw new UnsupportedGrantTypeError(`Unsupported grant_type: ${grantType.slice(0, 64)}`);
  }
  return handler;
}
