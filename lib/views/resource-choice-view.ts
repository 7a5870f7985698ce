import type { Translator } from '../messages/translator';
import type { ConsentResourceChoice } from '../options/provider-options';
import { withoutBidiControls } from './bidi';
import { DECISIONS, FORM_FIELDS, RESOURCE_FIELDS } from './form-contract';
import { html, type RawHtml } from './html';

/**
 * The "all current and future <type>, or only these" fieldset of one resource-scoped scope, as
 * the consent page, the device page, the authorizations page and the tokens page show it: two
 * radios (or, where "all" is no longer on offer, only "these"), one checkbox per resource whose
 * value is the resource id, and, when the host has more, a "show more" submit button. No
 * JavaScript needed; every name the host or a user chose is escaped.
 */
export function resourceChoiceFieldset(
  choice: ConsentResourceChoice,
  t: Translator,
  options: { allowAll?: boolean } = {},
): RawHtml {
  const type = choice.typeName;
  const radio = (value: string, label: string, checked: boolean) =>
    html`<label class="choice"><input type="radio" name="${choice.field}" value="${value}"${checked ? html` checked` : html``}><span>${label}</span></label>`;
  const items =
    choice.items.length === 0
      ? html`<p class="muted">${t.text('consent.resourcesNone', { type })}</p>`
      : html`<ul class="resources">${choice.items.map(
          (item) =>
            html`<li><label class="choice"><input type="checkbox" name="${item.field}" value="${item.id}"${item.checked ? html` checked` : html``}><span><strong>${withoutBidiControls(item.name)}</strong>${item.badge === undefined ? html`` : html` <span class="badge">${item.badge}</span>`}${item.description === undefined ? html`` : html` <span class="muted small">${withoutBidiControls(item.description)}</span>`}</span></label></li>`,
        )}</ul>`;
  const more = choice.more
    ? html`<button type="submit" name="${FORM_FIELDS.decision}" value="${DECISIONS.more}">${t.text('consent.resourcesMore', { type })}</button>`
    : html``;
  // Narrowing a restricted choice keeps it restricted: "all" is not offered, "these" is implied.
  const radios =
    options.allowAll === false
      ? html`<input type="hidden" name="${choice.field}" value="${RESOURCE_FIELDS.selected}">`
      : html`${radio(RESOURCE_FIELDS.all, t.text('consent.resourcesAll', { type }), choice.choice === 'all')}
${radio(RESOURCE_FIELDS.selected, t.text('consent.resourcesSelected', { type }), choice.choice === 'selected')}`;
  return html`<fieldset class="resource-choice"><legend>${t.text('consent.resourcesLegend', { type, scope: choice.scope })}</legend>
${radios}
${items}${more}</fieldset>`;
}
