/**
 * The generated values of the fuzz suites (fast-check arbitraries), shared by every endpoint:
 * junk strings (unicode, lone surrogates, values longer than the body limit), JSON values where
 * strings belong, real tokens with one flaw, parameter lists with missing, extra and repeated
 * parameters, body encodings and content types that may lie, and client authentication headers.
 */
import fc from 'fast-check';
import { REDIRECT_URI } from '../../support/fixtures';
import { basicAuth, type ClientCredentials, pkcePair } from '../../support/oauth';

/** Characters a header value may carry on the wire (HTAB, visible ASCII, Latin-1). */
export const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(0x09))
  .map((code) => String.fromCharCode(code));
export const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** Longer than the body limit (16 KiB) at the top of the range. */
export const longString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 200, max: 20_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

export const specialString = fc.constantFrom(
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
export const shortJunk: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: specialString, weight: 3 },
);

/** Arbitrary text for bodies, up to beyond the body limit. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: shortJunk, weight: 11 },
  { arbitrary: longString, weight: 1 },
);

/** A JSON value where a string belongs (or a string). */
export function jsonJunk(text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: text, weight: 5 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
    { arbitrary: fc.array(text, { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(text, text, { maxKeys: 3 }), weight: 1 },
    { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53), weight: 1 },
  );
}
export const junkJson = jsonJunk(junkString);
/** For query strings. */
export const shortJunkJson = jsonJunk(shortJunk);

/** A real token with one flaw (a changed, missing or extra character, another prefix), or itself. */
export function tokenLike(valid: readonly string[]): fc.Arbitrary<string> {
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
export function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  }
}

export type Entries = [string, unknown][];

/** Mostly the valid value(s), sometimes the others. */
export function mostly<T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });
}

/** `value` with probability `percent`, otherwise `null`. */
export function sometimes<T>(value: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> {
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: 100 - percent },
    { arbitrary: value, weight: percent },
  );
}

/**
 * A parameter list: each known name present or not, with its own generator or junk; a few junk
 * names; sometimes one parameter repeated.
 */
export function parameters(
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

export const CONTENT_TYPES = [
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

export type Encoding = 'form' | 'json' | 'json-text' | 'broken-json' | 'json-non-object' | 'raw' | 'none';

/** How the parameters travel: the body encoding and the declared content type (which may lie). */
export const bodyStyle = fc.record({
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

/** Mostly an HTML form's encoding (what a browser posts), sometimes any body style. */
export const formBodyStyle = fc.oneof(
  {
    arbitrary: bodyStyle.map((style) => ({ ...style, encoding: 'form' as Encoding, contentType: null })),
    weight: 4,
  },
  { arbitrary: bodyStyle, weight: 1 },
);

export function formValue(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(formValue);
  return [typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)];
}

/** The body and content type of a request (a declared content type overrides the encoding's own). */
export function encode(entries: Entries, style: BodyStyle) {
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

export interface BodyStyle {
  encoding: Encoding;
  contentType: string | null;
  raw: string;
  accept: string | null;
}

/** `Authorization` for a client-authenticated endpoint: valid, near-valid or junk, or none. */
export function clientAuthorization(
  confidential: ClientCredentials,
  publicClient: ClientCredentials,
): fc.Arbitrary<string | null> {
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

export const SCOPE_VALUES = fc.constantFrom(
  'user',
  'repo',
  'public_repo',
  'user repo gist',
  'user  repo',
  'admin',
  'USER',
);
export const redirectUris = fc.oneof(
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
export const verifierLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/),
  fc.constant(pkcePair().verifier),
  junkString,
);

/**
 * The headers a browser (or a forger) adds that the account pages' and APIs' session rules read
 * (`lib/http/session-guards.ts`: `Sec-Fetch-Site`, else `Origin` against our host; a bearer token
 * in the header or the query), and whether the rules must refuse the request: `carriesToken`
 * always, `crossSite` for a write.
 */
export function sessionHeaders(ownOrigin: string, personalToken: string) {
  return fc
    .record({
      // Mostly what the site's own pages send, so most requests reach the endpoints' own checks.
      site: sometimes(
        fc.oneof(
          { arbitrary: fc.constantFrom('same-origin', 'none'), weight: 3 },
          { arbitrary: fc.constantFrom('same-site', 'cross-site', 'junk'), weight: 1 },
        ),
        40,
      ),
      origin: sometimes(
        fc.oneof(
          { arbitrary: fc.constant(ownOrigin), weight: 3 },
          {
            arbitrary: fc.constantFrom('http://127.0.0.1:9', 'https://evil.example', 'null', 'not a url'),
            weight: 1,
          },
        ),
        30,
      ),
      requestedWith: sometimes(fc.constantFrom('fetch', 'XMLHttpRequest'), 30),
      bearer: sometimes(fc.constantFrom('Bearer eoa_junk', `Bearer ${personalToken}`, 'bearer  x'), 5),
      queryToken: sometimes(fc.constantFrom(personalToken, 'eoa_junk', ''), 4),
    })
    .map(({ site, origin, requestedWith, bearer, queryToken }) => {
      const headers: Record<string, string> = {};
      if (site !== null) headers['sec-fetch-site'] = site;
      if (origin !== null) headers.origin = origin;
      if (requestedWith !== null) headers['x-requested-with'] = requestedWith;
      if (bearer !== null) headers.authorization = bearer;
      // Sec-Fetch-Site decides when a browser sent it; otherwise Origin against our own host.
      const crossSite =
        site !== null ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== ownOrigin;
      return {
        headers,
        query: queryToken === null ? '' : `?access_token=${encodeURIComponent(queryToken)}`,
        carriesToken: bearer !== null || queryToken !== null,
        crossSite,
      };
    });
}
