/**
 * The grant types this provider implements, by their wire names (RFC 6749 §4, RFC 8628 §3.4).
 * Use these instead of the strings, e.g. in `grantTypes: [GRANT_TYPES.deviceCode]`.
 */
export const GRANT_TYPES = {
  authorizationCode: 'authorization_code',
  refreshToken: 'refresh_token',
  clientCredentials: 'client_credentials',
  password: 'password',
  /** Served by the authorization endpoint (`response_type=token`), not the token endpoint. */
  implicit: 'implicit',
  deviceCode: 'urn:ietf:params:oauth:grant-type:device_code',
} as const;

/** The name of a built-in grant type. */
export type GrantTypeName = (typeof GRANT_TYPES)[keyof typeof GRANT_TYPES];

const NAMES: ReadonlySet<string> = new Set(Object.values(GRANT_TYPES));

/** Whether `name` is one of the built-in grant types. */
export function isGrantTypeName(name: string): name is GrantTypeName {
  return NAMES.has(name);
}
