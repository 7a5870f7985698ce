import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import { listen } from '../support/listen';
import { createLegacyHost, LEGACY } from '../support/oauth2-server-host';
import { UserAgent } from '../support/user-agent';

/**
 * A real client against the library's endpoints on our model: `passport-oauth2` (authorization
 * code with PKCE S256 and `state`) signs alice in through `@node-oauth/express-oauth-server`'s
 * `authorize()` and `token()` — the code exchange is the client's own HTTP POST, so both apps
 * listen on loopback ports — and calls our guarded `/api/me` with the token it got.
 */

function clientApp(options: {
  providerUrl: string;
  clientId: string;
  clientSecret: string | null;
  callbackUrl: string;
}): Express {
  const passport = new Passport();
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: `${options.providerUrl}${LEGACY}/authorize`,
      tokenURL: `${options.providerUrl}${LEGACY}/token`,
      clientID: options.clientId,
      clientSecret: options.clientSecret ?? '',
      callbackURL: options.callbackUrl,
      scope: ['user', 'public_repo'],
      pkce: true,
      state: true,
    },
    (
      accessToken: string,
      refreshToken: string,
      profile: unknown,
      done: (error: unknown, user?: unknown) => void,
    ) => done(null, { accessToken, refreshToken, profile }),
  );
  // The profile comes from the provider's own guarded API, with the token the library issued.
  strategy.userProfile = (accessToken, done) => {
    fetch(`${options.providerUrl}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } })
      .then(async (response) => done(null, { status: response.status, body: await response.json() }))
      .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  };
  passport.use('legacy', strategy);
  const app = express();
  // passport-oauth2 keeps the PKCE verifier and the state in the session until the callback.
  app.use(session({ secret: randomBytes(32).toString('hex'), resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.get('/login', passport.authenticate('legacy', { session: false }));
  app.get('/callback', passport.authenticate('legacy', { session: false }), (req, res) => res.json(req.user));
  return app;
}

describe('passport-oauth2 signs in through express-oauth-server on createOAuth2ServerModel', () => {
  it.each([
    ['a confidential client (secret and PKCE)', true],
    ['a public client (PKCE only)', false],
  ])('completes the code flow for %s', async (_label, confidential) => {
    const host = await createLegacyHost({ listen: true });
    const providerUrl = host.url ?? '';
    const clientServer = await listen();
    const callbackUrl = `${clientServer.url}/callback`;
    const app = await host.registerApp({ confidential, redirectUris: [callbackUrl] });
    clientServer.server.on(
      'request',
      clientApp({ providerUrl, clientId: app.clientId, clientSecret: app.clientSecret, callbackUrl }),
    );

    const alice = new UserAgent(clientServer.url, 'alice');
    const hops = await alice.follow(`${clientServer.url}/login`);
    const authorize = new URL(hops[0]?.location ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${providerUrl}${LEGACY}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = new URL(hops[1]?.location ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(callbackUrl);
    expect(callback.searchParams.get('code')).toMatch(/^eoc_/);
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));

    const landing = hops[hops.length - 1];
    expect(landing?.status).toBe(200);
    expect(landing?.json).toEqual({
      accessToken: expect.stringMatching(/^eoa_/),
      refreshToken: expect.stringMatching(/^eor_/),
      profile: {
        status: 200,
        body: { user: { id: 'alice' }, client_id: app.clientId, scopes: ['user', 'public_repo'] },
      },
    });
    const grants = await host.provider.grants.listForUser('alice');
    expect(grants.map((grant) => grant.scopes)).toEqual([['user', 'public_repo']]);
  });
});
