import { InvalidFieldError } from '../errors/invalid-field-error';
import { message } from '../messages/catalog';
import type { ScopeRegistry } from '../scopes/scope-registry';

/** Every field's problem at once (forms show each next to its field), or the checked value. */
export type FieldCheck<T> = { ok: true; value: T } | { ok: false; problems: InvalidFieldError[] };

/**
 * Runs a record's field checks, keeping the first problem of each field instead of stopping at
 * the first field. `field(check, placeholder)` returns the checked value, or the placeholder after
 * filing the problem; `result(value)` discards a value built from placeholders.
 */
export class ProblemCollector {
  private readonly problems: InvalidFieldError[] = [];

  field<T>(check: () => T, placeholder: T): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof InvalidFieldError)) throw error;
      this.problems.push(error);
      return placeholder;
    }
  }

  result<T>(value: T): FieldCheck<T> {
    return this.problems.length === 0 ? { ok: true, value } : { ok: false, problems: [...this.problems] };
  }
}

/** The value of a `FieldCheck`, or its first problem thrown (what the services do). */
export function orThrow<T>(checked: FieldCheck<T>): T {
  if (checked.ok) return checked.value;
  throw checked.problems[0];
}

/** What a field's problem says without the field name ("must use https …"), in English. */
export function problemOf(error: InvalidFieldError): string {
  return error.description.startsWith(`${error.field} `)
    ? error.description.slice(error.field.length + 1)
    : error.description;
}

/** A trimmed string of 1..max characters without control characters. */
export function requireText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidFieldError(field, message('field.required'));
  const text = value.trim();
  if (text.length > max) throw new InvalidFieldError(field, message('field.tooLong', { max }));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new InvalidFieldError(field, message('field.controlCharacters'));
  return text;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An absolute http(s) URL without a fragment or credentials; plain `http` only for loopback hosts
 * unless `allowHttp` (RFC 6749 §3.1.2.1 wants TLS for redirect endpoints; RFC 8252 §7.3 allows
 * loopback).
 */
export function requireUrl(field: string, value: unknown, allowHttp: boolean): string {
  const text = requireText(field, value, 2000);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidFieldError(field, message('field.absoluteUrl'));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidFieldError(field, message('field.httpUrl'));
  }
  // The parser mends `https:host` and `https:///host`, but the text is what is stored and matched.
  if (!/^https?:\/\/[^/?#\\]/i.test(text)) throw new InvalidFieldError(field, message('field.host'));
  if (url.protocol === 'http:' && !allowHttp && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new InvalidFieldError(field, message('field.https'));
  }
  if (text.includes('#')) throw new InvalidFieldError(field, message('field.fragment'));
  if (url.username !== '' || url.password !== '')
    throw new InvalidFieldError(field, message('field.credentials'));
  return text;
}

/**
 * Declared scope names, without repeats. An array, or (as forms and GitHub-style clients send
 * them) one string separated by spaces or commas; absent means none.
 */
export function requireScopes(field: string, value: unknown, registry: ScopeRegistry): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter((s) => s !== '') : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new InvalidFieldError(field, message('field.scopeList'));
  }
  for (const scope of list as string[]) {
    if (!registry.has(scope))
      throw new InvalidFieldError(field, message('field.unknownScope', { scope: scope.slice(0, 64) }));
  }
  return [...new Set(list as string[])];
}
