import type { InvalidFieldError } from '../../errors/invalid-field-error';
import type { FormFields } from '../../http/read-form';
import type { MessageKey } from '../../messages/catalog';
import type { Translator } from '../../messages/translator';
import {
  type ApplicationInput,
  type ApplicationRules,
  checkApplicationInput,
  MAX_REDIRECT_URIS,
} from '../../validation/application-input';
import type { ApplicationFormValues } from '../../views/applications-view';
import type { FieldErrors } from '../../views/form-fields';

/** The form's control for each field of `ApplicationInput`, and the label its messages start with. */
const CONTROLS: Readonly<Record<string, { control: string; label: MessageKey }>> = {
  name: { control: 'name', label: 'applications.label.name' },
  homepageUrl: { control: 'homepage_url', label: 'applications.label.homepage' },
  redirectUris: { control: 'redirect_uris', label: 'applications.label.callbacks' },
  confidential: { control: 'client_type', label: 'applications.label.type' },
  scopes: { control: 'scopes', label: 'applications.label.scopes' },
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
function messageFor(error: InvalidFieldError, lines: readonly string[], t: Translator): [string, string] {
  const problem = t.say(error.problem);
  const line = /^redirectUris\[(\d+)\]$/.exec(error.field);
  if (line?.[1] !== undefined) {
    return [
      'redirect_uris',
      t.text('applications.problem.callback', { uri: lines[Number(line[1])] ?? '', problem }),
    ];
  }
  if (error.field === 'redirectUris') {
    const message =
      lines.length === 0
        ? t.text('applications.problem.noCallback')
        : t.text('applications.problem.tooManyCallbacks', { max: MAX_REDIRECT_URIS });
    return ['redirect_uris', message];
  }
  const known = CONTROLS[error.field];
  const label = known === undefined ? error.field : t.text(known.label);
  return [known?.control ?? error.field, t.text('field.withLabel', { label, problem })];
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
  t: Translator,
  confidential?: boolean,
): ApplicationFormResult {
  const errors: FieldErrors = {};
  const lines = callbackLines(form.one('redirect_uris') ?? '');
  const clientType = form.one('client_type');
  if (confidential === undefined && clientType !== 'confidential' && clientType !== 'public') {
    errors.client_type = t.text('applications.problem.chooseType');
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
      const [control, message] = messageFor(problem, lines, t);
      errors[control] ??= message;
    }
  }
  if (!checked.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: checked.value };
}
