/**
 * GitHub compatibility (DESIGN): comma-separated scopes in the authorization request (GitHub's
 * form, beside RFC 6749 §3.3's spaces), scopes reported without the ones they include
 * (`repo public_repo` → `repo`), a form-encoded token response when `Accept` asks for it, and
 * `X-OAuth-Scopes` / `X-Accepted-OAuth-Scopes` on API answers.
 */
import request from 'supertest';
import { expectFormTokenResponse } from '../support/assertions';
import { REDIRECT_URI } from '../support/fixtures';
import { consentPage, openAuthorize, postDecision } from '../support/flows';
import { authorizeQuery, bearer, locationParams } from '../support/oauth';
import { createTestHost, type RegisteredApp, type TestHost } from '../support/test-host';

let t: TestHost;
let client: RegisteredApp;

beforeEach(async () => {
  t = await createTestHost();
  client = await t.registerApp({ trust: 'host' });
});

describe('scope parameter: GitHub commas and RFC 6749 §3.3 spaces', () => {
  it('scope=repo,gist at /oauth/authorize shows both scopes and grants "repo gist"', async () => {
    const alice = t.browser();
    const { page: shown, fields } = await consentPage(alice, authorizeQuery({ client, scope: 'repo,gist' }));
    expect(shown.text).toContain('Full control of your repositories');
    expect(shown.text).toContain('Create gists');
    // The consent form posts the scope back in the RFC form.
    expect(fields.scope).toBe('repo gist');
    const approved = await postDecision(alice, fields, 'approve');
    const code = locationParams(approved).get('code') ?? '';
    const tokens = await t.exchange({ client, code });
    expect(tokens.body.scope).toBe('repo gist');
  });

  it('commas with spaces, as people type them (scope=repo, gist)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo, gist' });
    expect(tokens.body.scope).toBe('repo gist');
  });

  it('commas work at the token endpoint too (a refresh narrowed to scope=user,gist)', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo user gist' });
    const response = await t.refresh(client, tokens.refreshToken, { scope: 'user,gist' }, 'body');
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('user gist');
  });

  it('an unknown scope among commas → invalid_scope redirect', async () => {
    const response = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'repo,admin:org' }));
    expect(response.status).toBe(302);
    expect(locationParams(response).get('error')).toBe('invalid_scope');
  });
});

describe('scope normalisation: included scopes are not repeated', () => {
  it.each(['repo public_repo', 'public_repo,repo', 'repo,repo'])(
    '%j granted is reported as "repo"',
    async (scope) => {
      const tokens = await t.issueTokens({ client, scope });
      expect(tokens.body.scope).toBe('repo');
      const me = await t.me(tokens.accessToken);
      expect(me.headers['x-oauth-scopes']).toBe('repo');
      expect(me.body.scopes).toEqual(['repo']);
    },
  );

  it('the consent page lists repo once and does not ask for public_repo separately', async () => {
    const shown = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'repo public_repo' }));
    expect(shown.text).toContain('<code>repo</code>');
    expect(shown.text).not.toContain('<code>public_repo</code>');
  });

  it('an earlier consent to repo covers a later request for public_repo (no consent page)', async () => {
    await t.issueTokens({ client, scope: 'repo' });
    const again = await openAuthorize(t.browser(), authorizeQuery({ client, scope: 'public_repo' }));
    expect(again.status).toBe(302);
    expect(locationParams(again).get('code')).toMatch(/^eoc_/);
  });
});

describe('token response format: Accept: application/x-www-form-urlencoded (as GitHub answers)', () => {
  it('answers form-encoded fields with no-store', async () => {
    const code = await t.authorize({ client, scope: 'repo gist' });
    const response = await t.token(
      client,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
      'body',
      { headers: { accept: 'application/x-www-form-urlencoded' } },
    );
    const fields = expectFormTokenResponse(response, 'repo gist');
    expect(fields.get('refresh_token')).toMatch(/^eor_/);
    const me = await request(t.app)
      .get('/api/me')
      .set('Authorization', bearer(fields.get('access_token')));
    expect(me.status).toBe(200);
  });

  it.each([
    ['application/json', /^application\/json/],
    ['*/*', /^application\/json/],
    ['application/json, application/x-www-form-urlencoded;q=0.5', /^application\/json/],
    ['application/x-www-form-urlencoded, application/json;q=0.5', /^application\/x-www-form-urlencoded/],
  ])('Accept: %s', async (accept, contentType) => {
    const response = await t.token(client, { grant_type: 'client_credentials' }, 'body', {
      headers: { accept },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(contentType);
  });
});

describe('X-OAuth-Scopes and X-Accepted-OAuth-Scopes on API answers', () => {
  it('every authenticated answer carries the token scopes, comma-separated as GitHub sends them', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo gist' });
    const me = await t.me(tokens.accessToken);
    expect(me.status).toBe(200);
    expect(me.headers['x-oauth-scopes']).toBe('repo, gist');
  });

  it('guarded routes also say what they accept, including the scopes that include the required one', async () => {
    const tokens = await t.issueTokens({ client, scope: 'repo' });
    const repos = await request(t.app).get('/api/repos').set('Authorization', bearer(tokens.accessToken));
    expect(repos.status).toBe(200);
    expect(repos.headers['x-oauth-scopes']).toBe('repo');
    expect(String(repos.headers['x-accepted-oauth-scopes']).split(', ').sort()).toEqual([
      'public_repo',
      'repo',
    ]);
  });

  it('a 403 insufficient_scope answer carries both headers too', async () => {
    const tokens = await t.issueTokens({ client, scope: 'user' });
    const gist = await request(t.app).post('/api/gists').set('Authorization', bearer(tokens.accessToken));
    expect(gist.status).toBe(403);
    expect(gist.headers['x-oauth-scopes']).toBe('user');
    expect(gist.headers['x-accepted-oauth-scopes']).toBe('gist');
  });

  it('a personal access token reports its scopes the same way', async () => {
    const pat = await t.provider.personalTokens.create('alice', 'script', ['gist', 'user'], null);
    const me = await t.me(pat.token);
    expect(me.headers['x-oauth-scopes']).toBe('gist, user');
  });
});
