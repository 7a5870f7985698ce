/**
 * Reading the provider's HTML as a browser would: the hidden fields of a form (with entities
 * decoded, so what is read is what a browser posts back), and the pieces of the settings pages
 * the tests look at.
 */
const ENTITIES: Record<string, string> = {
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
};

/** The HTML entities the provider's escaping produces, decoded (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
export function decodeEntities(value: string): string {
  return value.replace(/&(?:quot|#39|lt|gt|amp);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** The hidden inputs of the page's forms, by name (the last one wins, as in a form post). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    if (name !== undefined && value !== undefined) fields[decodeEntities(name)] = decodeEntities(value);
  }
  return fields;
}

/** The page's CSRF token; fails the test if it has none. */
export function csrfToken(html: string): string {
  const token = hiddenFields(html).csrf_token;
  if (token === undefined || token === '') throw new Error('the page has no csrf_token field');
  return token;
}

/** The validation message shown next to a settings form field, as raw HTML (escaping visible). */
export function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(html)?.[1];
}

/** The text of `<code id="…">` (client ids, secrets and tokens shown once); fails if absent. */
export function codeText(html: string, id: string): string {
  const value = new RegExp(`<code id="${id}">([^<]+)</code>`).exec(html)?.[1];
  if (value === undefined) throw new Error(`the page has no #${id}`);
  return value;
}

/** The error code an HTML error page names (`<code>invalid_request</code>`), or `undefined`. */
export function pageErrorCode(html: string): string | undefined {
  return /<code>([a-z_]+)<\/code>/.exec(html)?.[1];
}

/** The "Return to <host>" link of the page shown instead of redirecting an unverified client's error, or `null`. */
export function returnLink(html: string): URL | null {
  const href = /<a class="return" href="([^"]+)"/.exec(html)?.[1];
  return href === undefined ? null : new URL(decodeEntities(href));
}
