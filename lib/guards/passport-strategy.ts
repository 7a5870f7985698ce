import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { toOAuthError } from '../errors/error-responder';
import { type GuardServices, MissingTokenError, resolveOAuthContext } from './authenticate';

/**
 * A passport strategy (name `oauth-bearer`) doing what `provider.authenticate()` does, for hosts
 * that already route authentication through passport. On success `req.user` is the resource
 * owner (or the client for client_credentials tokens) and `req.authInfo` / `req.oauth` carry the
 * token context.
 *
 * @example
 * ```ts
 * passport.use(provider.passportStrategy());
 * app.get('/api/user', passport.authenticate('oauth-bearer', { session: false }), handler);
 * ```
 */
export class OAuthBearerStrategy extends Strategy {
  name = 'oauth-bearer';

  constructor(private readonly services: GuardServices) {
    super();
  }

  override authenticate(req: Request): void {
    const realm = this.services.options.realm;
    resolveOAuthContext(req, this.services).then(
      (context) => {
        req.oauth = context;
        req.res?.set('X-OAuth-Scopes', context.scopes.join(', '));
        this.success(context.user ?? context.client ?? {}, context);
      },
      (error: unknown) => {
        const oauthError = toOAuthError(error, this.services.onUnexpected);
        if (oauthError.status >= 500) {
          this.error(oauthError);
          return;
        }
        const challenge =
          oauthError instanceof MissingTokenError
            ? `Bearer realm="${realm}"`
            : `Bearer realm="${realm}", error="${oauthError.code}", error_description="${oauthError.description.replace(/"/g, '')}"`;
        // passport sets the challenge only on 401; a 400 (token sent twice) carries it too (RFC 6750 §3).
        if (oauthError.status !== 401) req.res?.set('WWW-Authenticate', challenge);
        this.fail(challenge, oauthError.status);
      },
    );
  }
}
