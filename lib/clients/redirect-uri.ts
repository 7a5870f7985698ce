/** RFC 8252 §7.3: loopback IP literals, whose port the native app picks at run time. */
const LOOPBACK_IP_HOSTS = new Set(['127.0.0.1', '[::1]']);

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

function matchesIgnoringPort(registered: string, requested: URL): boolean {
  const candidate = parse(registered);
  if (candidate === null || candidate.protocol !== 'http:' || !LOOPBACK_IP_HOSTS.has(candidate.hostname))
    return false;
  return (
    requested.protocol === 'http:' &&
    requested.hostname === candidate.hostname &&
    requested.pathname === candidate.pathname &&
    requested.search === candidate.search &&
    requested.username === '' &&
    requested.password === ''
  );
}

/**
 * The registered redirect URI a requested one matches, or `null`. Matching is exact string
 * comparison (RFC 9700 §4.1.3: scheme, host, port, path and query), except that `http` loopback
 * IP literals match on any port (RFC 8252 §7.3). `localhost` is compared exactly like any host.
 */
export function matchRedirectUri(registered: readonly string[], requested: string): string | null {
  if (registered.includes(requested)) return requested;
  if (requested.includes('#')) return null;
  const url = parse(requested);
  if (url === null || url.protocol !== 'http:' || !LOOPBACK_IP_HOSTS.has(url.hostname)) return null;
  return registered.some((candidate) => matchesIgnoringPort(candidate, url)) ? requested : null;
}
