/**
 * What the fuzz suites share besides their generators: a provider on the memory adapter (for
 * speed) listening on a loopback port, its clients, sending a generated request and counting the
 * outcomes for the report, the properties every answer must have, and the runner.
 *
 * The properties: never a 5xx (and nothing reported to `onError`); every error answer of a JSON
 * endpoint is an RFC error object (JSON, string `error` of [a-z_], optional string
 * `error_description`); the authorization endpoint answers errors with a 4xx HTML page or a
 * redirect, and redirects only to the registered redirect URI or the login page; no answer
 * carries a stack frame or a file path.
 */
import fc from 'fast-check';
import { memory } from '../../support/adapters';
import { htmlErrorProblem, internalsProblem, rfcErrorProblem } from '../../support/assertions';
import { REDIRECT_URI, USER_HEADER, WITH_DEVICE_GRANT } from '../../support/fixtures';
import * as flows from '../../support/flows';
import { pageErrorCode } from '../../support/html';
import { pkcePair } from '../../support/oauth';
import { announceSeed, TEST_SEED } from '../../support/random';
import { createTestHost, type HostOptions, type RegisteredApp, type TestHost } from '../../support/test-host';
import { scaled } from '../../support/time-scale';
import { type Answer, stringField, summarize, type UserAgent } from '../../support/user-agent';

/** The user the settings suite fuzzes as. */
export const FUZZER = 'fuzzer';
/** The user the fuzz host's `isAdmin` says yes to (the admin suite fuzzes as them). */
export const ADMIN = 'fuzz-admin';

/** One generated request. */
export interface Generated {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface Fuzzing {
  host: TestHost;
  /** Sends as nobody in particular: no cookies of its own beyond what a request carries. */
  agent: UserAgent;
  confidential: RegisteredApp;
  publicClient: RegisteredApp;
  /** Sends `request`, counting its outcome under `property` for the report. */
  send(property: string, request: Generated): Promise<Answer>;
}

/**
 * The provider of one fuzz suite: started before the file, checked after every test (nothing
 * reached `onError`), and its outcome counts printed after the file. Returns the accessor the
 * tests read it through.
 */
export function setUpFuzzing(suite: string, hostOptions: HostOptions = {}): () => Fuzzing {
  let fuzzing: Fuzzing | null = null;
  /** Requests sent per endpoint, and their answers (`status error`), for the report. */
  const sent: Record<string, number> = {};
  const outcomes: Record<string, Record<string, number>> = {};

  jest.setTimeout(scaled(180_000));
  announceSeed(`fuzz ${suite}`);

  beforeAll(async () => {
    const host = await createTestHost({
      adapter: memory,
      listen: true,
      grantTypes: WITH_DEVICE_GRANT,
      isAdmin: (req) => req.headers[USER_HEADER] === ADMIN,
      ...hostOptions,
    });
    const agent = host.browser(null);
    fuzzing = {
      host,
      agent,
      confidential: await host.registerApp({ confidential: true, name: 'Fuzz confidential' }),
      publicClient: await host.registerApp({ confidential: false, name: 'Fuzz public' }),
      async send(property, request) {
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
          const cause =
            error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
          throw new Error(`${String(error)}${cause}\n  request: ${describeRequest(request)}`);
        }
        const error =
          stringField(answer, 'error') ??
          (answer.status >= 400 ? pageErrorCode(answer.text) : undefined) ??
          (answer.status === 302
            ? new URLSearchParams(answer.headers.location?.split('?')[1]).get('error')
            : null);
        const outcome = error ? `${answer.status} ${error}` : String(answer.status);
        const counts = outcomes[property] ?? {};
        outcomes[property] = counts;
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        return answer;
      },
    };
  });

  afterEach(() => {
    // No request made the provider meet an unexpected error (which would have been a 500).
    expect(fuzzing?.host.errors).toEqual([]);
  });

  afterAll(() => {
    const total = Object.values(sent).reduce((sum, count) => sum + count, 0);
    const lines = Object.entries(sent).map(([name, count]) => {
      const answers = Object.entries(outcomes[name] ?? {})
        .sort(([, a], [, b]) => b - a)
        .map(([outcome, times]) => `${outcome} ×${times}`)
        .join(', ');
      return `${name}: ${count} (${answers})`;
    });
    process.stdout.write(`\n[fuzz ${suite}] ${total} generated requests\n  ${lines.join('\n  ')}\n`);
  });

  return () => {
    if (fuzzing === null) throw new Error('the fuzz host is not started (use it inside a test)');
    return fuzzing;
  };
}

/** A live access token, refresh token and code of each client, for near-valid requests. */
export async function freshCredentials(
  { host, confidential, publicClient }: Fuzzing,
  user: string,
  codeCount = 4,
) {
  const owner = host.browser(user);
  const withPkce = (client: RegisteredApp, scope: string) => ({ client, scope, pkce: pkcePair() });
  const conf = await flows.issueTokens(owner, owner, withPkce(confidential, 'user repo'));
  const pub = await flows.issueTokens(owner, owner, withPkce(publicClient, 'user'));
  const codes = [];
  for (let n = 0; n < codeCount; n += 1) {
    const client = n % 2 === 0 ? confidential : publicClient;
    const { code, verifier } = await flows.authorizeCode(owner, withPkce(client, 'user'));
    codes.push({ client, code, verifier: verifier ?? '' });
  }
  const personal = await owner.send('/settings/api/tokens', { json: { name: 'fuzz', scopes: ['user'] } });
  return {
    access: [conf.accessToken, pub.accessToken],
    refresh: [conf.refreshToken, pub.refreshToken],
    personal: stringField(personal, 'token') ?? '',
    codes,
  };
}

export function describeRequest(request: Generated): string {
  const body = request.body === undefined ? '' : Buffer.from(request.body).toString('utf8').slice(0, 300);
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${JSON.stringify(body)}`;
}

export function fail(request: Generated, answer: Answer, why: string): never {
  throw new Error(`${why}\n  request: ${describeRequest(request)}\n  answer: ${summarize(answer)}`);
}

/** RFC 6585 §4: a 429 says when to come back, in whole seconds (README "Security defaults"). */
function retryAfterProblem(answer: Answer): string | null {
  if (answer.status !== 429) return null;
  return /^[1-9][0-9]*$/.test(answer.headers['retry-after'] ?? '') ? null : 'a 429 without Retry-After';
}

/** A JSON endpoint: no 5xx, RFC error objects (a 429 with `Retry-After`), and successes that are what `success` accepts. */
export function checkJson(
  request: Generated,
  answer: Answer,
  success: (answer: Answer) => string | null,
): void {
  if (answer.status >= 500) fail(request, answer, 'a 5xx answer');
  const problem =
    answer.status >= 400
      ? (rfcErrorProblem(answer) ?? retryAfterProblem(answer))
      : (success(answer) ?? internalsProblem(answer.text));
  if (problem !== null) fail(request, answer, problem);
}

/**
 * A page (settings, admin): no 5xx; an error is a 4xx HTML page without internals; a redirect
 * stays on this site (a path, never another host); a success (200, 201 for a created token) is HTML.
 */
export function checkPage(request: Generated, answer: Answer): void {
  if (answer.status >= 500) fail(request, answer, 'a 5xx answer');
  if (answer.status === 302 || answer.status === 303) {
    const location = answer.headers.location ?? '';
    if (!location.startsWith('/') || location.startsWith('//'))
      fail(request, answer, `a redirect to ${location}`);
    return;
  }
  if (answer.status === 200 || answer.status === 201) {
    if (!(answer.headers['content-type'] ?? '').startsWith('text/html'))
      fail(request, answer, 'a success that is not HTML');
    const problem = internalsProblem(answer.text);
    if (problem !== null) fail(request, answer, problem);
    return;
  }
  const problem = htmlErrorProblem(answer) ?? retryAfterProblem(answer);
  if (problem !== null) fail(request, answer, problem);
}

export function jsonObject(answer: Answer): Record<string, unknown> | null {
  const body = answer.json;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : null;
}

/** RFC 6749 §5.1, JSON or (when `Accept` asked for it) form-encoded. */
export function tokenResponseProblem(answer: Answer): string | null {
  if (answer.status !== 200) return `unexpected status ${answer.status}`;
  const type = answer.headers['content-type'] ?? '';
  const fields = type.startsWith('application/x-www-form-urlencoded')
    ? Object.fromEntries(new URLSearchParams(answer.text))
    : jsonObject(answer);
  if (fields === null || typeof fields.access_token !== 'string' || fields.token_type !== 'bearer') {
    return 'not a token response';
  }
  return answer.headers['cache-control'] === 'no-store' ? null : 'a token response without no-store';
}

/**
 * The authorization endpoint: no 5xx; an error page is a 4xx HTML page without internals; a
 * redirect goes to the registered redirect URI (with a code or an RFC error code, and `iss`) or to
 * the login page — never anywhere else; a 200 is the consent page.
 */
export function checkAuthorizeAnswer(request: Generated, answer: Answer): void {
  if (answer.status >= 500) fail(request, answer, 'a 5xx answer');
  if (answer.status === 302) {
    const location = answer.headers.location ?? '';
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
    if (!(answer.headers['content-type'] ?? '').startsWith('text/html'))
      fail(request, answer, 'a 200 that is not HTML');
    return;
  }
  const problem = htmlErrorProblem(answer);
  if (problem !== null) fail(request, answer, problem);
}

/**
 * Runs a property `numRuns` times, with the run's seed (`TEST_SEED`, printed at the start): the
 * same requests every run, however slow the machine. A failure names its seed and path; replay it
 * with `TEST_SEED=<seed> FUZZ_PATH=<path> npx jest <file> -t <name>`.
 */
export async function fuzz<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, run: (value: T) => Promise<void>) {
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      await run(value);
    }),
    { numRuns, seed: TEST_SEED, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) },
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
