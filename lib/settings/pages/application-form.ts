import type { InvalidFieldError } from '../../errors/invalid-field-error';
import type { FormFields } from '../../http/read-form';
import {
  type ApplicationInput,
  type ApplicationRules,
  checkApplicationInput,
  MAX_REDIRECT_URIS,
} from '../../validation/application-input';
import { problemOf } from '../../validation/fields';
import type { ApplicationFormValues } from '../../views/applications-view';
import type { FieldErrors } from '../../views/form-fields';

/** The form's control for each field of `ApplicationInput`, and the label its messages start with. */
const CONTROLS: Readonly<Record<string, { control: string; label: string }>> = {
  name: { control: 'name', label: 'Name' },
  homepageUrl: { control: 'homepage_url', label: 'Homepage URL' },
  redirectUris: { control: 'redirect_uris', label: 'Callback URLs' },
  confidential: { control: 'client_type', label: 'Client type' },
  scopes: { control: 'scopes', label: 'Scopes' },
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
 * The message shown next to a control for a problem the validator found: with the field's label,
 * with the offending line for a callback URL, and in the textarea's terms for the list itself.
 */
function messageFor(error: InvalidFieldError, lines: readonly string[]): [string, string] {
  const problem = problemOf(error);
  const line = /^redirectUris\[(\d+)\]$/.exec(error.field);
  if (line?.[1] !== undefined) return ['redirect_uris', `“${lines[Number(line[1])] ?? ''}” ${problem}`];
  if (error.field === 'redirectUris') {
    const message =
      lines.length === 0
        ? 'Add at least one callback URL'
        : `List at most ${MAX_REDIRECT_URIS} callback URLs`;
    return ['redirect_uris', message];
  }
  const { control, label } = CONTROLS[error.field] ?? { control: error.field, label: error.field };
  return [control, `${label} ${problem}`];
}

export type ApplicationFormResult =
  | { ok: true; input: ApplicationInput }
  | { ok: false; errors: FieldErrors };

/**
 * Checks the registration or edit form with the validator the JSON API and
 * `applications.create()` use (`lib/validation/application-input.ts`), reporting every field's
 * problem at once. `confidential` is fixed when editing (it cannot change).
 */
export function validateApplicationForm(
  form: FormFields,
  rules: ApplicationRules,
  confidential?: boolean,
): ApplicationFormResult {
  const errors: FieldErrors = {};
  const lines = callbackLines(form.one('redirect_uris') ?? '');
  const clientType = form.one('client_type');
  if (confidential === undefined && clientType !== 'confidential' && clientType !== 'public') {
    errors.client_type = 'Choose confidential or public';
  }
  const checked = checkApplicationInput(
    {
      name: form.one('name'),
      homepageUrl: form.one('homepage_url'),
      redirectUris: lines,
      confidential: confidential ?? clientType !== 'public',
      scopes: form.all('scopes'),
    },
    rules,
  );
  if (!checked.ok) {
    for (const problem of checked.problems) {
      const [control, message] = messageFor(problem, lines);
      errors[control] ??= message;
    }
  }
  if (!checked.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: checked.value };
}
