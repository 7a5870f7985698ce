import type { Finding } from '../state';
import { escapeText, type Fragment, type Html, html, trusted } from './html';

/** A link to the RFC section a step follows. */
export function rfc(number: number, section: string, title?: string): Html {
  return html`<a class="rfc" href="https://www.rfc-editor.org/rfc/rfc${number}#section-${section}" target="_blank" rel="noopener noreferrer" title="${title ?? ''}">RFC ${number} §${section}</a>`;
}

/** Text with `code` spans, for explanations and findings. */
export function richText(text: string): Html {
  return trusted(escapeText(text).replace(/`([^`]+)`/g, '<code>$1</code>'));
}

export function findingsList(findings: readonly Finding[]): Html | '' {
  if (findings.length === 0) return '';
  const item = (finding: Finding) => {
    const [cls, mark] =
      finding.ok === true ? ['ok', '✓'] : finding.ok === false ? ['fail', '✗'] : ['note', 'ℹ'];
    return html`<li class="${cls}"><span class="mark" aria-hidden="true">${mark}</span> ${richText(finding.text)}</li>`;
  };
  return html`<ul class="findings">${findings.map(item)}</ul>`;
}

export type StepStatus = 'done' | 'current' | 'waiting';

export interface StepOptions {
  id: string;
  number: number;
  title: string;
  status: StepStatus;
  rfcs: Html[];
  explain: Fragment;
}

/** One numbered step: what it does and which RFC it follows, then its action and results. */
export function step(options: StepOptions, content: Fragment): Html {
  const badge = options.status === 'done' ? '✓' : String(options.number);
  return html`<section class="step ${options.status}" id="${options.id}">
<header><span class="num" aria-label="Step ${options.number}">${badge}</span><h2>${options.title}</h2><span class="rfcs">${options.rfcs}</span></header>
<div class="explain">${options.explain}</div>
${content}
</section>`;
}

/** A form that posts one playground action with the session's CSRF token; `primary` marks the next thing to do. */
export function actionForm(
  action: string,
  csrfToken: string,
  label: string,
  options: { disabled?: boolean; fields?: Fragment; primary?: boolean; id?: string } = {},
): Html {
  return html`<form method="post" action="${action}" class="action">
<input type="hidden" name="csrf_token" value="${csrfToken}">
${options.fields ?? ''}
<button${options.primary ? html` class="primary"` : ''}${options.id ? html` id="${options.id}"` : ''}${options.disabled ? html` disabled` : ''}>${label}</button>
</form>`;
}

/** Checkboxes for the scopes a flow asks for. */
export function scopeChoices(
  scopes: readonly { name: string; description: string }[],
  checked: readonly string[],
  idPrefix: string,
): Html {
  return html`<fieldset class="scopes"><legend>Scopes to ask for</legend>${scopes.map(
    (scope) =>
      html`<label><input type="checkbox" name="scope" value="${scope.name}" id="${idPrefix}-${scope.name.replace(/[^a-z0-9]/gi, '-')}"${checked.includes(scope.name) ? html` checked` : ''}> <code>${scope.name}</code> <span class="muted">${scope.description}</span></label>`,
  )}</fieldset>`;
}
