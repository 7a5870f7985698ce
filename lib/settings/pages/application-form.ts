import { InvalidFieldError } from '../../errors/invalid-field-error';
import type { FormFields } from '../../http/read-form';
import type { ScopeRegistry } from '../../scopes/scope-registry';
import {
  type ApplicationInput,
  parseApplicationInput,
  requireScopes,
  requireText,
  requireUrl,
} from '../../services/application-input';
import type { ApplicationFormValues } from '../../views/applications-view';
import type { FieldErrors } from '../../views/form-fields';

const LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  homepage_url: 'Homepage URL',
  redirect_uris: 'Callback URLs',
  scopes: 'Scopes',
};

/** What the user typed, kept as typed so a rejected form comes back filled in. */
export function applicationValuesFromForm(form: FormFields, confidential?: boolean): ApplicationFormValues {
  return {
    name: form.one('name') ?? '',
    homepageUrl: form.one('homepage_url') ?? '',
    redirectUris: form.one('redirect_uris') ?? '',
    confidential: confidential ?? form.one('client_type') !== 'public',
    scopes: form.all('scopes'),
  };
}

/** The textarea's non-empty lines. */
function callbackLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * The message shown next to a field: application-input.ts says "<field> <problem>"; the page says
 * it with the field's label, or with the offending line for a callback URL.
 */
function messageFor(error: InvalidFieldError, lines: readonly string[]): [string, string] {
  const problem = error.description.startsWith(`${error.field} `)
    ? error.description.slice(error.field.length + 1)
    : error.description;
  const line = /^redirect_uris\[(\d+)\]$/.exec(error.field);
  if (line?.[1] !== undefined) return ['redirect_uris', `“${lines[Number(line[1])] ?? ''}” ${problem}`];
  if (error.field === 'confidential') return ['client_type', `Client type ${problem}`];
  return [error.field, `${LABELS[error.field] ?? error.field} ${problem}`];
}

/** Runs one field's check, filing an `InvalidFieldError` under its field instead of throwing. */
function check(errors: FieldErrors, lines: readonly string[], validate: () => void): void {
  try {
    validate();
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    const [field, message] = messageFor(error, lines);
    errors[field] ??= message;
  }
}

export type ApplicationFormResult =
  | { ok: true; input: ApplicationInput }
  | { ok: false; errors: FieldErrors };

/**
 * Validates the registration or edit form with the JSON API's rules (application-input.ts), but
 * reports every field's problem at once. `confidential` is fixed when editing (it cannot change).
 */
export function validateApplicationForm(
  form: FormFields,
  registry: ScopeRegistry,
  allowHttp: boolean,
  confidential?: boolean,
): ApplicationFormResult {
  const errors: FieldErrors = {};
  const lines = callbackLines(form.one('redirect_uris') ?? '');
  const clientType = form.one('client_type');
  check(errors, lines, () => requireText('name', form.one('name'), 100));
  check(errors, lines, () => requireUrl('homepage_url', form.one('homepage_url'), true));
  if (lines.length === 0) errors.redirect_uris = 'Add at least one callback URL';
  if (lines.length > 20) errors.redirect_uris = 'List at most 20 callback URLs';
  for (const [i, line] of lines.entries()) {
    check(errors, lines, () => requireUrl(`redirect_uris[${i}]`, line, allowHttp));
  }
  if (confidential === undefined && clientType !== 'confidential' && clientType !== 'public') {
    errors.client_type = 'Choose confidential or public';
  }
  check(errors, lines, () => requireScopes('scopes', form.all('scopes'), registry));
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const body = {
    name: form.one('name'),
    homepage_url: form.one('homepage_url'),
    redirect_uris: lines,
    confidential: confidential ?? clientType === 'confidential',
    scopes: form.all('scopes'),
  };
  // The same parser the JSON API uses has the last word, so both surfaces accept exactly the same input.
  try {
    return { ok: true, input: parseApplicationInput(body, registry, allowHttp) };
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    const [field, message] = messageFor(error, lines);
    return { ok: false, errors: { [field]: message } };
  }
}
