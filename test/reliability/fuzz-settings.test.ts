/**
 * Property-based fuzzing of the settings JSON API's writes: fuzzed JSON bodies, ids (one path
 * segment), users and content types.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { REDIRECT_URI } from '../support/fixtures';
import { stringField } from '../support/user-agent';
import {
  bodyStyle,
  type Encoding,
  type Entries,
  encode,
  encodeComponent,
  junkJson,
  junkString,
  mostly,
  parameters,
  SCOPE_VALUES,
  shortJunk,
} from './fuzz/arbitraries';
import { checkJson, FUZZER, fuzz, type Generated, setUpFuzzing } from './fuzz/harness';

const fuzzing = setUpFuzzing('settings');

describe('fuzzing the settings JSON API (memory adapter)', () => {
  it('the settings JSON API writes: fuzzed JSON bodies, ids, users and content types', async () => {
    const { confidential, send, host } = fuzzing();
    const fuzzer = host.browser(FUZZER);
    const created = await fuzzer.send('/settings/api/applications', {
      json: {
        name: 'Fuzzed app',
        homepage_url: 'https://client.example',
        redirect_uris: [REDIRECT_URI],
        confidential: true,
      },
    });
    expect(created.status).toBe(201);
    const ownId = stringField(created, 'id') ?? '';
    const personal = await fuzzer.send('/settings/api/tokens', { json: { name: 'mine', scopes: ['user'] } });
    const ownTokenId = stringField(personal, 'id') ?? '';

    const urls = mostly(
      fc.constantFrom(REDIRECT_URI, 'https://client.example', 'http://127.0.0.1:9/cb'),
      fc.oneof(
        fc.constantFrom('http://localhost/cb', 'ftp://x', 'https://', 'https://a.example/#x'),
        junkString,
      ),
    );
    const names = mostly(fc.constantFrom('App', 'Ünïcødé app 😀'), junkString);
    const scopeLists = mostly(
      fc.array(fc.constantFrom('user', 'repo', 'public_repo', 'gist'), { maxLength: 3 }),
      fc.oneof(fc.array(SCOPE_VALUES, { maxLength: 3 }), fc.array(junkJson, { maxLength: 2 }), SCOPE_VALUES),
    );
    const applicationFields = {
      name: names,
      homepage_url: urls,
      redirect_uris: mostly<unknown>(
        fc.array(urls, { minLength: 1, maxLength: 3 }),
        fc.oneof(urls, fc.constant([])),
      ),
      confidential: mostly(fc.boolean(), junkJson),
      scopes: scopeLists,
    };
    const tokenFields = {
      name: names,
      scopes: scopeLists,
      expires_in: mostly(
        fc.constantFrom(60, 3600, null),
        fc.oneof(fc.integer({ min: -10, max: 40_000_000 }), fc.constantFrom(1.5, '3600', 1e300, -0)),
      ),
    };
    // One non-empty path segment: an empty, `.` or `..` segment is another path (URL normalisation),
    // which is not one of these endpoints.
    const idSegment = fc.oneof(
      fc.constantFrom(ownId, ownTokenId, confidential.clientId, confidential.id),
      shortJunk
        .map((value) => encodeComponent(value))
        .filter((segment) => !/^(?:\.|%2e){0,2}$/i.test(segment)),
      fc.constantFrom('%ZZ', '%E0%A4%A', '%2F', '%00', 'x%2Fy', '%20', '%C0%AF'),
    );
    const write = fc.oneof(
      parameters(applicationFields).map((entries) => ({ method: 'POST', path: '/applications', entries })),
      fc
        .tuple(idSegment, parameters(applicationFields))
        .map(([id, entries]) => ({ method: 'PATCH', path: `/applications/${id}`, entries })),
      parameters(tokenFields).map((entries) => ({ method: 'POST', path: '/tokens', entries })),
      fc.tuple(idSegment, fc.constantFrom('secret', 'revoke-tokens')).map(([id, action]) => ({
        method: 'POST',
        path: `/applications/${id}/${action}`,
        entries: [] as Entries,
      })),
      fc.tuple(idSegment, fc.constantFrom('tokens', 'authorizations', 'applications')).map(([id, kind]) => ({
        method: 'DELETE',
        path: `/${kind}/${id}`,
        entries: [] as Entries,
      })),
    );
    const jsonStyle = fc.oneof(
      {
        arbitrary: bodyStyle.map((style) => ({ ...style, encoding: 'json' as Encoding, contentType: null })),
        weight: 4,
      },
      {
        arbitrary: bodyStyle.map((style) => ({
          ...style,
          encoding: 'json-text' as Encoding,
          contentType: null,
        })),
        weight: 1,
      },
      { arbitrary: bodyStyle, weight: 2 },
    );
    const generated = fc
      .tuple(write, jsonStyle, fc.option(fc.constantFrom(FUZZER, 'intruder'), { freq: 8 }))
      .map(([{ method, path, entries }, style, user]): Generated => {
        const { body, headers } = encode(entries, style);
        if (user !== null) headers['x-test-user'] = user;
        return {
          method,
          path: `/settings/api${path}`,
          headers,
          body: method === 'DELETE' && style.encoding === 'none' ? undefined : body,
        };
      });
    await fuzz(generated, 600, async (request) => {
      // Never delete the fuzzer's own application: later runs need it.
      if (request.method === 'DELETE' && request.path === `/settings/api/applications/${ownId}`) return;
      const answer = await send('settings JSON API writes', request);
      checkJson(request, answer, (ok) => {
        if (ok.status === 204) return ok.text === '' ? null : 'a 204 with a body';
        if (ok.status === 200 || ok.status === 201)
          return ok.json !== null ? null : 'a success that is not JSON';
        return `unexpected status ${ok.status}`;
      });
    });
  });
});
