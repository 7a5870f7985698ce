/**
 * Property-based fuzzing of POST /oauth/register (RFC 7591): fuzzed client metadata (redirect
 * URIs, auth methods, grant and response types, scopes, application types, names), bodies and
 * content types. Every answer is a 201 registration or an RFC error (400 `invalid_redirect_uri`
 * / `invalid_client_metadata` / `invalid_request`, 413, 415, 429 with `Retry-After`), never a 5xx.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { REDIRECT_URI } from '../support/fixtures';
import {
  type BodyStyle,
  bodyStyle,
  encode,
  junkJson,
  mostly,
  parameters,
  redirectUris,
  SCOPE_VALUES,
} from './fuzz/arbitraries';
import { checkJson, fuzz, type Generated, jsonObject, setUpFuzzing } from './fuzz/harness';

const fuzzing = setUpFuzzing('register', {
  dynamicRegistration: { enabled: true, allowConfidential: true, scopes: ['user', 'repo', 'public_repo'] },
  limits: { registrationsPerAddress: { points: 1000, durationSeconds: 3600 } },
});

const REGISTERED_STATUSES = new Set([201]);

/** Registration is JSON only: most requests are JSON, so most reach the metadata checks. */
const JSON_BODY: BodyStyle = { encoding: 'json', contentType: null, raw: '', accept: null };
const style = fc.oneof({ arbitrary: fc.constant(JSON_BODY), weight: 3 }, { arbitrary: bodyStyle, weight: 1 });

describe('fuzzing POST /oauth/register (memory adapter)', () => {
  it('POST /oauth/register: fuzzed client metadata, bodies and content types', async () => {
    const { send } = fuzzing();
    // Each field mostly valid (so many requests register), sometimes not.
    const params = parameters(
      {
        redirect_uris: mostly(
          fc.array(fc.constantFrom(REDIRECT_URI, 'http://127.0.0.1:1234/callback'), {
            minLength: 1,
            maxLength: 2,
          }),
          fc.oneof(fc.array(redirectUris, { maxLength: 3 }), redirectUris, junkJson),
        ),
        client_name: mostly(fc.constant('CLI tool'), fc.string({ maxLength: 120 })),
        client_uri: mostly(
          fc.constant('https://client.example'),
          fc.constantFrom('javascript:alert(1)', 'nope', ''),
        ),
        token_endpoint_auth_method: mostly(
          fc.constantFrom('none', 'client_secret_basic', 'client_secret_post'),
          fc.constantFrom('private_key_jwt', ''),
        ),
        grant_types: mostly<unknown>(
          fc.constantFrom(['authorization_code'], ['authorization_code', 'refresh_token']),
          fc.array(fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', 'implicit'), {
            maxLength: 3,
          }),
        ),
        response_types: mostly<unknown>(
          fc.constant(['code']),
          fc.array(fc.constantFrom('code', 'token', 'id_token'), { maxLength: 2 }),
        ),
        scope: mostly(fc.constantFrom('repo', 'public_repo user', 'repo offline_access'), SCOPE_VALUES),
        application_type: mostly(fc.constant('native'), fc.constantFrom('web', 'tv', '')),
      },
      junkJson,
      70,
    );
    const generated = fc.tuple(params, style).map(([entries, how]): Generated => {
      const { body, headers } = encode(entries, how);
      return { method: 'POST', path: '/oauth/register', headers, body };
    });
    let registered = 0;
    await fuzz(generated, 600, async (request) => {
      const answer = await send('POST /oauth/register', request);
      if (answer.status === 201) registered += 1;
      checkJson(request, answer, (ok) => {
        if (!REGISTERED_STATUSES.has(ok.status)) return `unexpected status ${ok.status}`;
        const body = jsonObject(ok);
        if (typeof body?.client_id !== 'string') return 'a registration without client_id';
        if (!Array.isArray(body.redirect_uris) || body.redirect_uris.length === 0)
          return 'a registration without redirect_uris';
        const confidential = body.token_endpoint_auth_method !== 'none';
        if (confidential !== (typeof body.client_secret === 'string'))
          return 'a secret that does not match the auth method';
        return null;
      });
    });
    // The generators reach the success path too, not only the refusals.
    expect(registered).toBeGreaterThan(0);
  });
});
