/**
 * Every option of `createProvider()` that has a default, with the reason for it. This file is the
 * reference for the README's options table.
 */
export const DEFAULTS = {
  /** Where the OAuth endpoints live: `/oauth/authorize`, `/oauth/token`, … */
  basePath: '/oauth',
  /** Access token lifetime in seconds (2 hours). `null` issues non-expiring tokens, as GitHub does. */
  accessTokenTtl: 7200 as number | null,
  /** Refresh token lifetime in seconds (30 days). `null`: refresh tokens never expire. */
  refreshTokenTtl: (30 * 24 * 3600) as number | null,
  /** Authorization code lifetime in seconds. RFC 6749 §4.1.2 recommends at most 10 minutes. */
  authorizationCodeTtl: 600,
  /**
   * Seconds during which a rotated refresh token may be presented again without being treated
   * as stolen (for clients that lose the response to a network error). 0 = strict rotation.
   */
  refreshTokenReuseGraceSeconds: 0,
  /** Accept `?access_token=` (RFC 6750 §2.3). On, as GitHub and GitLab historically did. */
  allowQueryAccessToken: true,
  /** Accept a form-body `access_token` (RFC 6750 §2.2) on non-GET requests. */
  allowBodyAccessToken: true,
  /** PKCE `plain` (RFC 7636 §4.2) is weaker than S256; off unless a legacy client needs it. */
  allowPlainPkce: false,
  /** `'public'`: PKCE required for public clients only; `'all'`: for every client (OAuth 2.1). */
  requirePkce: 'public' as 'public' | 'all',
  /**
   * Grant types enabled. Off by default and opt-in: `implicit` (`response_type=token`, deprecated
   * by RFC 9700), `password` (needs `verifyPassword`) and
   * `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628).
   */
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] as string[],
  /** Device codes live 15 minutes (RFC 8628 §3.2 example). */
  deviceCodeTtl: 900,
  /** Devices poll at most every 5 seconds (RFC 8628 §3.2 default). */
  devicePollInterval: 5,
  /** The query parameter the login page gets with the address to come back to. */
  returnToParameter: 'return_to',
  /** First letters of every token we mint: `eoa_…` access, `eor_…` refresh, `eop_…` personal. */
  tokenNamespace: 'eo',
  /** Largest request body the token endpoint reads (bytes). */
  bodyLimit: 16 * 1024,
  /** Origins allowed to call the token endpoint from a browser (PKCE SPAs). `'*'` = any. */
  corsOrigins: '*' as '*' | readonly string[],
} as const;
