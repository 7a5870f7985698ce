import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import type { ProviderContext } from '../provider-context';
import { toHttpError } from '../respond/json';
import { answerGuardError, resolveOAuthContext, setScopeHeader } from './authenticate';

/**
 * A passport strategy (name `oauth-bearer`) doing what `provider.authenticate()` does, for hosts
 * that already route authentication through passport. On success `req.user` is the resource
 * owner (or the client for client_credentials tokens) and `req.authInfo` / `req.oauth` carry the
 * token context. A failure is answered exactly as `authenticate()` answers it (status,
 * `WWW-Authenticate` challenge and RFC 6750 JSON body) rather than with passport's plain-text
 * `Unauthorized`; so it does not fall through to a next strategy.
 *
 * @example
 * ```ts
 * passport.use(provider.passportStrategy());
 * app.get('/api/user', passport.authenticate('oauth-bearer', { session: false }), handler);
 * ```
 */
export class OAuthBearerStrategy extends Strategy {
  name = 'oauth-bearer';

  constructor(private readonly provider: ProviderContext) {
    super();
  }

  override authenticate(req: Request): void {
    resolveOAuthContext(req, this.provider).then(
      (context) => {
        req.oauth = context;
        if (req.res !== undefined) setScopeHeader(req.res, context);
        this.success(context.user ?? context.client ?? {}, context);
      },
      (error: unknown) => {
        // Express always links the response; should it not, the host's error handler answers.
        if (req.res === undefined) this.error(toHttpError(error, this.provider.onError));
        else answerGuardError(req.res, error, this.provider);
      },
    );
  }
}
