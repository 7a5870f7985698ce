/**
 * Property-based fuzzing of the bearer guards (RFC 6750) and GET /oauth/token/info: fuzzed
 * Authorization headers and access_token query values; every 401 carries a Bearer challenge.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { encodeComponent, headerText, shortJunk, tokenLike } from './fuzz/arbitraries';
import { checkJson, fail, freshCredentials, fuzz, type Generated, setUpFuzzing } from './fuzz/harness';

const fuzzing = setUpFuzzing('bearer');

describe('fuzzing the bearer guards (memory adapter)', () => {
  it('GET /oauth/token/info and guarded API routes: fuzzed Authorization headers and access_token query values', async () => {
    const { send } = fuzzing();
    const live = await freshCredentials(fuzzing(), 'fuzz-bearer');
    const tokens = [...live.access, live.personal, ...live.refresh];
    const token = fc.oneof(tokenLike(tokens), shortJunk);
    const headerToken = fc.oneof(tokenLike(tokens), headerText(60));
    const authorization = fc.oneof(
      { arbitrary: fc.constant(null), weight: 2 },
      { arbitrary: headerToken.map((value) => `Bearer ${value}`), weight: 4 },
      {
        arbitrary: fc
          .tuple(
            fc.constantFrom('bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', 'Bearer', 'Basic ', 'Token ', ''),
            headerToken,
            fc.constantFrom('', ' ', '=', '==', ' x'),
          )
          .map(([scheme, value, tail]) => `${scheme}${value}${tail}`),
        weight: 3,
      },
      { arbitrary: headerText(80), weight: 1 },
    );
    const query = fc.oneof(
      { arbitrary: fc.constant(''), weight: 3 },
      { arbitrary: token.map((value) => `access_token=${encodeComponent(value)}`), weight: 3 },
      {
        arbitrary: fc
          .tuple(token, token)
          .map(([a, b]) => `access_token=${encodeComponent(a)}&access_token=${encodeComponent(b)}`),
        weight: 1,
      },
      { arbitrary: shortJunk.map((value) => `access_token=${value.replace(/[#]/g, '%23')}`), weight: 1 },
      {
        arbitrary: fc.constantFrom('access_token', 'access_token=', 'access_token=%', 'x=1&access_token=%ZZ'),
        weight: 1,
      },
    );
    const generated = fc
      .tuple(fc.constantFrom('/oauth/token/info', '/api/user', '/api/repos'), authorization, query)
      .map(([path, header, search]): Generated => {
        const headers: Record<string, string> = {};
        if (header !== null) headers.authorization = header;
        return { method: 'GET', path: search === '' ? path : `${path}?${search}`, headers };
      });
    await fuzz(generated, 900, async (request) => {
      const answer = await send(`GET ${request.path.split('?')[0]}`, request);
      checkJson(request, answer, (ok) =>
        ok.status === 200 && ok.json !== null ? null : `unexpected ${ok.status}`,
      );
      if (answer.status === 401 && !(answer.headers['www-authenticate'] ?? '').startsWith('Bearer realm=')) {
        fail(request, answer, 'a 401 without a Bearer challenge (RFC 6750 §3)');
      }
    });
  });
});
