/**
 * Issue 6 "Performance and reliability", DESIGN "Errors and bad input": property-based fuzzing
 * (fast-check) of every endpoint's parameters, headers and bodies — unknown grant types,
 * arbitrary strings, unicode and lone surrogates, values longer than the body limit, arrays and
 * objects where strings belong, repeated parameters, form and JSON and wrong content types,
 * broken JSON, Basic headers with junk base64, mutated tokens — mixed with near-valid requests
 * (real clients, codes, verifiers and tokens with one field perturbed) so the generated requests
 * also reach the deep paths. On the memory adapter, for speed.
 *
 * The properties: never a 5xx (and nothing reported to `onError`); every error answer of a JSON
 * endpoint is an RFC error object (JSON, string `error` of [a-z_], optional string
 * `error_description`); the authorization endpoint answers errors with a 4xx HTML page or a
 * redirect, and redirects only to the registered redirect URI or the login page; no answer carries
 * a stack frame or a file path. The number of generated requests is printed at the end.
 */
import fc from 'fast-check';
import { MemoryAdapter } from '../../adapters/memory';
import { DEFAULTS } from '../../lib';
import {
  Agent,
  type Answer,
  authorize,
  basicAuth,
  type Client,
  type Host,
  hiddenFields,
  htmlErrorProblem,
  internalsProblem,
  issueTokens,
  pkcePair,
  REDIRECT_URI,
  registerClient,
  rfcErrorProblem,
  startHost,
  stringField,
  summarize,
} from '../support/reliability-harness';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TIME_LIMIT_MS = 75_000;
const FUZZER = 'fuzzer';

jest.setTimeout(TIME_LIMIT_MS + 30_000);

// ---- the provider under test --------------------------------------------------------------------

let host: Host;
let agent: Agent;
let confidential: Client;
let publicClient: Client;
/** Requests sent per endpoint, and their answers (`status error`), for the report. */
const sent: Record<string, number> = {};
const outcomes: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  host = await startHost(new MemoryAdapter({ purgeIntervalMs: 0 }), {
    grantTypes: [...DEFAULTS.grantTypes, DEVICE_GRANT],
  });
  agent = new Agent(host.url, null);
  confidential = await registerClient(host.provider, { confidential: true, name: 'Fuzz confidential' });
  publicClient = await registerClient(host.provider, { confidential: false, name: 'Fuzz public' });
});

afterEach(() => {
  // No request made the provider meet an unexpected error (which would have been a 500).
  expect(host.errors).toEqual([]);
});

afterAll(async () => {
  await host?.close();
  const total = Object.values(sent).reduce((sum, count) => sum + count, 0);
  const lines = Object.entries(sent).map(([name, count]) => {
    const answers = Object.entries(outcomes[name] ?? {})
      .sort(([, a], [, b]) => b - a)
      .map(([outcome, times]) => `${outcome} ×${times}`)
      .join(', ');
    return `${name}: ${count} (${answers})`;
  });
  process.stdout.write(`\n[fuzz] ${total} generated requests in all\n  ${lines.join('\n  ')}\n`);
});

/** A live access token, refresh token and code of each client, for near-valid requests. */
async function freshCredentials(user: string, codeCount = 4) {
  const owner = new Agent(host.url, user);
  const conf = await issueTokens(owner, confidential, 'user repo');
  const pub = await issueTokens(owner, publicClient, 'user');
  const codes = [];
  for (let n = 0; n < codeCount; n += 1) {
    const client = n % 2 === 0 ? confidential : publicClient;
    const authorized = await authorize(owner, client, 'user');
    if (authorized.code === null) throw new Error(`no code: ${summarize(authorized.answer)}`);
    codes.push({ client, code: authorized.code, verifier: authorized.verifier });
  }
  const personal = await owner.send('/settings/api/tokens', { json: { name: 'fuzz', scopes: ['user'] } });
  return {
    access: [conf.accessToken, pub.accessToken],
    refresh: [conf.refreshToken, pub.refreshToken],
    personal: stringField(personal.json, 'token') ?? '',
    codes,
  };
}

// ---- generated values ---------------------------------------------------------------------------

/** Characters a header value may carry on the wire (HTAB, visible ASCII, Latin-1). */
const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(0x09))
  .map((code) => String.fromCharCode(code));
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** Longer than the body limit (16 KiB) at the top of the range. */
const longString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 200, max: 20_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const specialString = fc.constantFrom(
  '',
  ' ',
  '%',
  '%%',
  '%ZZ',
  '%E0%A4%A',
  '%00',
  '\u0000',
  '\r\n',
  '\uFEFF',
  '\uD800',
  '\uDFFF\uD800',
  '😀',
  'ﬀ',
  'İ',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '"',
  "'",
  '\\',
  '{}',
  '[]',
  'null',
  'undefined',
  'true',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '[object Object]',
  'S256',
  'plain',
  'code',
  'token',
  'Bearer',
  'eoa_',
  'eor_',
  'eoc_0000',
);

/** Arbitrary text for URLs and headers: short enough for Node's 16 KiB header limit (else 431 from Node itself). */
const shortJunk: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: specialString, weight: 3 },
);

/** Arbitrary text for bodies, up to beyond the body limit. */
const junkString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: shortJunk, weight: 11 },
  { arbitrary: longString, weight: 1 },
);

/** A JSON value where a string belongs (or a string). */
function jsonJunk(text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: text, weight: 5 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
    { arbitrary: fc.array(text, { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(text, text, { maxKeys: 3 }), weight: 1 },
    { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53), weight: 1 },
  );
}
const junkJson = jsonJunk(junkString);
/** For query strings. */
const shortJunkJson = jsonJunk(shortJunk);

/** A real token with one flaw (a changed, missing or extra character, another prefix), or itself. */
function tokenLike(valid: readonly string[]): fc.Arbitrary<string> {
  const real = fc.constantFrom(...valid);
  return fc.oneof(
    real,
    fc.tuple(real, fc.nat(), fc.constantFrom('a', 'Z', '0', '_', '%', 'é')).map(([token, at, char]) => {
      const index = at % token.length;
      return token.slice(0, index) + char + token.slice(index + 1);
    }),
    fc.tuple(real, fc.nat()).map(([token, cut]) => token.slice(0, cut % token.length)),
    real.map((token) => `${token}x`),
    real.map((token) => `eo${'acrdps'.charAt(token.length % 6)}_${token.slice(4)}`),
    real.map((token) => token.toUpperCase()),
  );
}

/** `encodeURIComponent`, also for text with lone surrogates (sent as U+FFFD, as a browser would). */
function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  }
}

type Entries = [string, unknown][];

/** Mostly the valid value(s), sometimes the others. */
function mostly<T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });
}

/** `value` with probability `percent`, otherwise `null`. */
function sometimes<T>(value: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> {
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: 100 - percent },
    { arbitrary: value, weight: percent },
  );
}

/**
 * A parameter list: each known name present or not, with its own generator or junk; a few junk
 * names; sometimes one parameter repeated.
 */
function parameters(
  known: Record<string, fc.Arbitrary<unknown>>,
  junk: fc.Arbitrary<unknown> = junkJson,
  presence = 80,
): fc.Arbitrary<Entries> {
  const names = Object.keys(known);
  // Mostly near-valid: each known parameter present `presence` % of the time, from its own generator six
  // times in seven; so most requests get past parsing and into the endpoint's own checks.
  const slots = names.map((name) =>
    sometimes(
      fc
        .oneof({ arbitrary: known[name] ?? junk, weight: 6 }, { arbitrary: junk, weight: 1 })
        .map((value): [string, unknown] => [name, value]),
      presence,
    ),
  );
  const extra = fc.array(
    fc.tuple(fc.oneof(shortJunk, fc.constantFrom(...names, '__proto__', 'constructor')), junk),
    { maxLength: 2 },
  );
  return fc
    .tuple(fc.tuple(...slots), sometimes(extra, 30), sometimes(fc.nat(), 15))
    .map(([present, more, repeat]) => {
      const entries: Entries = [...present.filter((entry) => entry !== null), ...((more ?? []) as Entries)];
      const repeated = repeat === null ? undefined : entries[repeat % Math.max(1, entries.length)];
      if (repeated !== undefined) entries.push(repeated);
      return entries;
    });
}

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=UTF-8',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/json',
  'APPLICATION/JSON; charset=utf-16',
  'application/vnd.api+json',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  '*/*',
  'application/',
] as const;

type Encoding = 'form' | 'json' | 'json-text' | 'broken-json' | 'json-non-object' | 'raw' | 'none';

/** How the parameters travel: the body encoding and the declared content type (which may lie). */
const bodyStyle = fc.record({
  encoding: fc.oneof(
    { arbitrary: fc.constant<Encoding>('form'), weight: 10 },
    { arbitrary: fc.constant<Encoding>('json'), weight: 5 },
    {
      arbitrary: fc.constantFrom<Encoding>('json-text', 'broken-json', 'json-non-object', 'raw', 'none'),
      weight: 5,
    },
  ),
  contentType: fc.oneof(
    { arbitrary: fc.constant<string | null>(null), weight: 12 },
    { arbitrary: fc.constantFrom<string | null>(...CONTENT_TYPES), weight: 3 },
    { arbitrary: headerText(30), weight: 1 },
  ),
  raw: junkString,
  accept: sometimes(
    fc.constantFrom('application/x-www-form-urlencoded', 'text/html', '*/*', 'application/json;q=0'),
    15,
  ),
});

function formValue(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(formValue);
  return [typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)];
}

/** The body and content type of a request (a declared content type overrides the encoding's own). */
function encode(entries: Entries, style: BodyStyle) {
  let body: string | null;
  let type: string | null;
  switch (style.encoding) {
    case 'form': {
      const form = new URLSearchParams();
      for (const [name, value] of entries) for (const item of formValue(value)) form.append(name, item);
      body = form.toString();
      type = 'application/x-www-form-urlencoded';
      break;
    }
    case 'json':
      body = JSON.stringify(Object.fromEntries(entries));
      type = 'application/json';
      break;
    case 'json-text':
      // Hand-written JSON keeps repeated keys.
      body = `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
      type = 'application/json';
      break;
    case 'broken-json':
      body = `${JSON.stringify(Object.fromEntries(entries)).slice(0, -1)}${style.raw}`;
      type = 'application/json';
      break;
    case 'json-non-object':
      body = JSON.stringify(entries.map(([, value]) => value)[0] ?? entries);
      type = 'application/json';
      break;
    case 'raw':
      body = style.raw;
      type = null;
      break;
    default:
      body = null;
      type = null;
  }
  const headers: Record<string, string> = {};
  const declared = style.contentType ?? type;
  if (declared !== null) headers['content-type'] = declared;
  if (style.accept !== null) headers.accept = style.accept;
  return { body: body === null ? undefined : Buffer.from(body, 'utf8'), headers };
}

interface BodyStyle {
  encoding: Encoding;
  contentType: string | null;
  raw: string;
  accept: string | null;
}

/** `Authorization` for a client-authenticated endpoint: valid, near-valid or junk, or none. */
function clientAuthorization(): fc.Arbitrary<string | null> {
  const secret = confidential.clientSecret ?? '';
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: 6 },
    { arbitrary: fc.constant(basicAuth(confidential.clientId, secret)), weight: 6 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(confidential.clientId, publicClient.clientId, ''), shortJunk)
        .map(([id, junk]) => `Basic ${b64(`${id}:${junk}`)}`),
      weight: 2,
    },
    { arbitrary: shortJunk.map((junk) => `Basic ${b64(junk)}`), weight: 1 },
    { arbitrary: fc.base64String({ maxLength: 40 }).map((junk) => `Basic ${junk}`), weight: 1 },
    { arbitrary: headerText(40).map((junk) => `Basic ${junk}`), weight: 1 },
    { arbitrary: fc.constantFrom('Basic', 'Basic ', 'basic Og==', 'Basic ===', 'Basic JUU='), weight: 1 },
    { arbitrary: headerText(60), weight: 1 },
  );
}

// ---- sending and checking -----------------------------------------------------------------------

interface Generated {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

async function send(property: string, request: Generated): Promise<Answer> {
  sent[property] = (sent[property] ?? 0) + 1;
  let answer: Answer;
  try {
    answer = await agent.send(request.path, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      user: null,
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    throw new Error(`${String(error)}${cause}\n  request: ${describeRequest(request)}`);
  }
  const error =
    stringField(answer.json, 'error') ??
    (answer.status >= 400 ? /<code>([a-z_]+)<\/code>/.exec(answer.text)?.[1] : undefined) ??
    (answer.status === 302
      ? new URLSearchParams(answer.headers.get('location')?.split('?')[1]).get('error')
      : null);
  const outcome = error ? `${answer.status} ${error}` : String(answer.status);
  const counts = outcomes[property] ?? {};
  outcomes[property] = counts;
  counts[outcome] = (counts[outcome] ?? 0) + 1;
  return answer;
}

function describeRequest(request: Generated): string {
  const body = request.body === undefined ? '' : Buffer.from(request.body).toString('utf8').slice(0, 300);
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${JSON.stringify(body)}`;
}

function fail(request: Generated, answer: Answer, why: string): never {
  throw new Error(`${why}\n  request: ${describeRequest(request)}\n  answer: ${summarize(answer)}`);
}

/** A JSON endpoint: no 5xx, RFC error objects, and successes that are what `success` accepts. */
function checkJson(request: Generated, answer: Answer, success: (answer: Answer) => string | null): void {
  if (answer.status >= 500) fail(request, answer, 'a 5xx answer');
  const problem =
    answer.status >= 400 ? rfcErrorProblem(answer) : (success(answer) ?? internalsProblem(answer.text));
  if (problem !== null) fail(request, answer, problem);
}

function jsonObject(answer: Answer): Record<string, unknown> | null {
  const body = answer.json;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : null;
}

/** RFC 6749 §5.1, JSON or (when `Accept` asked for it) form-encoded. */
function tokenResponseProblem(answer: Answer): string | null {
  if (answer.status !== 200) return `unexpected status ${answer.status}`;
  const type = answer.headers.get('content-type') ?? '';
  const fields = type.startsWith('application/x-www-form-urlencoded')
    ? Object.fromEntries(new URLSearchParams(answer.text))
    : jsonObject(answer);
  if (fields === null || typeof fields.access_token !== 'string' || fields.token_type !== 'bearer') {
    return 'not a token response';
  }
  return answer.headers.get('cache-control') === 'no-store' ? null : 'a token response without no-store';
}

/** Runs a property with a bound on runs and on time. */
/** The seed of CI runs (any fixed number; change it to explore a new fixed set). */
const CI_SEED = 20261126;

async function fuzz<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, run: (value: T) => Promise<void>) {
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      await run(value);
    }),
    {
      numRuns,
      plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
      // Replays a reported failure: FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest test/reliability/fuzz.test.ts -t <name>.
      // CI uses a fixed seed, so a submission is judged on the same requests every run; a
      // developer's run explores new ones each time.
      ...(process.env.FUZZ_SEED
        ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH }
        : process.env.CI
          ? { seed: CI_SEED }
          : {}),
    },
  );
  if (details.failed) {
    // Our own message names the request compactly; fast-check's would print every generated byte.
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `property failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}, ` +
        `shrunk ${details.numShrinks} times): ${cause}`,
    );
  }
}

const SCOPE_VALUES = fc.constantFrom(
  'user',
  'repo',
  'public_repo',
  'user repo gist',
  'user  repo',
  'admin',
  'USER',
);
const redirectUris = fc.oneof(
  { arbitrary: fc.constant(REDIRECT_URI), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      `${REDIRECT_URI}/`,
      `${REDIRECT_URI}?x=1`,
      'https://client.example:443/callback',
      'https://client.example:8443/callback',
      'https://CLIENT.example/callback',
      'http://client.example/callback',
      'https://evil.example/callback',
      'https://client.example@evil.example/callback',
      'https://client.example/callback#frag',
      'http://127.0.0.1:1234/callback',
      'javascript:alert(1)',
      '//evil.example',
      'urn:ietf:wg:oauth:2.0:oob',
    ),
    weight: 1,
  },
);
const verifierLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/),
  fc.constant(pkcePair().verifier),
  junkString,
);

// ---- the properties -----------------------------------------------------------------------------

describe('fuzzing every endpoint (memory adapter)', () => {
  it('POST /oauth/token: any grant type, parameters, encoding and client authentication', async () => {
    const live = await freshCredentials('fuzz-token', 24);
    // Pools the property adds to as it goes: a successful refresh hands out a new refresh token.
    const refreshPool = live.refresh.map((token) => ({
      token,
      client: token === live.refresh[0] ? confidential : publicClient,
    }));
    const devicePool: string[] = [];
    for (const client of [confidential, publicClient]) {
      const fields: Record<string, string> = { scope: 'user' };
      const headers: Record<string, string> = {};
      if (client.clientSecret === null) fields.client_id = client.clientId;
      else headers.authorization = basicAuth(client.clientId, client.clientSecret);
      const device = await agent.send('/oauth/device/code', { form: fields, headers });
      devicePool.push(stringField(device.json, 'device_code') ?? '');
    }
    const grantTypes = fc.oneof(
      {
        arbitrary: fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT),
        weight: 8,
      },
      {
        arbitrary: fc.constantFrom(
          'password',
          'implicit',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
          'AUTHORIZATION_CODE',
          'refresh_token ',
        ),
        weight: 2,
      },
      { arbitrary: junkString, weight: 1 },
    );
    const codes = live.codes.map((entry) => entry.code);
    const params = parameters({
      grant_type: grantTypes,
      code: tokenLike(codes),
      refresh_token: tokenLike(live.refresh),
      redirect_uri: redirectUris,
      code_verifier: fc.oneof(verifierLike, fc.constantFrom(...live.codes.map((entry) => entry.verifier))),
      client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
      client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
      scope: SCOPE_VALUES,
      device_code: tokenLike([...devicePool, ...codes]),
      username: junkString,
      password: junkString,
    });
    const chaotic = fc
      .tuple(params, bodyStyle, clientAuthorization())
      .map(([entries, style, authorization]): Generated => {
        const { body, headers } = encode(entries, style);
        if (authorization !== null) headers.authorization = authorization;
        return { method: 'POST', path: '/oauth/token', headers, body };
      });

    // A valid request of each grant, with at most one change: a parameter dropped, replaced by
    // junk or repeated, or the body sent as JSON. These reach the grants' own checks, and succeed.
    const change = fc.record({
      kind: fc.constantFrom('none', 'none', 'drop', 'junk', 'junk', 'repeat', 'json'),
      at: fc.nat(),
      junk: junkJson,
      which: fc.nat(),
    });
    const valid = fc
      .tuple(
        fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT),
        change,
      )
      .map(([grant, { kind, at, junk, which }]): Generated => {
        let client = confidential;
        const entries: Entries = [['grant_type', grant]];
        if (grant === 'authorization_code') {
          const pair = live.codes[which % live.codes.length];
          if (pair !== undefined) {
            client = pair.client;
            entries.push(
              ['code', pair.code],
              ['redirect_uri', REDIRECT_URI],
              ['code_verifier', pair.verifier],
            );
          }
        } else if (grant === 'refresh_token') {
          const held = refreshPool[refreshPool.length - 1 - (which % Math.min(3, refreshPool.length))];
          if (held !== undefined) {
            client = held.client;
            entries.push(['refresh_token', held.token]);
          }
        } else if (grant === DEVICE_GRANT) {
          const index = which % devicePool.length;
          client = index === 0 ? confidential : publicClient;
          entries.push(['device_code', devicePool[index] ?? '']);
        } else entries.push(['scope', 'user']);
        if (client.clientSecret === null) entries.push(['client_id', client.clientId]);
        const target = entries[at % entries.length];
        if (kind === 'drop' && target !== undefined) entries.splice(entries.indexOf(target), 1);
        if (kind === 'junk' && target !== undefined) target[1] = junk;
        if (kind === 'repeat' && target !== undefined) entries.push(target);
        const style: BodyStyle = {
          encoding: kind === 'json' ? 'json' : 'form',
          contentType: null,
          raw: '',
          accept: null,
        };
        const { body, headers } = encode(entries, style);
        if (client.clientSecret !== null)
          headers.authorization = basicAuth(client.clientId, client.clientSecret);
        return { method: 'POST', path: '/oauth/token', headers, body };
      });

    await fuzz(
      fc.oneof({ arbitrary: chaotic, weight: 3 }, { arbitrary: valid, weight: 2 }),
      600,
      async (request) => {
        const answer = await send('POST /oauth/token', request);
        checkJson(request, answer, tokenResponseProblem);
        const rotated = stringField(answer.json, 'refresh_token');
        const basic = request.headers.authorization === undefined ? publicClient : confidential;
        if (answer.status === 200 && rotated !== undefined)
          refreshPool.push({ token: rotated, client: basic });
      },
    );
  });

  it('GET /oauth/authorize: fuzzed query strings, with and without a logged-in user', async () => {
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

  it('an authorization request too long to send back answers the 400 page, not a redirect nobody can follow', async () => {
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
      (await authorize(new Agent(host.url, 'long-state-user'), confidential, 'user')).code,
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
    // A real consent form to perturb: its hidden fields and the browser's CSRF cookie.
    const browser = new Agent(host.url, 'consenting-user');
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
    const cookie = (shown.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
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

  it('POST /oauth/revoke and POST /oauth/introspect: fuzzed tokens, hints, bodies and client authentication', async () => {
    const live = await freshCredentials('fuzz-revoke');
    const tokens = [...live.access, ...live.refresh, live.personal, ...live.codes.map((entry) => entry.code)];
    const params = parameters({
      token: tokenLike(tokens),
      token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'code', ''),
      client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
      client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
    });
    const generated = fc
      .tuple(fc.constantFrom('/oauth/revoke', '/oauth/introspect'), params, bodyStyle, clientAuthorization())
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

  it('GET /oauth/token/info and guarded API routes: fuzzed Authorization headers and access_token query values', async () => {
    const live = await freshCredentials('fuzz-bearer');
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
      if (
        answer.status === 401 &&
        !(answer.headers.get('www-authenticate') ?? '').startsWith('Bearer realm=')
      ) {
        fail(request, answer, 'a 401 without a Bearer challenge (RFC 6750 §3)');
      }
    });
  });

  it('POST /oauth/device/code: fuzzed scopes, bodies and client authentication', async () => {
    const params = parameters({
      client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
      client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
      scope: SCOPE_VALUES,
    });
    const generated = fc
      .tuple(params, bodyStyle, clientAuthorization())
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

  it('the settings JSON API writes: fuzzed JSON bodies, ids, users and content types', async () => {
    const fuzzer = new Agent(host.url, FUZZER);
    const created = await fuzzer.send('/settings/api/applications', {
      json: {
        name: 'Fuzzed app',
        homepage_url: 'https://client.example',
        redirect_uris: [REDIRECT_URI],
        confidential: true,
      },
    });
    expect(created.status).toBe(201);
    const ownId = stringField(created.json, 'id') ?? '';
    const personal = await fuzzer.send('/settings/api/tokens', { json: { name: 'mine', scopes: ['user'] } });
    const ownTokenId = stringField(personal.json, 'id') ?? '';

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

/**
 * The authorization endpoint: no 5xx; an error page is a 4xx HTML page without internals; a
 * redirect goes to the registered redirect URI (with a code or an RFC error code, and `iss`) or to
 * the login page — never anywhere else; a 200 is the consent page.
 */
function checkAuthorizeAnswer(request: Generated, answer: Answer): void {
  if (answer.status >= 500) fail(request, answer, 'a 5xx answer');
  if (answer.status === 302) {
    const location = answer.headers.get('location') ?? '';
    // Browsers, proxies (nginx: 4–8 KiB of headers) and Node's clients refuse longer headers.
    if (location.length > 8192) fail(request, answer, `a redirect of ${location.length} characters`);
    if (location.startsWith('/login?')) return;
    let target: URL;
    try {
      target = new URL(location);
    } catch {
      fail(request, answer, `a redirect to ${JSON.stringify(location)}`);
    }
    if (`${target.origin}${target.pathname}` !== REDIRECT_URI)
      fail(request, answer, `a redirect to ${location}`);
    const error = target.searchParams.get('error');
    const code = target.searchParams.get('code');
    if ((error === null) === (code === null))
      fail(request, answer, 'a redirect with neither a code nor an error (or both)');
    if (error !== null && !/^[a-z_]+$/.test(error)) fail(request, answer, `error=${error}`);
    if (target.searchParams.get('iss') === null) fail(request, answer, 'a redirect without iss (RFC 9207)');
    return;
  }
  if (answer.status === 200) {
    if (!(answer.headers.get('content-type') ?? '').startsWith('text/html'))
      fail(request, answer, 'a 200 that is not HTML');
    return;
  }
  const problem = htmlErrorProblem(answer);
  if (problem !== null) fail(request, answer, problem);
}
