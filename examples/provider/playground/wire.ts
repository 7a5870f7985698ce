import * as oauth from 'oauth4webapi';
import type { Exchange, WireRequest } from './state';

/** Per request: longer than any healthy answer, short enough that a hung provider fails the step. */
const REQUEST_TIMEOUT_MS = 15_000;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * oauth4webapi refuses plain `http:` (RFC 6749 §3.1 and §3.2 want TLS). The playground allows it
 * only when the issuer is on this machine, where `npm start` and the tests run it.
 */
function plainHttpOnLoopback(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Whether the playground's client will talk to this issuer: https, or plain http on loopback. */
export function clientReaches(issuer: string): boolean {
  return new URL(issuer).protocol === 'https:' || plainHttpOnLoopback(issuer);
}

function bodyText(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return String(body);
}

/**
 * Sends the client library's requests with `fetch` and records each one exactly as sent — the
 * serialized body is what goes over the wire — together with the answer, so every step can show
 * what really happened. Hand `options` to any oauth4webapi request function.
 */
export class WireRecorder {
  readonly exchanges: Exchange[] = [];
  #title = 'Request';

  constructor(private readonly issuer: string) {}

  get options(): oauth.HttpRequestOptions<string, unknown> {
    return {
      [oauth.customFetch]: (url, init) => this.#send(url, init),
      [oauth.allowInsecureRequests]: plainHttpOnLoopback(this.issuer),
      signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    };
  }

  /** Runs one client-library call, naming the exchange it sends. */
  async capture<T>(title: string, call: () => Promise<T>): Promise<T> {
    this.#title = title;
    return call();
  }

  /** The verdict of the client library on the last exchange (an error it raised, or success). */
  conclude(verdict: string): void {
    const last = this.exchanges[this.exchanges.length - 1];
    if (last) last.verdict = verdict;
  }

  async #send(url: string, init: oauth.CustomFetchOptions<string, unknown>): Promise<Response> {
    const request: WireRequest = {
      method: init.method,
      url,
      headers: Object.entries(init.headers),
      body: bodyText(init.body),
    };
    const exchange: Exchange = { title: this.#title, request, response: null, verdict: null };
    this.exchanges.push(exchange);
    try {
      const response = await fetch(url, {
        method: init.method,
        headers: init.headers,
        body: request.body ?? undefined,
        redirect: 'manual',
        signal: init.signal,
      });
      exchange.response = {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: await response.clone().text(),
      };
      return response;
    } catch (error) {
      exchange.verdict = `No answer: ${error instanceof Error ? error.message : String(error)}`;
      throw error;
    }
  }
}

/** A readable one-line account of what oauth4webapi raised. */
export function describeClientError(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) {
    return `oauth4webapi: the server answered ${error.status} ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenges = error.cause.map((c) =>
      [c.scheme, ...Object.entries(c.parameters).map(([k, v]) => `${k}="${v}"`)].join(' '),
    );
    return `oauth4webapi: the server answered ${error.status} with the challenge ${challenges.join(', ')}`;
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return `oauth4webapi: the authorization response carries error=${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  }
  if (error instanceof Error) return `oauth4webapi: ${error.message}`;
  return String(error);
}
