/**
 * A tiny user agent for end-to-end tests: keeps cookies per origin (like a browser keeps them per
 * host, but strictly, so two local servers on different ports never share a session) and follows
 * redirects one hop at a time so tests can look at every stop.
 */
export interface Hop {
  url: string;
  status: number;
  location: string | null;
  body: string;
}

export class CookieWalker {
  private readonly jars = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string | undefined {
    const jar = this.jars.get(url.origin);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private storeCookies(url: URL, response: Response): void {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair?.indexOf('=') ?? -1;
      if (pair === undefined || separator < 0) continue;
      jar.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
    }
    this.jars.set(url.origin, jar);
  }

  /** One request, no redirect following. */
  async request(target: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const url = new URL(target);
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.storeCookies(url, response);
    const location = response.headers.get('location');
    return {
      url: url.href,
      status: response.status,
      location: location === null ? null : new URL(location, url).href,
      body: await response.text(),
    };
  }

  /** Requests and follows redirects (GET) until a non-redirect answer; returns every hop. */
  async follow(
    target: string,
    init: { method?: string; form?: Record<string, string> } = {},
    maxHops = 10,
  ): Promise<Hop[]> {
    const hops: Hop[] = [await this.request(target, init)];
    for (let last = hops[0]; last?.location && hops.length < maxHops; last = hops[hops.length - 1]) {
      hops.push(await this.request(last.location));
    }
    return hops;
  }
}

/** Reads the hidden inputs of the first form in an HTML page. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const decode = (value: string): string =>
    value
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) fields[decode(name)] = decode(value);
  }
  return fields;
}
