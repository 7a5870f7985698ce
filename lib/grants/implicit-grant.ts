import type { GrantDescriptor } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';

/**
 * RFC 6749 §4.2, opt-in (RFC 9700 §2.1.2 deprecates it): `response_type=token` at the
 * authorization endpoint answers with an access token in the redirect's fragment, never a refresh
 * token. It has no token-endpoint handler: `grant_type=implicit` is `unsupported_grant_type`.
 */
export const implicitGrant: GrantDescriptor = {
  name: GRANT_TYPES.implicit,
  parameters: [],
  issuesRefreshTokens: false,
  responseType: { type: 'token', mode: 'fragment' },
};
