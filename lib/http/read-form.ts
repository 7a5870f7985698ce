import type { Request } from 'express';
import { HttpError, UnsupportedMediaTypeError } from '../errors/http-error';
import { InvalidRequestError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import { alreadyParsed, bodyKind, leaveFormOnRequest, readRaw } from './parse-body';

/**
 * An HTML form's fields, read leniently: unlike OAuth parameters (`readParameters`, which refuses
 * repeated keys per RFC 6749 §3.1), a form may repeat a key — checkbox groups such as `scopes` do.
 */
export class FormFields {
  private constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  static empty(): FormFields {
    return new FormFields(new Map());
  }

  static fromEntries(entries: Iterable<[string, string]>): FormFields {
    const values = new Map<string, string[]>();
    for (const [key, value] of entries) values.set(key, [...(values.get(key) ?? []), value]);
    return new FormFields(values);
  }

  /** The field's value; `undefined` when absent or sent more than once (a text field never repeats). */
  one(name: string): string | undefined {
    const list = this.values.get(name);
    return list !== undefined && list.length === 1 ? list[0] : undefined;
  }

  /** Every value sent under the name, in form order (checked checkboxes). */
  all(name: string): string[] {
    return [...(this.values.get(name) ?? [])];
  }

  /** Every value sent under a name starting with `prefix` (numbered checkboxes: `resource:repo:0`, …). */
  startingWith(prefix: string): string[] {
    return [...this.values].flatMap(([name, values]) => (name.startsWith(prefix) ? values : []));
  }
}

/** Entries of a body the host's own parser produced (`express.urlencoded()`): strings and string arrays. */
function parsedEntries(body: unknown): [string, string][] {
  if (typeof body !== 'object' || body === null) return [];
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(body)) {
    const list: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of list) if (typeof item === 'string') entries.push([key, item]);
  }
  return entries;
}

/**
 * Reads an `application/x-www-form-urlencoded` POST body (415 for any other content type), or
 * takes it from `req.body` when the host's body parser already consumed the stream.
 */
export async function readFormFields(req: Request, limit: number): Promise<FormFields> {
  if (alreadyParsed(req)) return FormFields.fromEntries(parsedEntries(req.body));
  if (bodyKind(req) !== 'form') {
    throw new UnsupportedMediaTypeError(message('problem.formType'));
  }
  let raw: string;
  try {
    raw = await readRaw(req, limit);
  } catch (error) {
    throw error instanceof HttpError ? error : new InvalidRequestError(message('problem.formUnreadable'));
  }
  const entries = [...new URLSearchParams(raw)];
  leaveFormOnRequest(req, entries);
  return FormFields.fromEntries(entries);
}
