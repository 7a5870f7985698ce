import { InvalidFieldError } from '../errors/invalid-field-error';

/** The JSON API's snake_case names of the validators' fields (DESIGN.md's table). */
const JSON_NAMES: Readonly<Record<string, string>> = {
  homepageUrl: 'homepage_url',
  redirectUris: 'redirect_uris',
  expiresIn: 'expires_in',
};

const FIELDS_BY_JSON_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(JSON_NAMES).map(([field, json]) => [json, field]),
);

/**
 * A JSON body with its snake_case keys renamed to the validators' field names; only the keys
 * present are kept (a PATCH changes only what it names). Values stay `unknown` for the validator.
 */
export function fieldsFromJson(body: Readonly<Record<string, unknown>>, accepted: readonly string[]) {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = FIELDS_BY_JSON_NAME.get(key) ?? key;
    if (accepted.includes(field)) fields[field] = value;
  }
  return fields;
}

/** The same problem, naming the field as the JSON client sent it: `redirectUris[1]` → `redirect_uris[1]`. */
function inJsonNames(error: InvalidFieldError): InvalidFieldError {
  const match = /^([A-Za-z]+)(.*)$/.exec(error.field);
  const base = match?.[1] ?? error.field;
  const json = JSON_NAMES[base];
  return json === undefined ? error : new InvalidFieldError(`${json}${match?.[2] ?? ''}`, error.problem);
}

/** Runs a JSON route's validation and service call, answering field problems in the JSON names. */
export async function withJsonFieldNames<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof InvalidFieldError ? inJsonNames(error) : error;
  }
}
