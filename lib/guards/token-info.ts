import type { RequestHandler } from 'express';
import { answerGuardError, type GuardServices, resolveOAuthContext } from './authenticate';

/**
 * `GET /oauth/token/info` (Doorkeeper/GitLab's endpoint): what the presented bearer token is.
 * `expires_in` is `null` for a token that never expires; `created_at` is in Unix seconds.
 */
export function tokenInfo(services: GuardServices): RequestHandler {
  return function describeBearerToken(req, res): void {
    resolveOAuthContext(req, services).then(
      ({ token, client }) => {
        const expiresIn =
          token.expiresAt === null
            ? null
            : Math.max(0, Math.floor((token.expiresAt.getTime() - Date.now()) / 1000));
        res.set('Cache-Control', 'no-store').json({
          resource_owner_id: token.userId,
          scope: token.scopes,
          expires_in: expiresIn,
          application: client === null ? null : { uid: client.clientId },
          created_at: Math.floor(token.createdAt.getTime() / 1000),
        });
      },
      (error: unknown) => answerGuardError(res, error, services),
    );
  };
}
