/**
 * Property-based fuzzing of the device flow (RFC 8628): POST /oauth/device/code (§3.1) with fuzzed
 * scopes, bodies and client authentication, on the default limits and on tight ones (where the
 * outstanding-code cap and the failed-authentication limit bite: 429 with `Retry-After`, never a
 * 5xx, and never more codes than the cap); and the verification page GET and POST /oauth/device
 * (§3.3) with fuzzed user codes, CSRF tokens, decisions, cookies and users.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { requestDeviceCode } from '../support/device-flow';
import { USER_HEADER } from '../support/fixtures';
import { hiddenFields } from '../support/html';
import {
  bodyStyle,
  clientAuthorization,
  type Encoding,
  encode,
  encodeComponent,
  junkString,
  parameters,
  SCOPE_VALUES,
  shortJunk,
} from './fuzz/arbitraries';
import {
  checkJson,
  checkPage,
  type Fuzzing,
  fuzz,
  type Generated,
  jsonObject,
  setUpFuzzing,
} from './fuzz/harness';

/** Device authorization requests of the suite's two clients, near-valid or not. */
function deviceCodeRequests({ confidential, publicClient }: Fuzzing) {
  const params = parameters({
    client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
    client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
    scope: SCOPE_VALUES,
  });
  return fc
    .tuple(params, bodyStyle, clientAuthorization(confidential, publicClient))
    .map(([entries, style, authorization]): Generated => {
      const { body, headers } = encode(entries, style);
      if (authorization !== null) headers.authorization = authorization;
      return { method: 'POST', path: '/oauth/device/code', headers, body };
    });
}

function deviceAuthorizationProblem(ok: Parameters<Parameters<typeof checkJson>[2]>[0]): string | null {
  const body = jsonObject(ok);
  return ok.status === 200 && typeof body?.device_code === 'string' && typeof body.user_code === 'string'
    ? null
    : 'not a device authorization response';
}

describe('fuzzing the device flow (memory adapter, default limits)', () => {
  const fuzzing = setUpFuzzing('device');

  it('POST /oauth/device/code: fuzzed scopes, bodies and client authentication', async () => {
    const { send } = fuzzing();
    await fuzz(deviceCodeRequests(fuzzing()), 400, async (request) => {
      const answer = await send('POST /oauth/device/code', request);
      checkJson(request, answer, deviceAuthorizationProblem);
    });
  });

  it('GET and POST /oauth/device: fuzzed user codes, CSRF tokens, decisions, cookies and users', async () => {
    const { host, send } = fuzzing();
    // Clients of this test's own: the other one may have spent their failed-authentication budget.
    const publicClient = await host.registerApp({ confidential: false, name: 'Device page public' });
    const confidential = await host.registerApp({ confidential: true, name: 'Device page confidential' });
    const device = host.client;
    const codes = [
      await requestDeviceCode(device, publicClient, 'user'),
      await requestDeviceCode(device, confidential, 'user repo'),
      await requestDeviceCode(device, publicClient),
    ].map((code) => code.user_code);
    // The code form and, for one real code, the consent page: their hidden fields and the cookie.
    const browser = host.browser('device-user');
    const form = await browser.send('/oauth/device');
    expect(form.status).toBe(200);
    const formFields = hiddenFields(form.text);
    const consent = await browser.send('/oauth/device', {
      form: { csrf_token: formFields.csrf_token ?? '', user_code: codes[0] ?? '' },
    });
    expect(consent.status).toBe(200);
    const consentFields = hiddenFields(consent.text);
    const cookie = browser.cookieHeader();

    const userCode = fc.oneof(
      { arbitrary: fc.constantFrom(...codes), weight: 4 },
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...codes), fc.constantFrom('lower', 'bare', 'spaced', 'cut', 'extra'))
          .map(([code, change]) => {
            if (change === 'lower') return code.toLowerCase();
            if (change === 'bare') return code.replace(/-/g, '');
            if (change === 'spaced') return ` ${code.split('').join(' ')} `;
            if (change === 'cut') return code.slice(0, -1);
            return `${code}X`;
          }),
        weight: 2,
      },
      { arbitrary: junkString, weight: 1 },
    );
    const known: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, value] of Object.entries({ ...formFields, ...consentFields })) {
      known[name] = fc.oneof(fc.constant(value), fc.constant(value), shortJunk);
    }
    known.user_code = userCode;
    known.decision = fc.constantFrom('approve', 'deny', 'APPROVE', '', 'maybe');
    const formStyle = fc.oneof(
      {
        arbitrary: bodyStyle.map((style) => ({ ...style, encoding: 'form' as Encoding, contentType: null })),
        weight: 4,
      },
      { arbitrary: bodyStyle, weight: 1 },
    );
    const post = fc.tuple(parameters(known), formStyle).map(([entries, style]) => {
      const { body, headers } = encode(entries, style);
      return { method: 'POST', path: '/oauth/device', headers, body };
    });
    const get = fc
      .option(
        fc.oneof(
          userCode.map((code) => `user_code=${encodeComponent(code)}`),
          fc.constantFrom('user_code=', 'user_code=%ZZ', 'user_code=a&user_code=b', 'x=1'),
        ),
        { freq: 4 },
      )
      .map((query) => ({
        method: 'GET',
        path: query === null ? '/oauth/device' : `/oauth/device?${query}`,
        headers: {} as Record<string, string>,
        body: undefined,
      }));
    const generated = fc
      .tuple(
        fc.oneof({ arbitrary: get, weight: 1 }, { arbitrary: post, weight: 3 }),
        fc.constantFrom(cookie, cookie, '', 'eo_csrf=junk'),
        fc.option(fc.constantFrom('device-user', 'someone-else'), { freq: 6 }),
      )
      .map(([request, cookieHeader, user]): Generated => {
        const headers = { ...request.headers };
        if (cookieHeader !== '') headers.cookie = cookieHeader;
        if (user !== null) headers[USER_HEADER] = user;
        return { method: request.method, path: request.path, headers, body: request.body };
      });
    await fuzz(generated, 500, async (request) => {
      const answer = await send(`${request.method} /oauth/device`, request);
      checkPage(request, answer);
    });
  });
});

describe('fuzzing POST /oauth/device/code on tight limits (memory adapter)', () => {
  const CAP = 2;
  const fuzzing = setUpFuzzing('device, tight limits', {
    limits: {
      deviceCodesPerClient: CAP,
      failedClientAuthentications: { points: 30, durationSeconds: 600, blockSeconds: 600 },
      perAddress: { points: 250, durationSeconds: 600 },
    },
  });

  it('the outstanding-code cap, the failed-authentication limit and the per-address limit: 429 with Retry-After, never a 5xx', async () => {
    const { send, host } = fuzzing();
    const hit: Record<string, number> = {};
    host.provider.events.on('limit.exceeded', ({ limit }) => {
      hit[limit] = (hit[limit] ?? 0) + 1;
    });
    let issued = 0;
    let limited = 0;
    await fuzz(deviceCodeRequests(fuzzing()), 400, async (request) => {
      const answer = await send('POST /oauth/device/code (tight limits)', request);
      checkJson(request, answer, deviceAuthorizationProblem);
      if (answer.status === 200) issued += 1;
      if (answer.status === 429) limited += 1;
    });
    // Two clients, CAP codes each within one code lifetime; and the limits were reached.
    expect(issued).toBeGreaterThan(0);
    expect(issued).toBeLessThanOrEqual(2 * CAP);
    expect(limited).toBeGreaterThan(50);
    process.stdout.write(`[fuzz device, tight limits] limit.exceeded by limit: ${JSON.stringify(hit)}\n`);
    expect(Object.values(hit).reduce((sum, count) => sum + count, 0)).toBe(limited);
  });
});
