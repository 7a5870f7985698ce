import OAuth2Server = require('@node-oauth/oauth2-server');

import { matchRedirectUri } from '../clients/redirect-uri';
import { GRANT_TYPES } from '../grants/grant-type-names';
import { isValidPkceValue } from '../grants/pkce';
import type { ApplicationRecord } from '../storage/storage-adapter';
import { hasExpired } from '../tokens/redeem';
import { type BridgeContext, userIdOf } from './bridge-context';
import { refuseCodeReplay } from './token-issuance';

type AuthorizationCode = OAuth2Server.AuthorizationCode;
type NewCode = Pick<
  AuthorizationCode,
  'authorizationCode' | 'expiresAt' | 'redirectUri' | 'scope' | 'codeChallenge' | 'codeChallengeMethod'
>;

/** The PKCE binding of a new code (RFC 7636 §4.3), checked as our authorization endpoint checks it. */
function pkceBinding(
  bridge: BridgeContext,
  application: ApplicationRecord,
  code: NewCode,
): { codeChallenge: string | null; codeChallengeMethod: 'S256' | 'plain' | null } {
  const { requirePkce, allowPlainPkce } = bridge.provider.options;
  const challenge: unknown = code.codeChallenge;
  if (challenge === undefined || challenge === null || challenge === '') {
    if (!application.confidential || requirePkce === 'all') {
      throw new OAuth2Server.InvalidRequestError(
        'PKCE is required: send code_challenge with code_challenge_method=S256',
      );
    }
    return { codeChallenge: null, codeChallengeMethod: null };
  }
  const method: unknown = code.codeChallengeMethod ?? 'plain';
  if (method !== 'S256' && !(method === 'plain' && allowPlainPkce)) {
    throw new OAuth2Server.InvalidRequestError('code_challenge_method must be S256');
  }
  if (typeof challenge !== 'string' || !isValidPkceValue(challenge)) {
    throw new OAuth2Server.InvalidRequestError(
      'code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]',
    );
  }
  return { codeChallenge: challenge, codeChallengeMethod: method };
}

/** The model's methods of the authorization code grant (RFC 6749 §4.1). */
export function codeMethods(bridge: BridgeContext) {
  const { applications, grants, tokens, options } = bridge.provider;

  return {
    async generateAuthorizationCode(): Promise<string> {
      return options.tokens.generate('code');
    },

    /**
     * RFC 6749 §4.1.2: the user approved (the host's own consent step ran before the library's
     * `authorize()`), so the approval is recorded as the user's grant — listed and revocable in
     * our settings — and the code is stored hashed, bound to the client, the redirect URI and the
     * PKCE challenge, with our lifetime. Public clients must send a challenge; scopes and redirect
     * URI are checked again here, whatever the library was told.
     */
    async saveAuthorizationCode(
      code: NewCode,
      client: OAuth2Server.Client,
      user: OAuth2Server.User,
    ): Promise<AuthorizationCode> {
      const userId = userIdOf(user);
      const application = await bridge.applicationOf(client);
      const scopes = bridge.grantableScopes(code.scope, application, false);
      if (scopes === null) throw new OAuth2Server.InvalidScopeError('The requested scope is invalid');
      const redirectUri = typeof code.redirectUri === 'string' ? code.redirectUri : '';
      if (matchRedirectUri(application.redirectUris, redirectUri) === null) {
        throw new OAuth2Server.InvalidRequestError('redirect_uri does not match a registered redirect URI');
      }
      const binding = { redirectUri, ...pkceBinding(bridge, application, code) };
      const grant = await grants.approve(userId, application, scopes);
      const now = new Date();
      const subject = { applicationId: application.id, userId, grantId: grant.id, familyId: null, scopes };
      const secret = await tokens.issueGeneratedCode(code.authorizationCode, subject, binding, now);
      const saved: AuthorizationCode = {
        authorizationCode: secret,
        expiresAt: new Date(now.getTime() + options.authorizationCodeTtl * 1000),
        redirectUri,
        scope: scopes,
        client,
        user,
      };
      if (binding.codeChallenge !== null && binding.codeChallengeMethod !== null) {
        saved.codeChallenge = binding.codeChallenge;
        saved.codeChallengeMethod = binding.codeChallengeMethod;
      }
      return saved;
    },

    /**
     * RFC 6749 §4.1.3: the code and what it is bound to, or `false` for one we never issued (a
     * malformed value never reaches storage). A used code is shown to the library as unexpired, so
     * that its replay reaches `revokeAuthorizationCode` — after the library has checked the client
     * — where it is refused and what it issued is revoked.
     */
    async getAuthorizationCode(authorizationCode: string): Promise<AuthorizationCode | false> {
      const now = new Date();
      const presented = await tokens.findPresented(authorizationCode, ['code'], now);
      if (presented === null) return false;
      const { record } = presented;
      const application =
        record.applicationId === null ? null : await applications.findById(record.applicationId);
      const user = record.userId === null ? null : await bridge.ownerOf(record.userId);
      if (application === null || user === null) return false;
      const used = presented.state === 'consumed' || presented.state === 'revoked';
      const expiresAt = record.expiresAt ?? now;
      const code: AuthorizationCode = {
        authorizationCode,
        expiresAt: used && hasExpired(record, now) ? new Date(now.getTime() + 1000) : expiresAt,
        redirectUri: record.redirectUri ?? '',
        scope: [...record.scopes],
        client: bridge.toClient(application),
        user,
      };
      if (record.codeChallenge !== null && record.codeChallengeMethod !== null) {
        code.codeChallenge = record.codeChallenge;
        code.codeChallengeMethod = record.codeChallengeMethod;
      }
      const origin = { grant: GRANT_TYPES.authorizationCode, code: presented } as const;
      bridge.remember(user, origin);
      return bridge.remember(code, origin);
    },

    /**
     * Called by the library's token endpoint before its PKCE and redirect URI checks. A replayed
     * code is refused here, and what it issued is revoked (RFC 6749 §4.1.2). A live one is *not*
     * consumed yet: `saveToken` consumes it, atomically, after the tokens are stored, so a wrong
     * `code_verifier` does not burn it and a crash in between never loses it (the order of our
     * own token endpoint). Called by host code with a code of its own, it revokes the code.
     */
    async revokeAuthorizationCode(code: AuthorizationCode): Promise<boolean> {
      const now = new Date();
      const origin = bridge.originOf(code);
      const presented =
        origin?.grant === GRANT_TYPES.authorizationCode
          ? origin.code
          : await tokens.findPresented(code.authorizationCode, ['code'], now);
      if (presented === null) return false;
      if (presented.state === 'consumed' || presented.state === 'revoked') {
        await refuseCodeReplay(bridge, presented, now);
        return false;
      }
      if (hasExpired(presented.record, now)) return false;
      if (origin === undefined) await tokens.revokeRecords([presented.record], now);
      return true;
    },
  };
}
