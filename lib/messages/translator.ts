import { escapeHtml, type RawHtml, raw } from '../views/html';
import {
  type Catalog,
  formatMessage,
  type MessageKey,
  type MessageParams,
  type Translatable,
} from './catalog';

/** Placeholder values for {@link Translator.html}: text (escaped) or markup (as it is). */
export type HtmlParams = Readonly<Record<string, string | number | RawHtml>>;

/**
 * One language's messages, for one page: plain text for titles and attributes, markup for
 * sentences with emphasis in them. Renderers get one as `context.t`.
 *
 * @example
 * ```ts
 * t.text('consent.title', { app: data.application.name }); // "Authorize My app" / "My app autorisieren"
 * t.html('layout.signedInAs', { user: html`<strong>${name}</strong>` });
 * ```
 */
export class Translator {
  constructor(
    /** The BCP 47 tag of this language (`en`, `de`, or one the host added), for `<html lang>`. */
    readonly locale: string,
    private readonly catalog: Catalog,
    private readonly scopeTexts: Readonly<Record<string, string>>,
  ) {}

  /** The message `key` with its placeholders filled in, as plain text (escape it to put it in HTML). */
  text(key: MessageKey, params: MessageParams = {}): string {
    return formatMessage(this.catalog[key], params);
  }

  /** A message carried by an error (`error.translatable`), or a plain description as it is. */
  say(message: Translatable | string): string {
    return typeof message === 'string' ? message : this.text(message.key, message.params);
  }

  /** The message as markup: its text escaped, markup parameters inserted as they are. */
  html(key: MessageKey, params: HtmlParams = {}): RawHtml {
    const template = this.catalog[key];
    let out = '';
    let last = 0;
    for (const match of template.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)) {
      const name = match[1] ?? '';
      if (!Object.hasOwn(params, name)) continue;
      const value = params[name];
      out += escapeHtml(template.slice(last, match.index));
      out += typeof value === 'object' && value !== null ? value.__html : escapeHtml(String(value));
      last = match.index + match[0].length;
    }
    return raw(out + escapeHtml(template.slice(last)));
  }

  /** A scope's description in this language: the host's translation, else its declared one. */
  scope(name: string, declared: string): string {
    return Object.hasOwn(this.scopeTexts, name) ? (this.scopeTexts[name] ?? declared) : declared;
  }
}
