/**
 * Property-based fuzzing of POST /oauth/revoke (RFC 7009) and POST /oauth/introspect (RFC 7662):
 * fuzzed tokens, hints, bodies and client authentication.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { bodyStyle, clientAuthorization, encode, parameters, tokenLike } from './fuzz/arbitraries';
import { checkJson, freshCredentials, fuzz, type Generated, jsonObject, setUpFuzzing } from './fuzz/harness';

const fuzzing = setUpFuzzing('revoke and introspect');

describe('fuzzing POST /oauth/revoke and POST /oauth/introspect (memory adapter)', () => {
  it('POST /oauth/revoke and POST /oauth/introspect: fuzzed tokens, hints, bodies and client authentication', async () => {
    const { confidential, publicClient, send } = fuzzing();
    const live = await freshCredentials(fuzzing(), 'fuzz-revoke');
    const tokens = [...live.access, ...live.refresh, live.personal, ...live.codes.map((entry) => entry.code)];
    const params = parameters({
      token: tokenLike(tokens),
      token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'code', ''),
      client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
      client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
    });
    const generated = fc
      .tuple(
        fc.constantFrom('/oauth/revoke', '/oauth/introspect'),
        params,
        bodyStyle,
        clientAuthorization(confidential, publicClient),
      )
      .map(([path, entries, style, authorization]): Generated => {
        const { body, headers } = encode(entries, style);
        if (authorization !== null) headers.authorization = authorization;
        return { method: 'POST', path, headers, body };
      });
    await fuzz(generated, 800, async (request) => {
      const answer = await send(`POST ${request.path}`, request);
      checkJson(request, answer, (ok) => {
        if (ok.status !== 200) return `unexpected status ${ok.status}`;
        if (request.path === '/oauth/revoke')
          return ok.text === '' ? null : 'a revocation answer with a body';
        return typeof jsonObject(ok)?.active === 'boolean'
          ? null
          : 'an introspection answer without "active"';
      });
    });
  });
});
