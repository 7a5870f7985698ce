/**
 * RFC 6750 §3: every guard answers a failed request the same way — status, `WWW-Authenticate`
 * challenge (in the provider's realm) and JSON body — whether it is `provider.requireScope()`,
 * `provider.authenticate()` followed by the standalone `requireScope()`, or the passport strategy.
 */
import express, { type Express } from 'express';
import { Passport } from 'passport';
import { requireScope } from '../../lib';
import { interceptAdapter } from '../support/adapters';
import { bearer } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';
import { UserAgent } from '../support/user-agent';

let t: TestHost;
let client: RegisteredApp;
let app: Express;

const GUARDED = ['/provider', '/standalone', '/passport', '/passport-then-provider'] as const;
/** While set, every storage call fails, as in an outage. */
let storageDown = false;

beforeEach(async () => {
  storageDown = false;
  t = await createTestHost({
    wrapAdapter: (adapter) =>
      interceptAdapter(adapter, (_method, proceed) =>
        storageDown ? Promise.reject(new Error('storage is down')) : proceed(),
      ),
  });
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
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  const answer = await new UserAgent(app).send(`${path}${query}`, { headers });
  return {
    status: answer.status,
    challenge: answer.headers['www-authenticate'],
    contentType: answer.headers['content-type'],
    cacheControl: answer.headers['cache-control'],
    body: answer.text,
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
    const token = (await t.issueTokens({ client, scope: 'repo' })).accessToken;
    const answer = await expectSameAnswers(GUARDED, bearer(token), `?access_token=${token}`);
    expect(answer?.status).toBe(400);
    expect(answer?.challenge).toContain('error="invalid_request"');
  });

  it('a token without the scope: 403 insufficient_scope naming the scope, in the provider realm', async () => {
    const tokens = await t.issueTokens({ client, scope: 'gist' });
    const answer = await expectSameAnswers(GUARDED, bearer(tokens.accessToken));
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
      expect((await answerOf(path, bearer(tokens.accessToken))).status).toBe(200);
    }
  });

  it('storage down: 503 temporarily_unavailable from the passport strategy too, not the host’s error handler', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    storageDown = true;
    const answer = await expectSameAnswers(
      [...GUARDED, '/authenticate', '/passport-only'],
      bearer(tokens.accessToken),
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
    const response = await new UserAgent(bare).send('/x');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body.error).toBe('invalid_request');
  });
});
