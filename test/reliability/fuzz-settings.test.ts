/**
 * Property-based fuzzing of the settings JSON API's writes — fuzzed JSON bodies, ids (one path
 * segment), users, content types, and the headers its CSRF and session rules read (`Sec-Fetch-Site`,
 * `Origin`, `X-Requested-With`, a bearer token in the header or the query) — and of the settings
 * pages' form posts (fuzzed fields, CSRF tokens, cookies and users). Beyond "never a 5xx": a
 * request carrying an access token, and a cross-site write, is always 403 (audit findings 3, 4).
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import type { ResourceOwner } from '../../lib';
import { REDIRECT_URI, SCOPES } from '../support/fixtures';
import { hiddenFields } from '../support/html';
import { stringField } from '../support/user-agent';
import {
  bodyStyle,
  type Encoding,
  type Entries,
  encode,
  encodeComponent,
  formBodyStyle,
  junkJson,
  junkString,
  mostly,
  parameters,
  SCOPE_VALUES,
  sessionHeaders,
  shortJunk,
  sometimes,
} from './fuzz/arbitraries';
import { checkJson, checkPage, FUZZER, fail, fuzz, type Generated, setUpFuzzing } from './fuzz/harness';

// `repo` applies to repositories (fine-grained access), so the pages' resource choices are fuzzed too.
const fuzzing = setUpFuzzing('settings', {
  scopes: { ...SCOPES, repo: { ...SCOPES.repo, resourceType: 'repository' } },
  resourceTypes: {
    repository: {
      name: 'repositories',
      list: (user: ResourceOwner) => ({
        items: [
          { id: `${user.id}/notes`, name: 'notes' },
          { id: `${user.id}/<b>x</b>`, name: '<b>x</b>' },
        ],
      }),
    },
  },
});

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
    const ownOrigin = new URL(host.url ?? '').origin;
    const session = sessionHeaders(ownOrigin, stringField(personal, 'token') ?? '');

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
      .tuple(write, jsonStyle, fc.option(fc.constantFrom(FUZZER, 'intruder'), { freq: 8 }), session)
      .map(([{ method, path, entries }, style, user, browser]) => {
        const { body, headers } = encode(entries, style);
        if (user !== null) headers['x-test-user'] = user;
        const request: Generated = {
          method,
          path: `/settings/api${path}${browser.query}`,
          headers: { ...headers, ...browser.headers },
          body: method === 'DELETE' && style.encoding === 'none' ? undefined : body,
        };
        return { request, refused: browser.carriesToken || browser.crossSite };
      });
    let refusals = 0;
    await fuzz(generated, 600, async ({ request, refused }) => {
      // Never delete the fuzzer's own application: later runs need it.
      if (request.method === 'DELETE' && request.path.startsWith(`/settings/api/applications/${ownId}`))
        return;
      const answer = await send('settings JSON API writes', request);
      if (refused) {
        refusals += 1;
        if (answer.status !== 403)
          fail(request, answer, 'an access token or a cross-site write not refused with 403');
      }
      checkJson(request, answer, (ok) => {
        if (ok.status === 204) return ok.text === '' ? null : 'a 204 with a body';
        if (ok.status === 200 || ok.status === 201)
          return ok.json !== null ? null : 'a success that is not JSON';
        return `unexpected status ${ok.status}`;
      });
    });
    // The generators reach the refusals (a check that cannot fail is no check).
    expect(refusals).toBeGreaterThan(50);
  });

  it('the settings pages: fuzzed form posts, CSRF tokens, cookies, users and access tokens', async () => {
    const { host, send } = fuzzing();
    const owner = host.browser(FUZZER);
    const shown = await owner.send('/settings/tokens');
    expect(shown.status).toBe(200);
    const csrf = hiddenFields(shown.text).csrf_token ?? '';
    const cookie = owner.cookieHeader();
    const made = await owner.send('/settings/api/applications', {
      json: { name: 'Paged app', homepage_url: 'https://client.example', redirect_uris: [REDIRECT_URI] },
    });
    const appId = stringField(made, 'id') ?? '';
    const personal = await owner.send('/settings/api/tokens', { json: { name: 'paged', scopes: ['user'] } });
    const tokenId = stringField(personal, 'id') ?? '';
    // An authorization of the fuzzer's to narrow.
    const { confidential } = fuzzing();
    await host.issueTokens({ client: confidential, scope: 'repo', user: FUZZER });
    const segment = fc.oneof(
      fc.constantFrom(
        appId,
        tokenId,
        confidential.clientId,
        'client_id_x',
        '00000000-0000-0000-0000-000000000000',
      ),
      shortJunk.map(encodeComponent).filter((part) => !/^(?:\.|%2e){0,2}$/i.test(part)),
      fc.constantFrom('%ZZ', '%00', '%2F'),
    );
    const post = fc.oneof(
      fc.constant('/applications'),
      segment.map((id) => `/applications/${id}`),
      fc
        .tuple(segment, fc.constantFrom('reset-secret', 'revoke-tokens', 'delete'))
        .map(([id, action]) => `/applications/${id}/${action}`),
      segment.map((id) => `/authorizations/${id}/revoke`),
      segment.map((id) => `/authorizations/${id}/narrow`),
      fc.constant('/tokens'),
      segment.map((id) => `/tokens/${id}/revoke`),
    );
    const fields = parameters({
      csrf_token: mostly(fc.constant(csrf), fc.oneof(shortJunk, fc.constant(''))),
      name: mostly(fc.constantFrom('Paged', 'Ünïcødé'), junkString),
      homepage_url: mostly(fc.constant('https://client.example'), junkString),
      redirect_uris: mostly(
        fc.constantFrom(REDIRECT_URI, `${REDIRECT_URI}\nhttps://b.example/cb`),
        junkString,
      ),
      client_type: fc.constantFrom('public', 'confidential', 'other'),
      scopes: fc.constantFrom('user', 'repo', 'nope'),
      expiry: fc.constantFrom('7', '30', '90', 'never', '0', 'x'),
      // Fine-grained: the resource choice of the tokens and authorizations pages.
      'resources:repo': fc.constantFrom('all', 'selected', 'other'),
      'resource:repo:0': mostly(
        fc.constantFrom(`${FUZZER}/notes`, `${FUZZER}/<b>x</b>`, 'bob/x'),
        junkString,
      ),
      access_token: sometimes(fc.constantFrom('eoa_junk'), 5).map((value) => value ?? undefined),
    });
    const generated = fc
      .tuple(
        post,
        fields,
        formBodyStyle,
        // Mostly the owner of the CSRF token; sometimes another user, sometimes nobody.
        fc.option(mostly(fc.constant(FUZZER), fc.constant('intruder')), { freq: 6 }),
        // Mostly with the browser's cookie (the CSRF token is bound to it), so most posts get past it.
        fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
        sometimes(fc.constantFrom('Bearer eoa_junk', 'bearer x'), 8),
      )
      .map(([path, entries, style, user, withCookie, bearer]) => {
        const present = entries.filter(([, value]) => value !== undefined);
        const { body, headers } = encode(present, style);
        if (user !== null) headers['x-test-user'] = user;
        if (withCookie) headers.cookie = cookie;
        if (bearer !== null) headers.authorization = bearer;
        const request: Generated = { method: 'POST', path: `/settings${path}`, headers, body };
        return { request, carriesToken: bearer !== null };
      });
    let refusals = 0;
    await fuzz(generated, 400, async ({ request, carriesToken }) => {
      if (request.path.startsWith(`/settings/applications/${appId}/delete`)) return;
      const answer = await send('settings page posts', request);
      if (carriesToken) {
        refusals += 1;
        if (answer.status !== 403)
          fail(request, answer, 'a page post with an access token not refused with 403');
      }
      checkPage(request, answer);
    });
    expect(refusals).toBeGreaterThan(10);
  });
});
