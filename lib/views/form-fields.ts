import { FORM_FIELDS } from './form-contract';
import { html, type RawHtml } from './html';

/** Validation messages by field name, shown next to the field they concern. */
export type FieldErrors = Partial<Record<string, string>>;

interface FieldBase {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string;
}

function errorLine(field: FieldBase): RawHtml {
  return field.error === undefined
    ? html``
    : html`<p class="field-error" id="${field.name}-error">${field.error}</p>`;
}

function hintLine(field: FieldBase): RawHtml {
  return field.hint === undefined ? html`` : html`<p class="hint" id="${field.name}-hint">${field.hint}</p>`;
}

/** `aria-describedby` / `aria-invalid` so a screen reader reads the hint and the error with the field. */
function describedBy(field: FieldBase): RawHtml {
  const ids = [
    field.hint === undefined ? '' : `${field.name}-hint`,
    field.error === undefined ? '' : `${field.name}-error`,
  ]
    .filter((id) => id !== '')
    .join(' ');
  const invalid = field.error === undefined ? html`` : html` aria-invalid="true"`;
  return ids === '' ? invalid : html` aria-describedby="${ids}"${invalid}`;
}

function fieldClass(field: FieldBase): string {
  return field.error === undefined ? 'field' : 'field invalid';
}

/** A one-line text or URL input that keeps what the user typed. */
export function textField(
  field: FieldBase & { value: string; type?: 'text' | 'url'; required?: boolean },
): RawHtml {
  const required = field.required === false ? html`` : html` required`;
  return html`<div class="${fieldClass(field)}"><label for="${field.name}">${field.label}</label>
<input type="${field.type ?? 'text'}" id="${field.name}" name="${field.name}" value="${field.value}" maxlength="2000"${required}${describedBy(field)}>
${hintLine(field)}${errorLine(field)}</div>`;
}

/** A multi-line input (one callback URL per line). */
export function textareaField(field: FieldBase & { value: string; rows?: number }): RawHtml {
  return html`<div class="${fieldClass(field)}"><label for="${field.name}">${field.label}</label>
<textarea id="${field.name}" name="${field.name}" rows="${field.rows ?? 3}" required${describedBy(field)}>${field.value}</textarea>
${hintLine(field)}${errorLine(field)}</div>`;
}

export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

function choiceLabel(type: 'radio' | 'checkbox', name: string, choice: Choice, checked: boolean): RawHtml {
  const id = `${name}-${choice.value}`;
  const mark = checked ? html` checked` : html``;
  const hint = choice.hint === undefined ? html`` : html` <span class="muted small">${choice.hint}</span>`;
  return html`<label class="choice" for="${id}"><input type="${type}" id="${id}" name="${name}" value="${choice.value}"${mark}><span><strong>${choice.label}</strong>${hint}</span></label>`;
}

/** One choice of several (confidential or public). */
export function radioGroup(field: FieldBase & { choices: Choice[]; selected: string }): RawHtml {
  return html`<fieldset class="${fieldClass(field)}"${describedBy(field)}><legend>${field.label}</legend>
${field.choices.map((choice) => choiceLabel('radio', field.name, choice, choice.value === field.selected))}
${hintLine(field)}${errorLine(field)}</fieldset>`;
}

/** Any number of choices (scopes), posted as the same name repeated. */
export function checkboxGroup(field: FieldBase & { choices: Choice[]; checked: readonly string[] }): RawHtml {
  return html`<fieldset class="${fieldClass(field)}"${describedBy(field)}><legend>${field.label}</legend>
${field.choices.map((choice) => choiceLabel('checkbox', field.name, choice, field.checked.includes(choice.value)))}
${hintLine(field)}${errorLine(field)}</fieldset>`;
}

/** A drop-down list (token expiry). */
export function selectField(field: FieldBase & { choices: Choice[]; selected: string }): RawHtml {
  const options = field.choices.map((choice) =>
    choice.value === field.selected
      ? html`<option value="${choice.value}" selected>${choice.label}</option>`
      : html`<option value="${choice.value}">${choice.label}</option>`,
  );
  return html`<div class="${fieldClass(field)}"><label for="${field.name}">${field.label}</label>
<select id="${field.name}" name="${field.name}"${describedBy(field)}>${options}</select>
${hintLine(field)}${errorLine(field)}</div>`;
}

/** The hidden CSRF field every settings form carries. */
export function csrfField(token: string): RawHtml {
  return html`<input type="hidden" name="${FORM_FIELDS.csrfToken}" value="${token}">`;
}

/** A form that is just one button: deletes, revocations, secret resets (always POST, never a link). */
export function buttonForm(
  action: string,
  csrfToken: string,
  label: string,
  kind: 'danger' | 'primary' | 'plain',
): RawHtml {
  return html`<form class="inline" method="post" action="${action}">${csrfField(csrfToken)}<button type="submit" class="${kind}">${label}</button></form>`;
}
