import { InvalidFieldError } from '../errors/invalid-field-error';
import { InvalidRequestError } from '../errors/oauth-error';
import type { ScopeRegistry } from '../scopes/scope-registry';

/** What a user submits to register (or edit) an application. */
export interface ApplicationInput {
  name: string;
  homepageUrl: string;
  redirectUris: string[];
  confidential: boolean;
  scopes: string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A trimmed string of 1..max characters, or an `InvalidFieldError`. */
export function requireText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidFieldError(field, 'is required');
  const text = value.trim();
  if (text.length > max) throw new InvalidFieldError(field, `must be at most ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new InvalidFieldError(field, 'must not contain control characters');
  return text;
}

/**
 * An absolute http(s) URL without a fragment; plain `http` only for loopback hosts unless
 * `allowHttp` (RFC 6749 §3.1.2.1 wants TLS for redirect endpoints; RFC 8252 §7.3 allows loopback).
 */
export function requireUrl(field: string, value: unknown, allowHttp: boolean): string {
  const text = requireText(field, value, 2000);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidFieldError(field, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidFieldError(field, 'must be an http or https URL');
  }
  if (url.protocol === 'http:' && !allowHttp && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new InvalidFieldError(
      field,
      'must use https (http is allowed only for localhost, 127.0.0.1 and [::1])',
    );
  }
  if (text.includes('#')) throw new InvalidFieldError(field, 'must not contain a fragment (RFC 6749 §3.1.2)');
  if (url.username !== '' || url.password !== '')
    throw new InvalidFieldError(field, 'must not contain credentials');
  return text;
}

/** Declared scopes only; an empty list allows every declared scope. */
export function requireScopes(field: string, value: unknown, registry: ScopeRegistry): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter((s) => s !== '') : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new InvalidFieldError(field, 'must be an array of scope names');
  }
  for (const scope of list as string[]) {
    if (!registry.has(scope))
      throw new InvalidFieldError(field, `contains an unknown scope "${scope.slice(0, 64)}"`);
  }
  return [...new Set(list as string[])];
}

/** Validates a registration; `allowHttp` lets non-loopback `http:` URLs through (development hosts). */
export function parseApplicationInput(
  body: unknown,
  registry: ScopeRegistry,
  allowHttp: boolean,
): ApplicationInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const uris = fields.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0) {
    throw new InvalidFieldError('redirect_uris', 'must be a non-empty array of URLs');
  }
  if (uris.length > 20) throw new InvalidFieldError('redirect_uris', 'may list at most 20 URLs');
  const confidential = fields.confidential ?? true;
  if (typeof confidential !== 'boolean') throw new InvalidFieldError('confidential', 'must be true or false');
  return {
    name: requireText('name', fields.name, 100),
    homepageUrl: requireUrl('homepage_url', fields.homepage_url, true),
    redirectUris: [...new Set(uris.map((uri, i) => requireUrl(`redirect_uris[${i}]`, uri, allowHttp)))],
    confidential,
    scopes: requireScopes('scopes', fields.scopes, registry),
  };
}
