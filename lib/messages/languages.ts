import type { Request } from 'express';
import type { Catalog, MessageOverrides } from './catalog';
import { de } from './de';
import { en } from './en';
import { Translator } from './translator';

/** The languages the library ships, English first (the fallback). */
export const BUILT_IN_CATALOGS: Readonly<Record<string, Catalog>> = Object.freeze({ en, de });

/** The host's `locale(req)` hook: a BCP 47 tag, or nothing to negotiate `Accept-Language`. */
export type LocaleHook = (req: Request) => string | null | undefined | Promise<string | null | undefined>;

const FALLBACK = 'en';

/**
 * The languages one provider speaks: the built-in catalogs with the host's overrides, and the
 * languages it added (completed from English, key by key). Chooses a page's language once per
 * request: the host's `locale(req)` when it names an available one (`de-AT` finds `de`), else
 * `Accept-Language` among the available ones (RFC 9110 §12.5.4), else English.
 */
export class Languages {
  readonly locales: readonly string[];
  readonly #translators = new Map<string, Translator>();
  readonly #chosen = new WeakMap<Request, Promise<Translator>>();

  constructor(
    overrides: Readonly<Record<string, MessageOverrides>>,
    private readonly hook: LocaleHook | undefined,
    /** Where a failing `locale(req)` is reported (the page then speaks `Accept-Language`). */
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    const locales = [...Object.keys(BUILT_IN_CATALOGS)];
    for (const locale of Object.keys(overrides)) if (!locales.includes(locale)) locales.push(locale);
    this.locales = Object.freeze(locales);
    for (const locale of locales) {
      const { scopes = {}, ...messages } = overrides[locale] ?? {};
      const catalog: Catalog = { ...en, ...BUILT_IN_CATALOGS[locale], ...messages };
      this.#translators.set(locale, new Translator(locale, catalog, scopes));
    }
  }

  /** The available language a tag names: itself (any letter case), or its primary language. */
  match(tag: string | null | undefined): string | null {
    if (typeof tag !== 'string' || tag === '') return null;
    const wanted = tag.toLowerCase();
    const primary = wanted.split('-')[0];
    return (
      this.locales.find((locale) => locale.toLowerCase() === wanted) ??
      this.locales.find((locale) => locale.toLowerCase() === primary) ??
      null
    );
  }

  /** The translator of an available language (English for any other). */
  translator(locale: string): Translator {
    return this.#translators.get(this.match(locale) ?? FALLBACK) ?? this.#fallback();
  }

  /** This request's language, chosen once (a page and its error page speak the same one). */
  forRequest(req: Request): Promise<Translator> {
    let chosen = this.#chosen.get(req);
    if (chosen === undefined) {
      chosen = this.#choose(req);
      this.#chosen.set(req, chosen);
    }
    return chosen;
  }

  async #choose(req: Request): Promise<Translator> {
    let fromHook: string | null = null;
    try {
      fromHook = this.hook === undefined ? null : this.match(await this.hook(req));
    } catch (error) {
      // A page, and its error page, must still be answered: in the negotiated language.
      this.onError(error);
    }
    return this.translator(fromHook ?? this.#negotiate(req) ?? FALLBACK);
  }

  #negotiate(req: Request): string | null {
    if (typeof req.headers?.['accept-language'] !== 'string') return null;
    const accepted =
      typeof req.acceptsLanguages === 'function' ? req.acceptsLanguages(...this.locales) : false;
    return typeof accepted === 'string' ? this.match(accepted) : null;
  }

  #fallback(): Translator {
    return new Translator(FALLBACK, en, {});
  }
}
