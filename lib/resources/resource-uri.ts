/**
 * Resource indicators (RFC 8707 §2): what a `resource` value is, and when two name the same
 * resource.
 *
 * @internal
 */

/**
 * RFC 8707 §2: "an absolute URI … MUST NOT include a fragment component". The canonical form is
 * what two spellings of one resource share: scheme and host lowercased (and a default port
 * dropped), as `URL` does, and one trailing slash removed, since clients send `https://host/` for
 * an origin resource and `https://host/mcp/` happens. `null` for a value that is not an
 * absolute URI without fragment.
 */
export function canonicalResource(value: string): string | null {
  if (value === '' || value.includes('#') || /[\s\\]/.test(value)) return null;
  // An absolute URI has a scheme (RFC 3986 §4.3); `new URL` alone would also take `mailto:x`, so
  // hierarchical URIs only: a resource is something a client sends requests to.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.host === '') return null;
  const href = url.href;
  return url.search === '' && href.endsWith('/') ? href.slice(0, -1) : href;
}

/**
 * The `resource` values of one request. Repeats of the parameter arrive joined by a space
 * (`lib/http/parse-body.ts`): a space cannot occur in a URI, so it separates them unambiguously.
 * `undefined`: the parameter was not sent.
 */
export function resourceValues(parameter: string | undefined): string[] {
  return parameter === undefined ? [] : parameter.split(' ');
}
