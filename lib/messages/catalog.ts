import { en } from './en';

/** Every message of the built-in pages and page errors (the keys of `en.ts`). */
export type MessageKey = keyof typeof en;

/** A complete catalog: one string per key, with the placeholders of the English one. */
export type Catalog = { readonly [K in MessageKey]: string };

/** What a host gives for one language: any keys to override, and its scopes' descriptions. */
export type MessageOverrides = Partial<Catalog> & {
  /** Descriptions of the host's scopes in this language, by scope name (shown at consent). */
  readonly scopes?: Readonly<Record<string, string>>;
};

/** The values of a message's `{placeholders}`. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** A message to show in the reader's language: its key and placeholder values. */
export interface Translatable {
  readonly key: MessageKey;
  readonly params: MessageParams;
}

/** A message by key, to be put into words later in the reader's language. */
export function message(key: MessageKey, params: MessageParams = {}): Translatable {
  return { key, params };
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** The template with each `{name}` replaced by its value; unknown names stay as written. */
export function formatMessage(template: string, params: MessageParams): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The placeholder names of a template, sorted, each once. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))].sort();
}

/** The English text of a message (error descriptions in JSON answers and logs). */
export function inEnglish(translatable: Translatable): string {
  return formatMessage(en[translatable.key], translatable.params);
}

/** Whether a string is a key of the catalog. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export { en as ENGLISH };
