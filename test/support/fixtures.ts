/**
 * The values every suite shares: the test host's issuer, its one registered redirect URI, its
 * scopes (GitHub's, with `repo` including `public_repo`, and the client-held `ci:status`), the header its test-only login reads,
 * and the grant vocabulary the suites switch on.
 */
export const ISSUER = 'https://issuer.example';

/** The redirect URI test applications register, on the test host and on the example provider. */
export const REDIRECT_URI = 'https://client.example/callback';

/** The test host's login: this request header names the logged-in user (absent: logged out). */
export const USER_HEADER = 'x-test-user';

export const SCOPES = {
  user: { description: 'Read your profile information' },
  repo: { description: 'Full control of your repositories', includes: ['public_repo'] },
  public_repo: { description: 'Access your public repositories' },
  gist: { description: 'Create gists' },
  // A machine scope: only client_credentials tokens hold it (RFC 9700 §4.15).
  'ci:status': { description: 'Report commit statuses', holders: ['client'] },
} as const;

/** RFC 8628 §3.4's grant type. */
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The provider's default `grantTypes`. */
export const DEFAULT_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'];

/** The default grants plus the device grant. */
export const WITH_DEVICE_GRANT = [...DEFAULT_GRANTS, DEVICE_GRANT];

/** The example provider's users (examples/provider/users.ts). */
export const EXAMPLE_USERS = {
  alice: { id: '1', password: 'alice-pass' },
  bob: { id: '2', password: 'bob-pass' },
} as const;

/** An application created by host code (no owner), as `provider.applications.create(HOST_APPLICATION, null)`. */
export const HOST_APPLICATION = {
  name: 'Host CI',
  homepageUrl: 'https://ci.example',
  redirectUris: ['https://ci.example/cb'],
  confidential: true,
  scopes: [],
};

/** The events of a token's life: issued, refreshed, revoked, and the replays that revoke a grant. */
export const TOKEN_LIFECYCLE_EVENTS = [
  'token.issued',
  'token.refreshed',
  'token.revoked',
  'grant.revoked',
  'code.reused',
  'refresh_token.reused',
] as const;
