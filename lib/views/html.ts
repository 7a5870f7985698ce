const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** A tagged template whose interpolations are escaped unless wrapped in `raw()`. */
export interface RawHtml {
  readonly __html: string;
}

export function raw(html: string): RawHtml {
  return { __html: html };
}

export function html(
  strings: TemplateStringsArray,
  ...values: (string | number | RawHtml | RawHtml[])[]
): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (Array.isArray(value)) out += value.map((part) => part.__html).join('');
    else if (typeof value === 'object') out += value.__html;
    else out += escapeHtml(String(value));
    out += strings[i + 1] ?? '';
  });
  return raw(out);
}
