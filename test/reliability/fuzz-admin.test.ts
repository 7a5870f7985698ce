/**
 * Property-based fuzzing of the admin router (`provider.adminRouter`, DESIGN.md "Admin"): its JSON
 * API (fuzzed ids, user ids, `limit`/`after`, bodies, users, and the headers the session rules
 * read) and its pages (fuzzed form posts, CSRF tokens, cookies, users and access tokens). Beyond
 * "never a 5xx": an access token, and a cross-site write of the API, is always 403 (audit findings
 * 3 and 4 on the admin router), and nobody but the administrator ever gets a success.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts (its
 * `isAdmin` says yes to {@link ADMIN} only). A fixed number of runs from the run's seed: the same
 * requests every run.
 */
import fc from 'fast-check';
import { REDIRECT_URI, USER_HEADER } from '../support/fixtures';
import { hiddenFields } from '../support/html';
import { stringField } from '../support/user-agent';
import {
  bodyStyle,
  type Encoding,
  encode,
  encodeComponent,
  formBodyStyle,
  junkString,
  mostly,
  parameters,
  sessionHeaders,
  shortJunk,
  sometimes,
} from './fuzz/arbitraries';
import {
  ADMIN,
  checkJson,
  checkPage,
  FUZZER,
  fail,
  freshCredentials,
  fuzz,
  type Generated,
  setUpFuzzing,
} from './fuzz/harness';

const fuzzing = setUpFuzzing('admin');

/** The user whose authorizations and tokens the administrator looks at. */
const TARGET = 'fuzz-target';

/** One path segment: real ids, junk (never empty, `.` or `..`, which are other paths), bad escapes. */
function segments(real: string[]) {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...real), weight: 3 },
    {
      arbitrary: shortJunk.map(encodeComponent).filter((part) => !/^(?:\.|%2e){0,2}$/i.test(part)),
      weight: 2,
    },
    { arbitrary: fc.constantFrom('%ZZ', '%00', '%2F', 'x%2Fy', '%C0%AF', '__proto__'), weight: 1 },
  );
}

/** Mostly the administrator, sometimes another signed-in user, sometimes nobody. */
const users = fc.oneof(
  { arbitrary: fc.constant<string | null>(ADMIN), weight: 6 },
  { arbitrary: fc.constantFrom<string | null>(FUZZER, TARGET, 'Fuzz-Admin', `${ADMIN}x`), weight: 2 },
  { arbitrary: fc.constant<string | null>(null), weight: 1 },
);

describe('fuzzing the admin router (memory adapter)', () => {
  it('the admin JSON API: fuzzed methods, ids, user ids, queries, bodies, users and session headers', async () => {
    const { host, send, confidential, publicClient } = fuzzing();
    const live = await freshCredentials(fuzzing(), TARGET);
    const owner = host.browser(FUZZER);
    const made = await owner.send('/settings/api/applications', {
      json: {
        name: 'Admin-fuzzed app',
        homepage_url: 'https://client.example',
        redirect_uris: [REDIRECT_URI],
      },
    });
    expect(made.status).toBe(201);
    const appId = stringField(made, 'id') ?? '';
    const listed = await host.browser(ADMIN).send(`/admin/api/users/${TARGET}/tokens`);
    expect(listed.status).toBe(200);
    const tokenIds = Array.isArray(listed.json)
      ? listed.json.flatMap((entry: unknown) =>
          typeof entry === 'object' && entry !== null && typeof Reflect.get(entry, 'id') === 'string'
            ? [String(Reflect.get(entry, 'id'))]
            : [],
        )
      : [];
    expect(tokenIds.length).toBeGreaterThan(0);
    const session = sessionHeaders(new URL(host.url ?? '').origin, live.personal);

    const appSegment = segments([appId, confidential.id, publicClient.id, confidential.clientId]);
    const userSegment = segments([TARGET, FUZZER, ADMIN]);
    const clientSegment = segments([confidential.clientId, publicClient.clientId, appId]);
    const tokenSegment = segments([...tokenIds, ...live.access]);
    const pageQuery = parameters(
      {
        limit: mostly(
          fc.constantFrom('1', '2', '50', '100'),
          fc.constantFrom('0', '-1', '101', '1e2', 'x', ''),
        ),
        after: mostly(appSegment, junkString),
      },
      shortJunk,
      50,
    ).map((entries) => {
      const query = new URLSearchParams();
      for (const [name, value] of entries) query.append(name, String(value));
      const text = query.toString();
      return text === '' ? '' : `?${text}`;
    });
    const route = fc.oneof(
      pageQuery.map((query) => ({ method: 'GET', path: `/applications${query}` })),
      fc
        .tuple(fc.constantFrom('GET', 'DELETE'), appSegment)
        .map(([method, id]) => ({ method, path: `/applications/${id}` })),
      appSegment.map((id) => ({ method: 'POST', path: `/applications/${id}/revoke-tokens` })),
      fc
        .tuple(userSegment, fc.constantFrom('authorizations', 'tokens'))
        .map(([user, kind]) => ({ method: 'GET', path: `/users/${user}/${kind}` })),
      fc
        .tuple(userSegment, clientSegment)
        .map(([user, client]) => ({ method: 'DELETE', path: `/users/${user}/authorizations/${client}` })),
      fc
        .tuple(userSegment, tokenSegment)
        .map(([user, token]) => ({ method: 'DELETE', path: `/users/${user}/tokens/${token}` })),
    );
    const jsonStyle = fc.oneof(
      {
        arbitrary: bodyStyle.map((style) => ({ ...style, encoding: 'json' as Encoding, contentType: null })),
        weight: 4,
      },
      { arbitrary: bodyStyle, weight: 1 },
    );
    const body = parameters({ id: appSegment, confirm: fc.constantFrom('yes', true, 1) }, undefined, 30);
    const generated = fc
      .tuple(route, body, jsonStyle, users, session)
      .map(([target, entries, style, user, browser]) => {
        const { body: encoded, headers } = encode(entries, style);
        if (user !== null) headers[USER_HEADER] = user;
        const write = target.method !== 'GET';
        const separator = target.path.includes('?') ? '&' : '?';
        const request: Generated = {
          method: target.method,
          path: `/admin/api${target.path}${browser.query === '' ? '' : `${separator}${browser.query.slice(1)}`}`,
          headers: { ...headers, ...browser.headers },
          body: write ? encoded : undefined,
        };
        return { request, user, refused: browser.carriesToken || (write && browser.crossSite) };
      });

    const kept = [appId, confidential.id, publicClient.id];
    let refusals = 0;
    let successes = 0;
    await fuzz(generated, 700, async ({ request, user, refused }) => {
      // Keep the applications the later runs (and the pages test) use.
      if (
        request.method === 'DELETE' &&
        kept.some((id) => request.path.startsWith(`/admin/api/applications/${id}`))
      )
        return;
      const answer = await send('admin JSON API', request);
      if (refused) {
        refusals += 1;
        if (answer.status !== 403)
          fail(request, answer, 'an access token or a cross-site write not refused with 403');
      }
      if (answer.status < 400) {
        successes += 1;
        if (user !== ADMIN) fail(request, answer, 'a success for someone who is not the administrator');
      }
      checkJson(request, answer, (ok) => {
        if (ok.status === 204) return ok.text === '' ? null : 'a 204 with a body';
        if (ok.status === 200)
          return Array.isArray(ok.json) || ok.json !== null ? null : 'a 200 that is not JSON';
        return `unexpected status ${ok.status}`;
      });
    });
    // The generators reach both the refusals and the administrator's successes.
    expect(refusals).toBeGreaterThan(50);
    expect(successes).toBeGreaterThan(50);
  });

  it('the admin pages: fuzzed paths, form posts, CSRF tokens, cookies, users and access tokens', async () => {
    const { host, send, confidential, publicClient } = fuzzing();
    const live = await freshCredentials(fuzzing(), `${TARGET}-pages`);
    const made = await host.browser(FUZZER).send('/settings/api/applications', {
      json: {
        name: 'Admin-paged app',
        homepage_url: 'https://client.example',
        redirect_uris: [REDIRECT_URI],
      },
    });
    // The application's page carries the forms (and so the administrator's CSRF token).
    const admin = host.browser(ADMIN);
    const shown = await admin.send(`/admin/applications/${stringField(made, 'id') ?? ''}`);
    expect(shown.status).toBe(200);
    const csrf = hiddenFields(shown.text).csrf_token ?? '';
    expect(csrf).not.toBe('');
    const cookie = admin.cookieHeader();
    const appId = stringField(made, 'id') ?? '';
    const appSegment = segments([appId, confidential.id, publicClient.id]);
    const userSegment = segments([`${TARGET}-pages`, FUZZER, ADMIN]);
    const clientSegment = segments([confidential.clientId, publicClient.clientId]);
    const tokenSegment = segments([...live.access, live.personal, 'eoa_junk']);

    const page = fc.oneof(
      fc.constantFrom('', '/', '/applications', '/users'),
      appSegment.map((id) => `/applications?after=${id}`),
      appSegment.map((id) => `/applications/${id}`),
      userSegment.map((id) => `/users?id=${id}`),
      userSegment.map((id) => `/users/${id}`),
      fc.constantFrom('/applications?notice=deleted', '/applications?notice=__proto__', '/nowhere'),
    );
    const post = fc.oneof(
      fc
        .tuple(appSegment, fc.constantFrom('revoke-tokens', 'delete'))
        .map(([id, action]) => `/applications/${id}/${action}`),
      fc
        .tuple(userSegment, clientSegment)
        .map(([user, client]) => `/users/${user}/authorizations/${client}/revoke`),
      fc.tuple(userSegment, tokenSegment).map(([user, token]) => `/users/${user}/tokens/${token}/revoke`),
      fc.constantFrom('/applications', '/users'),
    );
    const fields = parameters({
      csrf_token: mostly(fc.constant(csrf), fc.oneof(shortJunk, fc.constant(''))),
      access_token: sometimes(fc.constantFrom('eoa_junk', live.personal), 5).map(
        (value) => value ?? undefined,
      ),
    });
    const generated = fc
      .tuple(
        fc.oneof(
          { arbitrary: page.map((path) => ({ method: 'GET', path })), weight: 2 },
          { arbitrary: post.map((path) => ({ method: 'POST', path })), weight: 3 },
        ),
        fields,
        formBodyStyle,
        users,
        fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
        sometimes(fc.constantFrom('Bearer eoa_junk', `Bearer ${live.personal}`, 'bearer x'), 8),
      )
      .map(([target, entries, style, user, withCookie, bearer]) => {
        const present = entries.filter(([, value]) => value !== undefined);
        const { body, headers } = encode(present, style);
        if (user !== null) headers[USER_HEADER] = user;
        if (withCookie) headers.cookie = cookie;
        if (bearer !== null) headers.authorization = bearer;
        const request: Generated = {
          method: target.method,
          path: `/admin${target.path}`,
          headers,
          body: target.method === 'POST' ? body : undefined,
        };
        return { request, user, carriesToken: bearer !== null };
      });

    let refusals = 0;
    let successes = 0;
    await fuzz(generated, 500, async ({ request, user, carriesToken }) => {
      if (
        [appId, confidential.id, publicClient.id].some((id) =>
          request.path.startsWith(`/admin/applications/${id}/delete`),
        )
      )
        return;
      const answer = await send(`admin pages ${request.method}`, request);
      if (carriesToken) {
        refusals += 1;
        if (answer.status !== 403)
          fail(request, answer, 'an admin page request with an access token not refused with 403');
      }
      const location = answer.headers.location ?? '';
      // A redirect to the login page (nobody signed in) or to the list (`GET /admin`) changes nothing.
      const harmless =
        answer.status >= 400 ||
        location.startsWith('/login') ||
        request.path === '/admin' ||
        request.path === '/admin/';
      if (!harmless) {
        successes += 1;
        if (user !== ADMIN) fail(request, answer, 'a success for someone who is not the administrator');
      }
      checkPage(request, answer);
    });
    expect(refusals).toBeGreaterThan(10);
    expect(successes).toBeGreaterThan(50);
  });
});
