/**
 * RFC 6750 §3: every guard answers a failed request the same way — status, `WWW-Authenticate`
 * challenge (in the provider's realm) and JSON body — whether it is `provider.requireScope()`,
 * `provider.authenticate()` followed by the standalone `requireScope()`, or the passport strategy.
 */
import express, { type Express } from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { requireScope, type StorageAdapter } from '../../lib';
import { bearer, makeTestProvider, type RegisteredApp, type TestProvider } from '../support/provider-harness';

let t: TestProvider;
let client: RegisteredApp;
let app: Express;

const GUARDED = ['/provider', '/standalone', '/passport', '/passport-then-provider'] as const;
/** While set, every storage call fails, as in an outage. */
let storageDown = false;

/** The adapter with a switch that makes every call fail. */
function withOutageSwitch(adapter: StorageAdapter): StorageAdapter {
  return new Proxy(adapter, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key);
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) =>
        storageDown ? Promise.reject(new Error('storage is down')) : Reflect.apply(member, target, args);
    },
  });
}

beforeEach(async () => {
  storageDown = false;
  t = makeTestProvider({ wrapAdapter: withOutageSwitch });
  client = await t.registerApp();
  const passport = new Passport();
  passport.use(t.provider.passportStrategy());
  const viaPassport = passport.authenticate('oauth-bearer', { session: false });
  const ok: express.RequestHandler = (_req, res) => {
    res.json({ ok: true });
  };
  app = express();
  app.use(passport.initialize());
  app.get('/provider', t.provider.requireScope('repo'), ok);
  app.get('/standalone', t.provider.authenticate(), requireScope('repo'), ok);
  app.get('/passport', viaPassport, requireScope('repo'), ok);
  app.get('/passport-then-provider', viaPassport, t.provider.requireScope('repo'), ok);
  app.get('/authenticate', t.provider.authenticate(), ok);
  app.get('/passport-only', viaPassport, ok);
});

/** What a client can see of an answer, except the scope headers (which say what the route accepts). */
async function answerOf(path: string, authorization: string | null, query = '') {
  let call = request(app).get(`${path}${query}`);
  if (authorization !== null) call = call.set('Authorization', authorization);
  const response = await call;
  return {
    status: response.status,
    challenge: response.headers['www-authenticate'],
    contentType: response.headers['content-type'],
    cacheControl: response.headers['cache-control'],
    body: response.text,
  };
}

async function expectSameAnswers(paths: readonly string[], authorization: string | null, query = '') {
  const answers = await Promise.all(paths.map((path) => answerOf(path, authorization, query)));
  for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  return answers[0];
}

describe('the guards answer byte for byte alike', () => {
  it('no token: 401, a bare challenge in the provider realm, the JSON body', async () => {
    const answer = await expectSameAnswers([...GUARDED, '/authenticate', '/passport-only'], null);
    expect(answer?.status).toBe(401);
    expect(answer?.challenge).toBe('Bearer realm="issuer.example"');
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      error: 'invalid_request',
      error_description: 'An access token is required',
    });
  });

  it('a bad token: 401 invalid_token, never passport’s plain-text "Unauthorized"', async () => {
    const answer = await expectSameAnswers(
      [...GUARDED, '/authenticate', '/passport-only'],
      'Bearer eoa_nope',
    );
    expect(answer?.status).toBe(401);
    expect(answer?.challenge).toContain('realm="issuer.example", error="invalid_token"');
    expect(answer?.contentType).toMatch(/^application\/json/);
    expect(answer?.cacheControl).toBe('no-store');
    expect(JSON.parse(answer?.body ?? '').error).toBe('invalid_token');
  });

  it('a token sent twice: 400 invalid_request with the challenge', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const token = String(tokens.access_token);
    const answer = await expectSameAnswers(GUARDED, bearer(token), `?access_token=${token}`);
    expect(answer?.status).toBe(400);
    expect(answer?.challenge).toContain('error="invalid_request"');
  });

  it('a token without the scope: 403 insufficient_scope naming the scope, in the provider realm', async () => {
    const tokens = await t.issueTokens({ client, scope: 'gist' });
    const answer = await expectSameAnswers(GUARDED, bearer(tokens.access_token));
    expect(answer?.status).toBe(403);
    expect(answer?.challenge).toBe(
      'Bearer realm="issuer.example", error="insufficient_scope", ' +
        'error_description="This resource requires one of the scopes: repo", scope="repo"',
    );
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      error: 'insufficient_scope',
      error_description: 'This resource requires one of the scopes: repo',
    });
  });

  it('a token with the scope passes every guard', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    for (const path of GUARDED) {
      expect((await answerOf(path, bearer(tokens.access_token))).status).toBe(200);
    }
  });

  it('storage down: 503 temporarily_unavailable from the passport strategy too, not the host’s error handler', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    storageDown = true;
    const answer = await expectSameAnswers(
      [...GUARDED, '/authenticate', '/passport-only'],
      bearer(tokens.access_token),
    );
    expect(answer?.status).toBe(503);
    expect(answer?.challenge).toContain('error="temporarily_unavailable"');
    expect(t.errors.length).toBeGreaterThan(0);
  });
});

describe('the standalone requireScope() without authenticate() before it', () => {
  it('answers 401 with a challenge but no realm: no provider told it one', async () => {
    const bare = express();
    bare.get('/x', requireScope('repo'), (_req, res) => {
      res.json({ ok: true });
    });
    const response = await request(bare).get('/x');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body.error).toBe('invalid_request');
  });
});
