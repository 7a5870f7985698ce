import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isForbiddenAddress, isLoopbackAddress } from './forbidden-addresses';

/**
 * The SSRF-guarded fetch of a client metadata document (draft-ietf-oauth-client-id-metadata-
 * document §4, §6.5–6.6): `https:` only, the name resolved first and every address checked,
 * the connection made to the checked address (no second lookup, so DNS rebinding cannot swap
 * it), no redirects, JSON only, a size cap counted while reading and one deadline for all of it.
 */

/** Why a document could not be fetched; each is a refusal of the client, never a 500. */
export type FetchFailure =
  | 'scheme'
  | 'dns'
  | 'address'
  | 'timeout'
  | 'too_large'
  | 'redirect'
  | 'status'
  | 'content_type'
  | 'json'
  | 'network';

export class DocumentFetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    detail: string,
  ) {
    super(detail);
    this.name = 'DocumentFetchError';
  }
}

/** Resolves a host name to its addresses (the default: the system resolver, every address). */
export type HostResolver = (hostname: string) => Promise<readonly string[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** How the fetcher behaves: the production defaults are strict; tests loosen them explicitly. */
export interface FetchSettings {
  timeoutMs: number;
  maxBytes: number;
  resolve: HostResolver;
  /** Testing only: loopback addresses pass the address check (private ones never do). */
  allowLoopback: boolean;
  /** Local development only: plain `http://127.0.0.1:<port>/…` documents too. */
  allowHttpLoopback: boolean;
  /** Testing only: extra CA certificates (PEM) trusted besides the system's. */
  ca: readonly string[] | null;
}

/** A fetched document: its parsed JSON and its `Cache-Control` lifetime, if it gave one. */
export interface FetchedDocument {
  body: unknown;
  maxAgeSeconds: number | null;
}

/** `max-age` of a `Cache-Control` header; `no-store`/`no-cache` count as 0. */
export function maxAgeOf(header: string | undefined): number | null {
  if (header === undefined) return null;
  const directives = header
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  for (const directive of directives) {
    const match = /^max-age=(\d{1,10})$/.exec(directive);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return null;
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The one address this fetch connects to, after every address of the name passed the check. */
async function checkedAddress(url: URL, settings: FetchSettings, plainHttp: boolean): Promise<string> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: readonly string[];
  if (isIP(hostname) !== 0) addresses = [hostname];
  else {
    try {
      addresses = await settings.resolve(hostname);
    } catch {
      throw new DocumentFetchError('dns', `${hostname} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new DocumentFetchError('dns', `${hostname} does not resolve`);
  for (const address of addresses) {
    const refused = plainHttp
      ? !isLoopbackAddress(address)
      : isForbiddenAddress(address, settings.allowLoopback);
    if (refused) throw new DocumentFetchError('address', `${hostname} resolves to a forbidden address`);
  }
  const [first] = addresses;
  if (first === undefined) throw new DocumentFetchError('dns', `${hostname} does not resolve`);
  return first;
}

/** A `lookup` that answers the checked address, whatever it is asked (the connection's only lookup). */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return (_hostname, options, callback) => {
    if (typeof options === 'object' && options !== null && options.all === true) {
      callback(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
}

/** Reads the body up to `maxBytes`, refusing more while it arrives. */
function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Settled first: destroying the response emits `aborted`, which must not win.
        reject(new DocumentFetchError('too_large', `the document exceeds ${maxBytes} bytes`));
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', () => reject(new DocumentFetchError('network', 'the connection failed')));
    response.on('aborted', () => reject(new DocumentFetchError('network', 'the connection was cut')));
  });
}

function get(
  url: URL,
  address: string,
  settings: FetchSettings,
  signal: AbortSignal,
): Promise<FetchedDocument> {
  const plainHttp = url.protocol === 'http:';
  const request = plainHttp ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      lookup: pinnedLookup(address),
      // A fresh connection each time: nothing pooled towards a host someone else named.
      agent: false,
      signal,
      ...(settings.ca === null || plainHttp ? {} : { ca: [...settings.ca] }),
    });
    req.on('error', (error) => {
      reject(
        error instanceof DocumentFetchError ? error : new DocumentFetchError('network', 'the fetch failed'),
      );
    });
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const fail = (reason: FetchFailure, detail: string) => {
        reject(new DocumentFetchError(reason, detail));
        response.destroy();
      };
      // §4: the document is served directly; a redirect is never followed.
      if (status >= 300 && status < 400) return fail('redirect', 'the document URL redirects');
      if (status !== 200) return fail('status', `the document URL answered ${status}`);
      if (!isJson(response.headers['content-type'])) return fail('content_type', 'the document is not JSON');
      const length = Number(response.headers['content-length'] ?? 0);
      if (length > settings.maxBytes)
        return fail('too_large', `the document exceeds ${settings.maxBytes} bytes`);
      readCapped(response, settings.maxBytes).then((text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          reject(new DocumentFetchError('json', 'the document is not valid JSON'));
          return;
        }
        resolve({ body, maxAgeSeconds: maxAgeOf(response.headers['cache-control']) });
      }, reject);
    });
    req.end();
  });
}

/**
 * Fetches the document at `url` under `settings`, or throws a `DocumentFetchError` saying why
 * not. Never waits longer than `settings.timeoutMs` in all (resolution, connection, reading).
 */
export async function fetchDocument(url: URL, settings: FetchSettings): Promise<FetchedDocument> {
  const plainHttp = url.protocol === 'http:';
  if (plainHttp ? !(settings.allowHttpLoopback && url.hostname === '127.0.0.1') : url.protocol !== 'https:') {
    throw new DocumentFetchError('scheme', 'a client metadata document is fetched over https only');
  }
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DocumentFetchError('timeout', `the document took longer than ${settings.timeoutMs} ms`));
    }, settings.timeoutMs);
  });
  try {
    return await Promise.race([
      checkedAddress(url, settings, plainHttp).then((address) =>
        get(url, address, settings, controller.signal),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
