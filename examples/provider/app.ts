import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { MemoryAdapter } from '../../adapters/memory';
import {
  createProvider,
  GRANT_TYPES,
  type Logger,
  type Provider,
  type ScopeDefinitions,
  type StorageAdapter,
} from '../../lib';
import { exampleApi } from './api';
import { isCrossSite, LoginAttempts } from './login-guard';
import { exampleMcpServer } from './mcp';
import { homePage, loginPage } from './pages';
import { setPageHeaders } from './playground/render';
import { playgroundRouter } from './playground/router';
import { RepositoryStore } from './repositories';
import { chosenLanguage, LANGUAGE_COOKIE, LANGUAGES, themedLayout } from './theme/themed-layout';
import { type ExampleUser, findUserById, findUserByLogin } from './users';

/** The 4xx status an error carries (body-parser's `status`: 413, 415, 400), or `null` for any other error. */
function clientErrorStatus(error: unknown): number | null {
  const status: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'status') : undefined;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500
    ? status
    : null;
}

export interface ExampleProviderOptions {
  /** Storage; default: a fresh memory adapter. */
  adapter?: StorageAdapter;
  /** The public URL of this app, e.g. `http://localhost:3000`. */
  issuer: string;
  /** Session cookie signing secret; default: random per process. */
  sessionSecret?: string;
  /** Key for consent-form CSRF tokens; share it between processes behind one load balancer. */
  csrfSecret?: string;
  /** The first-party app's client secret; default {@link DEFAULT_FIRST_PARTY_SECRET}. */
  firstPartyClientSecret?: string;
  /** Where the provider logs (`server.ts` passes pino); default: the library's quiet logger. */
  logger?: Logger;
}

/** The demo API's resource identifier (RFC 8707): its metadata is `/.well-known/oauth-protected-resource/api`. */
export const apiResource = (issuer: string): string => `${issuer}/api`;
/** The MCP server's resource identifier: `/.well-known/oauth-protected-resource/mcp`. */
export const mcpResource = (issuer: string): string => `${issuer}/mcp`;
/** The example's own first-party app, from configuration (DESIGN: its fixed surface). */
export const FIRST_PARTY_CLIENT_ID = 'example-first-party';
export const DEFAULT_FIRST_PARTY_SECRET = 'first-party-secret';
export const FIRST_PARTY_REDIRECT_URI = 'http://127.0.0.1/first-party/callback';

/** Only local paths are followed after login, so `/login?return_to=https://evil` cannot redirect away. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.includes('\\')
    ? value
    : '/';
}

const SCOPES: ScopeDefinitions = {
  user: { description: 'Read your profile information' },
  // `repo` and `repo:read` apply to repositories: the user may grant them on chosen ones only.
  repo: {
    description: 'Full control of your repositories',
    includes: ['public_repo', 'repo:read'],
    resourceType: 'repository',
  },
  'repo:read': {
    description: 'Read your public and private repositories',
    includes: ['public_repo'],
    resourceType: 'repository',
  },
  public_repo: { description: 'Access your public repositories' },
  gist: { description: 'Create gists' },
  // Held by clients only (client credentials): a CI server reporting commit statuses.
  'ci:status': { description: 'Report commit statuses', holders: ['client'] },
};

/** The scopes' descriptions in German, for the consent and settings pages. */
const SCOPES_DE: Readonly<Record<string, string>> = {
  user: 'Ihre Profilinformationen lesen',
  repo: 'Volle Kontrolle über Ihre Repositories',
  'repo:read': 'Ihre öffentlichen und privaten Repositories lesen',
  public_repo: 'Auf Ihre öffentlichen Repositories zugreifen',
  gist: 'Gists anlegen',
  'ci:status': 'Commit-Status melden',
};

/** The example's administrators (DESIGN.md: alice is one, bob is not). */
const ADMINS: ReadonlySet<string> = new Set(['alice']);

function sessionUser(req: Request): ExampleUser | null {
  const user: unknown = req.user;
  return typeof user === 'object' && user !== null && 'id' in user && typeof user.id === 'string'
    ? findUserById(user.id)
    : null;
}

/**
 * An existing Express app with its own passport-local login that becomes an OAuth provider.
 * Exported without listening, so tests drive it; `server.ts` starts it.
 */
export function createExampleProvider(options: ExampleProviderOptions): { app: Express; provider: Provider } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(
    session({
      secret: options.sessionSecret ?? randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: options.issuer.startsWith('https:') },
    }),
  );
  // A passport instance of its own, so several example apps (tests) never share strategies.
  const passport = new Passport();
  passport.use(
    new LocalStrategy((username, password, done) => {
      const user = findUserByLogin(username);
      done(null, user !== null && user.password === password ? user : false);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as ExampleUser).id));
  passport.deserializeUser((id: string, done) => done(null, findUserById(id) ?? false));
  app.use(passport.initialize());
  app.use(passport.session());

  const isAdmin = (req: Request): boolean => ADMINS.has(sessionUser(req)?.login ?? '');
  const repositories = new RepositoryStore();
  const provider = createProvider({
    adapter: options.adapter ?? new MemoryAdapter(),
    issuer: options.issuer,
    csrfSecret: options.csrfSecret,
    logger: options.logger,
    scopes: SCOPES,
    // What `repo` and `repo:read` apply to: the user's repositories (RFC 9396 type `repository`).
    resourceTypes: { repository: repositories.resourceType() },
    // The library's pages in the visitor's language: the switch's cookie, else Accept-Language.
    locale: chosenLanguage,
    messages: { de: { scopes: SCOPES_DE } },
    // The example's theme around every library page; its stylesheet is one of the example's files.
    views: { layout: themedLayout(isAdmin), csp: { all: { styleSrc: ["'self'"] } } },
    isAdmin,
    currentUser: (req) => {
      const user = sessionUser(req);
      return user === null ? null : { id: user.id, username: user.login };
    },
    findUser: (id) => {
      const user = findUserById(id);
      return user === null ? null : { id: user.id, username: user.login, login: user.login };
    },
    loginUrl: '/login',
    // Two protected resources (RFC 8707, RFC 9728): the demo API, where tokens issued without
    // `resource` keep working, and the MCP server, which accepts only tokens minted for it.
    resources: {
      [apiResource(options.issuer)]: {
        name: 'Example API',
        scopes: ['user', 'repo', 'repo:read', 'public_repo', 'gist', 'ci:status'],
      },
      [mcpResource(options.issuer)]: {
        name: 'Example MCP server',
        scopes: ['public_repo'],
        audienceRequired: true,
      },
    },
    // The web flow and client credentials, plus the device flow for CLIs and TVs (RFC 8628).
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', GRANT_TYPES.deviceCode],
    // DESIGN.md "Limits": outside suites drive this app hard from 127.0.0.1, so the per-address
    // limits are high and users may keep many apps and tokens; the per-client limits (wrong
    // secrets, device codes) are the library's.
    limits: {
      perAddress: { points: 30_000, durationSeconds: 60 },
      applicationsPerUser: 1000,
      personalTokensPerUser: 1000,
    },
    // The site's own app: a fixed client_id, stored at start (`await provider.ready`), no consent page.
    clients: [
      {
        clientId: FIRST_PARTY_CLIENT_ID,
        clientSecret: options.firstPartyClientSecret ?? DEFAULT_FIRST_PARTY_SECRET,
        name: 'Example first-party app',
        homepageUrl: options.issuer,
        redirectUris: [FIRST_PARTY_REDIRECT_URI],
        scopes: ['user', 'repo'],
        confidential: true,
        firstParty: true,
      },
    ],
  });
  const loginAttempts = new LoginAttempts();

  app.get('/', (req, res) => {
    setPageHeaders(res);
    res.type('html').send(homePage(options.issuer, sessionUser(req)?.login ?? null));
  });
  app.use('/theme', express.static(join(__dirname, 'theme'), { index: false, extensions: ['css'] }));
  // The language switch: remembers the choice in a cookie and goes back where the visitor was.
  app.get('/language', (req, res) => {
    const lang = typeof req.query.lang === 'string' ? req.query.lang : '';
    if (LANGUAGES.some(([code]) => code === lang)) {
      res.cookie(LANGUAGE_COOKIE, lang, { sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600 * 1000 });
    }
    res.redirect(303, safeReturnTo(req.query.return_to));
  });
  app.get('/login', (req, res) => {
    setPageHeaders(res);
    res.type('html').send(loginPage(safeReturnTo(req.query.return_to)));
  });
  app.post('/login', express.urlencoded({ extended: false }), async (req, res, next) => {
    setPageHeaders(res); // the answer is a page too: never framed
    // Login CSRF: a post from another site, or with `Origin: null` (sandboxed frames), is refused.
    if (isCrossSite(req)) {
      res.status(403).type('html').send(loginPage('/', 'Cross-site sign-in refused.'));
      return;
    }
    const returnTo = safeReturnTo(req.body?.return_to);
    const username = typeof req.body?.username === 'string' ? req.body.username : '';
    const wait = await loginAttempts.retryAfter(username, req.ip ?? '');
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      res.status(429).type('html').send(loginPage(returnTo, 'Too many failed sign-ins; wait a few minutes.'));
      return;
    }
    passport.authenticate('local', async (error: unknown, user: ExampleUser | false) => {
      if (error) return next(error);
      if (!user) {
        await loginAttempts.recordFailure(username, req.ip ?? '');
        res.status(401).type('html').send(loginPage(returnTo, 'Invalid username or password.'));
        return;
      }
      // A new session id on login (session fixation).
      req.session.regenerate((regenerateError) => {
        if (regenerateError) return next(regenerateError);
        req.logIn(user, (loginError) => (loginError ? next(loginError) : res.redirect(302, returnTo)));
      });
    })(req, res, next);
  });
  app.post('/logout', (req, res, next) => {
    // Logout CSRF: only the app's own pages may sign a user out.
    if (isCrossSite(req)) {
      setPageHeaders(res);
      res.status(403).type('html').send(loginPage('/', 'Cross-site sign-out refused.'));
      return;
    }
    req.logout((error) => (error ? next(error) : res.redirect(302, '/')));
  });

  app.use(provider.router);
  app.use('/settings', provider.settingsRouter);
  // The host's own check in front of the admin pages: signed in, or off to the login. Whether the
  // user is an administrator the router asks `isAdmin` itself (bob gets its 403 page).
  app.use(
    '/admin',
    (req, res, next) => {
      if (sessionUser(req) !== null) next();
      else res.redirect(302, `/login?return_to=${encodeURIComponent(req.originalUrl)}`);
    },
    provider.adminRouter,
  );
  app.use('/api', exampleApi(provider, apiResource(options.issuer), repositories));
  app.use('/mcp', exampleMcpServer(provider, mcpResource(options.issuer), repositories));
  app.use(
    '/playground',
    playgroundRouter({
      provider,
      issuer: options.issuer,
      currentUser: sessionUser,
      scopes: SCOPES,
      machineScopes: ['ci:status'],
    }),
  );
  // The host's own error handler: a detail-free page, never Express's stack trace. A request the
  // body parsers refused (a body too large, an unknown charset) keeps its 4xx: bad input is the
  // sender's fault, not a 500.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = clientErrorStatus(error);
    if (status === null) {
      console.error('[example provider]', error instanceof Error ? `${error.name}: ${error.message}` : error);
    }
    setPageHeaders(res);
    res
      .status(status ?? 500)
      .type('html')
      .send(
        loginPage(
          '/',
          status === null ? 'Something went wrong. Try again.' : 'The request could not be read.',
        ),
      );
  });
  return { app, provider };
}
