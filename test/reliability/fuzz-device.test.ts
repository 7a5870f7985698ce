/**
 * Property-based fuzzing of POST /oauth/device/code (RFC 8628 §3.1): fuzzed scopes, bodies and
 * client authentication.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { bodyStyle, clientAuthorization, encode, parameters, SCOPE_VALUES } from './fuzz/arbitraries';
import { checkJson, fuzz, type Generated, jsonObject, setUpFuzzing } from './fuzz/harness';

const fuzzing = setUpFuzzing('device');

describe('fuzzing POST /oauth/device/code (memory adapter)', () => {
  it('POST /oauth/device/code: fuzzed scopes, bodies and client authentication', async () => {
    const { confidential, publicClient, send } = fuzzing();
    const params = parameters({
      client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
      client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
      scope: SCOPE_VALUES,
    });
    const generated = fc
      .tuple(params, bodyStyle, clientAuthorization(confidential, publicClient))
      .map(([entries, style, authorization]): Generated => {
        const { body, headers } = encode(entries, style);
        if (authorization !== null) headers.authorization = authorization;
        return { method: 'POST', path: '/oauth/device/code', headers, body };
      });
    await fuzz(generated, 400, async (request) => {
      const answer = await send('POST /oauth/device/code', request);
      checkJson(request, answer, (ok) => {
        const body = jsonObject(ok);
        return ok.status === 200 &&
          typeof body?.device_code === 'string' &&
          typeof body.user_code === 'string'
          ? null
          : 'not a device authorization response';
      });
    });
  });
});
