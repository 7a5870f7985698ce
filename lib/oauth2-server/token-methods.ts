import OAuth2Server = require('@node-oauth/oauth2-server');

import { GRANT_TYPES } from '../grants/grant-type-names';
import type { IssuedTokens } from '../services/token-service';
import { hasExpired } from '../tokens/redeem';
import { type BridgeContext, NEVER, type OAuth2ServerClient, type Origin } from './bridge-context';
import { tokenIssuance } from './token-issuance';

type Token = OAuth2Server.Token;
type Client = OAuth2Server.Client;
type User = OAuth2Server.User;

/** The client of a personal access token, which was issued to no application: its `id` is `''`, no `client_id`. */
function personalTokenClient(): OAuth2ServerClient {
  return {
    id: '',
    applicationId: '',
    name: 'Personal access token',
    confidential: false,
    redirectUris: [],
    grants: [],
    scopes: [],
    // The site's own: the user made it in the settings, no application asked for it.
    trust: 'first-party',
  };
}

/** What `saveToken` answers: the stored tokens, with the provider's lifetimes and normalised scopes. */
function savedToken(issued: IssuedTokens, client: Client, user: User): Token {
  const [access, refresh] = issued.records;
  const token: Token = { accessToken: issued.accessToken, scope: [...issued.scopes], client, user };
  if (access?.expiresAt) token.accessTokenExpiresAt = access.expiresAt;
  if (issued.refreshToken !== null) {
    token.refreshToken = issued.refreshToken;
    if (refresh?.expiresAt) token.refreshTokenExpiresAt = refresh.expiresAt;
  }
  return token;
}

/** The model's methods of tokens: issuing (every grant), refreshing, verifying, revoking. */
export function tokenMethods(bridge: BridgeContext) {
  const { applications, tokens, events, options } = bridge.provider;
  const { scopes: registry } = options;
  const { issueFor, emitIssued } = tokenIssuance(bridge);

  /** A code named by `token.authorizationCode`, for a user object this model did not make. */
  async function codeOrigin(token: Token, now: Date): Promise<Origin | undefined> {
    const code: unknown = token.authorizationCode;
    if (typeof code !== 'string') return undefined;
    const presented = await tokens.findPresented(code, ['code'], now);
    if (presented === null) throw new OAuth2Server.InvalidGrantError('The authorization code is invalid');
    return { grant: GRANT_TYPES.authorizationCode, code: presented };
  }

  return {
    async generateAccessToken(): Promise<string> {
      return options.tokens.generate('access');
    },

    async generateRefreshToken(): Promise<string> {
      return options.tokens.generate('refresh');
    },

    /**
     * Stores the tokens the library generated through this model (our format, SHA-256 hashes
     * only, the provider's lifetimes), for the grant the `user` object came from: a code is
     * redeemed, a refresh token rotated, a password user's approval recorded. A `user` this model
     * did not hand out (an extension grant of the library) is refused: register such grants with
     * `provider.registerGrantType()`.
     */
    async saveToken(token: Token, client: Client, user: User): Promise<Token> {
      const now = new Date();
      const application = await bridge.applicationOf(client);
      const origin = bridge.originOf(user) ?? (await codeOrigin(token, now));
      if (origin === undefined) {
        throw new TypeError(
          'express-oauth-provider: saveToken() saves the tokens of the grants this model serves; register other grants with provider.registerGrantType()',
        );
      }
      const issued = await issueFor(origin, token, application, now);
      emitIssued(origin.grant, application, issued);
      return savedToken(issued, client, user);
    },

    /**
     * RFC 6750: a live access or personal token (`false` otherwise, → 401 `invalid_token`), whose
     * user and application still exist. A token that never expires gets a far-future date, since
     * the library needs one; a token with no user gets the client as its `user`.
     */
    async getAccessToken(accessToken: string): Promise<Token | false> {
      const now = new Date();
      const record = await tokens.findLiveToken(accessToken, ['access', 'personal'], now);
      if (record === null) return false;
      const application =
        record.applicationId === null ? null : await applications.findById(record.applicationId);
      if (record.applicationId !== null && application === null) return false;
      const user =
        record.userId !== null
          ? await bridge.ownerOf(record.userId)
          : application === null
            ? null
            : bridge.clientActor(application);
      if (user === null) return false;
      tokens.recordUse(record, now);
      return {
        accessToken,
        accessTokenExpiresAt: record.expiresAt ?? NEVER,
        scope: [...record.scopes],
        client: application === null ? personalTokenClient() : bridge.toClient(application),
        user,
      };
    },

    /**
     * RFC 6749 §6: the refresh token, or `false` for one that is unknown or revoked. Its `scope`
     * lists the granted scopes with their inclusions, so that the library's subset check for a
     * narrower `scope` counts them (`repo` lets `public_repo` through).
     */
    async getRefreshToken(refreshToken: string): Promise<OAuth2Server.RefreshToken | false> {
      const now = new Date();
      const presented = await tokens.findPresented(refreshToken, ['refresh'], now);
      if (presented === null || presented.state === 'revoked') return false;
      const { record } = presented;
      const application =
        record.applicationId === null ? null : await applications.findById(record.applicationId);
      if (application === null) return false;
      const user =
        record.userId === null ? bridge.clientActor(application) : await bridge.ownerOf(record.userId);
      if (user === null) return false;
      const token: OAuth2Server.RefreshToken = {
        refreshToken,
        scope: [...registry.expand(record.scopes)],
        client: bridge.toClient(application),
        user,
      };
      if (record.expiresAt !== null) token.refreshTokenExpiresAt = record.expiresAt;
      const origin = { grant: GRANT_TYPES.refreshToken, refresh: presented } as const;
      bridge.remember(user, origin);
      return bridge.remember(token, origin);
    },

    /**
     * In the library's refresh flow: accepts a token `saveToken` can still redeem, and leaves the
     * consumption to it (after the new tokens are stored, atomically, with reuse detection).
     * Called by host code with a token of its own: revokes it with every token of its grant
     * (RFC 7009 §2.1).
     */
    async revokeToken(token: OAuth2Server.RefreshToken | Token): Promise<boolean> {
      const now = new Date();
      const origin = bridge.originOf(token);
      if (origin?.grant === GRANT_TYPES.refreshToken) {
        return origin.refresh.state !== 'revoked' && !hasExpired(origin.refresh.record, now);
      }
      const value: unknown = token.refreshToken;
      if (typeof value !== 'string') return false;
      const presented = await tokens.findPresented(value, ['refresh'], now);
      if (presented === null || presented.state === 'revoked') return false;
      const { record } = presented;
      const count = await tokens.revokeWithLineage(record, now);
      const application =
        record.applicationId === null ? null : await applications.findById(record.applicationId);
      const clientId = application?.clientId ?? null;
      events.emit('token.revoked', { reason: 'oauth2_server_model', clientId, userId: record.userId, count });
      return count > 0;
    },
  };
}
