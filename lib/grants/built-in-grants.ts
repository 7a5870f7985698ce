import { authorizationCodeGrant } from './authorization-code-grant';
import { clientCredentialsGrant } from './client-credentials-grant';
import { deviceCodeGrant } from './device-code-grant';
import type { GrantDescriptor } from './grant-type';
import { GRANT_TYPES, type GrantTypeName } from './grant-type-names';
import { implicitGrant } from './implicit-grant';
import { passwordGrant } from './password-grant';
import { refreshTokenGrant } from './refresh-token-grant';

/**
 * Every built-in grant, one descriptor each. Keyed by name so the compiler checks that the
 * vocabulary (`GRANT_TYPES`) and the descriptors cannot drift apart; the order is the one
 * `response_types_supported` lists response types in.
 */
export const BUILT_IN_GRANTS: Readonly<Record<GrantTypeName, GrantDescriptor>> = {
  [GRANT_TYPES.authorizationCode]: authorizationCodeGrant,
  [GRANT_TYPES.implicit]: implicitGrant,
  [GRANT_TYPES.refreshToken]: refreshTokenGrant,
  [GRANT_TYPES.clientCredentials]: clientCredentialsGrant,
  [GRANT_TYPES.password]: passwordGrant,
  [GRANT_TYPES.deviceCode]: deviceCodeGrant,
};
