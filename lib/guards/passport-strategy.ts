import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import type { ProviderContext } from '../provider-context';
import { toHttpError } from '../respond/json';
import { answerGuardError, resolveOAuthContext, setScopeHeader } from './authenticate';
import type { OAuthContext } from './oauth-context';

/**
 * `req.user` for a token without a user (client_credentials): the client acting on its own
 * behalf. `kind` tells it from a host's user object; it never carries a secret or its hash.
 */
export interface ClientPrincipal {
  kind: 'client';
  clientId: string;
  name: string;
}

/** The passport principal of a verified token: its user, or the client that holds it. */
function principalOf(context: OAuthContext): object {
  if (context.user !== null) return context.user;
  if (context.client === null) return {};
  const principal: ClientPrincipal = {
    kind: 'client',
    clientId: context.client.clientId,
    name: context.client.name,
  };
  return principal;
}

/**
 * A passport strategy (name `oauth-bearer`) doing what `provider.authenticate()` does, for hosts
 * that already route authentication through passport. On success `req.user` is the resource
 * owner, or for a client_credentials token a {@link ClientPrincipal} (never the application
 * record), and `req.authInfo` / `req.oauth` carry the token context (its `client` without the
 * secret's hash). A failure is answered exactly as `authenticate()` answers it (status,
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
        this.success(principalOf(context), context);
      },
      (error: unknown) => {
        // Express always links the response; should it not, the host's error handler answers.
        if (req.res === undefined) this.error(toHttpError(error, this.provider.onError));
        else answerGuardError(req.res, error, this.provider);
      },
    );
  }
}
