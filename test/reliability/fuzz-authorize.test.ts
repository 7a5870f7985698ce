/**
 * Property-based fuzzing of the authorization endpoint: fuzzed query strings with and without a
 * logged-in user, a state too long to send back, and fuzzed consent decisions (CSRF tokens,
 * cookies, bodies, content types).
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { htmlErrorProblem } from '../support/assertions';
import { REDIRECT_URI } from '../support/fixtures';
import * as flows from '../support/flows';
import { hiddenFields } from '../support/html';
import { pkcePair } from '../support/oauth';
import {
  bodyStyle,
  encode,
  formValue,
  junkString,
  mostly,
  parameters,
  redirectUris,
  SCOPE_VALUES,
  shortJunk,
  shortJunkJson,
} from './fuzz/arbitraries';
import { checkAuthorizeAnswer, fuzz, type Generated, setUpFuzzing } from './fuzz/harness';

const fuzzing = setUpFuzzing('authorize');

describe('fuzzing the authorization endpoint (memory adapter)', () => {
  it('GET /oauth/authorize: fuzzed query strings, with and without a logged-in user', async () => {
    const { confidential, publicClient, send } = fuzzing();
    const structured = parameters(
      {
        response_type: mostly(
          fc.constant('code'),
          fc.constantFrom('token', 'code token', 'id_token', 'CODE', ''),
        ),
        client_id: mostly(
          fc.constantFrom(confidential.clientId, publicClient.clientId),
          fc.constantFrom(`${confidential.clientId} `, confidential.id, confidential.clientId.toUpperCase()),
        ),
        redirect_uri: redirectUris,
        scope: SCOPE_VALUES,
        // Up to 5,000 characters (about 8.4 KB once '%41' is percent-encoded again): the request
        // stays under Node's 16 KiB header limit, which would answer 431 before our code runs;
        // what comes back need not stay under our 8 KiB redirect limit.
        state: fc.oneof(
          { arbitrary: shortJunk, weight: 8 },
          {
            arbitrary: fc
              .tuple(fc.constantFrom('a', 'xy', 'a!b', '%41'), fc.integer({ min: 1000, max: 5000 }))
              .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
            weight: 1,
          },
        ),
        code_challenge: mostly(
          fc.constant(pkcePair().challenge),
          fc.stringMatching(/^[A-Za-z0-9._~-]{0,130}$/),
        ),
        code_challenge_method: mostly(fc.constant('S256'), fc.constantFrom('plain', 's256', 'SHA256', '')),
      },
      shortJunkJson,
      90,
    ).map((entries) => {
      const query = new URLSearchParams();
      for (const [name, value] of entries) for (const item of formValue(value)) query.append(name, item);
      return query.toString();
    });
    // Raw query text: percent signs that decode to nothing, stray separators, unicode.
    const raw = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom('%', '&', '=', '+', ';', '?', 'client_id', 'redirect_uri', '%ZZ', '%C3'),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        ),
        maxLength: 30,
      })
      .map((text) => text.replace(/#/g, '%23'));
    const generated = fc
      .tuple(
        fc.oneof({ arbitrary: structured, weight: 4 }, { arbitrary: raw, weight: 1 }),
        fc.option(fc.constantFrom('alice', 'bob', 'x'), { freq: 2 }),
      )
      .map(([query, user]): Generated => {
        const headers: Record<string, string> = {};
        if (user !== null) headers['x-test-user'] = user;
        return { method: 'GET', path: `/oauth/authorize?${query}`, headers };
      });
    await fuzz(generated, 600, async (request) => {
      const answer = await send('GET /oauth/authorize', request);
      checkAuthorizeAnswer(request, answer);
    });
  });

  it('GET /oauth/authorize: fuzzed authorization_details (RFC 9396) are refused as invalid_authorization_details, never a 500', async () => {
    const { confidential, send } = fuzzing();
    // This host declares no authorization details type: every value is refused at the redirect URI.
    const details = fc.oneof(
      fc.constantFrom(
        '[]',
        '[{"type":"repository","actions":["read"]}]',
        '{',
        'null',
        '[{"type":1}]',
        '[[]]',
      ),
      fc.json({ maxDepth: 3 }).map((text) => text.slice(0, 2000)),
      shortJunk,
    );
    const generated = fc
      .tuple(details, fc.option(fc.constantFrom('alice', 'bob'), { freq: 3 }))
      .map(([value, user]): Generated => {
        const query = new URLSearchParams({
          response_type: 'code',
          client_id: confidential.clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'user',
          state: 's',
          authorization_details: value,
        });
        const headers: Record<string, string> = {};
        if (user !== null) headers['x-test-user'] = user;
        return { method: 'GET', path: `/oauth/authorize?${query}`, headers };
      });
    await fuzz(generated, 200, async (request) => {
      const answer = await send('GET /oauth/authorize', request);
      checkAuthorizeAnswer(request, answer);
      if (answer.status === 302 && answer.headers.location?.startsWith(REDIRECT_URI)) {
        expect(new URL(answer.headers.location).searchParams.get('error')).toBe(
          'invalid_authorization_details',
        );
      }
    });
  });

  it('an authorization request too long to send back answers the 400 page, not a redirect nobody can follow', async () => {
    const { confidential, send, host } = fuzzing();
    const query = (state: string) =>
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: confidential.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'user',
        state,
      })}`;
    const long = 'a'.repeat(9000);
    // An earlier consent, so the logged-in request skips the consent page and redirects with a code.
    expect(
      (
        await flows.authorize(host.browser('long-state-user'), {
          client: confidential,
          scope: 'user',
          pkce: pkcePair(),
        })
      ).code,
    ).not.toBeNull();
    // Not logged in (the login redirect), logged in (the code), and an error sent back with state.
    for (const [user, path] of [
      [null, query(long)],
      ['long-state-user', query(long)],
      ['long-state-user', `${query(long)}&scope=admin`.replace('scope=user&', '')],
    ] as const) {
      const answer = await send('deterministic', {
        method: 'GET',
        path,
        headers: user ? { 'x-test-user': user } : {},
      });
      expect({ status: answer.status, problem: htmlErrorProblem(answer) }).toEqual({
        status: 400,
        problem: null,
      });
    }
    // A long but reasonable state still works.
    const fine = await send('deterministic', { method: 'GET', path: query('s'.repeat(2000)), headers: {} });
    expect(fine.status).toBe(302);
  });

  it('POST /oauth/authorize: fuzzed consent decisions, CSRF tokens, bodies and content types', async () => {
    const { publicClient, send, host } = fuzzing();
    // A real consent form to perturb: its hidden fields and the browser's CSRF cookie.
    const browser = host.browser('consenting-user');
    const pkce = pkcePair();
    const shown = await browser.send(
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: publicClient.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'user',
        state: 'fuzz',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    expect(shown.status).toBe(200);
    const fields = hiddenFields(shown.text);
    const cookie = (shown.setCookies[0] ?? '').split(';')[0] ?? '';
    const known: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, value] of Object.entries(fields)) {
      known[name] = fc.oneof(fc.constant(value), fc.constant(value), junkString);
    }
    known.decision = fc.constantFrom('approve', 'deny', 'APPROVE', '', 'maybe');
    const generated = fc
      .tuple(
        parameters(known),
        bodyStyle,
        fc.constantFrom(cookie, '', 'eo_csrf=junk', `${cookie}; ${cookie}x`),
        fc.option(fc.constantFrom('consenting-user', 'someone-else'), { freq: 5 }),
      )
      .map(([entries, style, cookieHeader, user]): Generated => {
        const { body, headers } = encode(entries, style);
        if (cookieHeader !== '') headers.cookie = cookieHeader;
        if (user !== null) headers['x-test-user'] = user;
        return { method: 'POST', path: '/oauth/authorize', headers, body };
      });
    await fuzz(generated, 500, async (request) => {
      const answer = await send('POST /oauth/authorize', request);
      checkAuthorizeAnswer(request, answer);
    });
  });
});
