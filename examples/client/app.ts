import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import OAuth2Strategy from 'passport-oauth2';

export interface ExampleClientOptions {
  /** The provider's base URL, e.g. `http://localhost:3000`. */
  providerUrl: string;
  clientId: string;
  /** Omit for a public client (PKCE only). */
  clientSecret?: string;
  /** This app's callback, registered with the provider, e.g. `http://127.0.0.1:4000/auth/provider/callback`. */
  callbackUrl: string;
  scope?: string[];
}

/** The signed-in user as this third-party app keeps it. */
interface ClientUser {
  id: string;
  login: string;
  accessToken: string;
}

const escapeText = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

async function fetchProfile(
  providerUrl: string,
  accessToken: string,
): Promise<{ id: string; login: string }> {
  const response = await fetch(`${providerUrl}/api/user`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  if (!response.ok) throw new Error(`GET /api/user answered ${response.status}`);
  const body: unknown = await response.json();
  if (typeof body !== 'object' || body === null || !('id' in body) || !('login' in body)) {
    throw new Error('GET /api/user answered an unexpected body');
  }
  return { id: String(body.id), login: String(body.login) };
}

/**
 * A third-party app that signs its users in with the example provider through passport-oauth2,
 * using the authorization code flow with PKCE (S256) and `state`.
 */
export function createExampleClient(options: ExampleClientOptions): Express {
  const app = express();
  const passport = new Passport();
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: `${options.providerUrl}/oauth/authorize`,
      tokenURL: `${options.providerUrl}/oauth/token`,
      clientID: options.clientId,
      clientSecret: options.clientSecret ?? '',
      callbackURL: options.callbackUrl,
      scope: options.scope ?? ['user', 'public_repo'],
      pkce: true,
      state: true,
    },
    (
      accessToken: string,
      _refreshToken: string,
      profile: { id: string; login: string },
      done: (error: unknown, user?: ClientUser) => void,
    ) => {
      done(null, { ...profile, accessToken });
    },
  );
  strategy.userProfile = (accessToken, done) => {
    fetchProfile(options.providerUrl, accessToken).then(
      (profile) => done(null, profile),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  };
  passport.use('provider', strategy);

  /** Whether the provider's metadata (RFC 8414) advertises `iss` in every response; read once. */
  let issSupported: Promise<boolean> | undefined;
  const issuerAlwaysSent = (): Promise<boolean> => {
    issSupported ??= fetch(`${options.providerUrl}/.well-known/oauth-authorization-server`).then(
      async (response) => {
        if (!response.ok) throw new Error(`metadata answered ${response.status}`);
        const metadata: unknown = await response.json();
        return (
          typeof metadata === 'object' &&
          metadata !== null &&
          Reflect.get(metadata, 'authorization_response_iss_parameter_supported') === true
        );
      },
    );
    issSupported.catch(() => {
      issSupported = undefined; // try again on the next callback
    });
    return issSupported;
  };
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: ClientUser, done) => done(null, user));

  app.use(
    session({
      secret: randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  app.get('/', (req, res) => {
    const user = req.user as ClientUser | undefined;
    res
      .type('html')
      .send(
        user
          ? `<h1>Signed in as ${escapeText(user.login)}</h1>`
          : '<h1>Example client</h1><p><a href="/auth/provider">Sign in with the example provider</a></p>',
      );
  });
  app.get('/me', (req, res) => {
    const user = req.user as ClientUser | undefined;
    if (!user) res.status(401).json({ error: 'not signed in' });
    else res.json({ id: user.id, login: user.login });
  });
  app.get('/auth/provider', passport.authenticate('provider'));
  app.get(
    '/auth/provider/callback',
    async (req, res, next) => {
      // RFC 9207 §2.4: refuse a response that names another issuer (mix-up attacks), and one that
      // names none once the provider's metadata says it always sends `iss`.
      const iss = req.query.iss;
      if (iss !== undefined && iss !== options.providerUrl) {
        res.status(400).send('Authorization response from an unexpected issuer');
        return;
      }
      if (iss === undefined && (await issuerAlwaysSent().catch(() => true))) {
        res.status(400).send('Authorization response without the issuer (iss) the provider promises');
        return;
      }
      next();
    },
    passport.authenticate('provider', { failureRedirect: '/?error=sign-in-failed' }),
    (_req, res) => res.redirect('/'),
  );
  return app;
}
