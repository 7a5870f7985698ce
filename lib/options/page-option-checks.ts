import { ConfigurationError } from '../errors/configuration-error';
import type { Logger } from '../logging/logger';
import { ENGLISH, isMessageKey, type MessageOverrides, placeholdersOf } from '../messages/catalog';
import { CSP_SOURCE_OPTIONS, type CspSources } from '../views/csp';
import { UNFRAMEABLE_VIEWS, VIEW_NAMES } from '../views/page-renderer';
import type { ViewName, ViewOptions } from '../views/view-types';
import type { OptionCheck } from './option-checks';
import { closestName } from './unknown-options';

/** The checks of the options that shape pages and operations: views, messages, logger. */

function plainObject(value: unknown, name: string, what: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(name, `must be an object (${what})`);
  }
  return value as Readonly<Record<string, unknown>>;
}

function unknownKey(name: string, key: string, known: readonly string[]): ConfigurationError {
  const suggestion = closestName(key, known);
  return new ConfigurationError(
    `${name}.${key}`,
    suggestion === null ? `is not one of: ${known.join(', ')}` : `is unknown; did you mean "${suggestion}"?`,
  );
}

/** A CSP source expression: printable ASCII without separators, so it cannot break the header. */
const CSP_SOURCE = /^[\x21-\x2B\x2D-\x3A\x3C-\x7E]{1,512}$/;

function cspSources(value: unknown, name: string, view: string): CspSources {
  const sources = plainObject(value, name, `sources to add, e.g. { styleSrc: ["'self'"] }`);
  for (const [directive, list] of Object.entries(sources)) {
    if (!CSP_SOURCE_OPTIONS.includes(directive)) throw unknownKey(name, directive, CSP_SOURCE_OPTIONS);
    if (
      !Array.isArray(list) ||
      list.some((source) => typeof source !== 'string' || !CSP_SOURCE.test(source))
    ) {
      throw new ConfigurationError(
        `${name}.${directive}`,
        `must be an array of CSP sources like "'self'" or "https://cdn.example.com" (no spaces, ";" or ",")`,
      );
    }
    if (directive === 'frameAncestors' && UNFRAMEABLE_VIEWS.has(view as ViewName)) {
      throw new ConfigurationError(
        `${name}.${directive}`,
        "cannot be set: the consent page keeps frame-ancestors 'none' (a framed consent button is clickjacking)",
      );
    }
  }
  return sources as CspSources;
}

const VIEW_KEYS: readonly string[] = [...VIEW_NAMES, 'layout', 'csp'];

/** `views`: renderers by view name, `layout`, and `csp` sources for `all` or one view. */
export const views: OptionCheck<ViewOptions | undefined> = (value, name) => {
  if (value === undefined) return undefined;
  const given = plainObject(value, name, 'renderers by view name, layout, csp');
  for (const [key, member] of Object.entries(given)) {
    if (!VIEW_KEYS.includes(key)) throw unknownKey(name, key, VIEW_KEYS);
    if (key === 'csp') continue;
    if (member !== undefined && typeof member !== 'function') {
      throw new ConfigurationError(
        `${name}.${key}`,
        'must be a function (data, context) => html, may be async',
      );
    }
  }
  if (given.csp !== undefined) {
    const csp = plainObject(given.csp, `${name}.csp`, 'sources by view name, or "all"');
    const targets = [...VIEW_NAMES, 'all'];
    for (const [view, sources] of Object.entries(csp)) {
      if (!targets.includes(view)) throw unknownKey(`${name}.csp`, view, targets);
      cspSources(sources, `${name}.csp.${view}`, view);
    }
  }
  return given as ViewOptions;
};

/** A BCP 47 language tag (`de`, `pt-BR`, `zh-Hant`). */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/**
 * `messages`: per language, overrides of catalog keys (checked against the English catalog: a
 * known key, a string, no placeholder the English message lacks) and `scopes` descriptions.
 */
export const messages: OptionCheck<Readonly<Record<string, MessageOverrides>> | undefined> = (
  value,
  name,
) => {
  if (value === undefined) return undefined;
  const languages = plainObject(value, name, '{ de: { "consent.deny": "Nein" } }');
  const keys = Object.keys(ENGLISH);
  for (const [language, catalog] of Object.entries(languages)) {
    if (!LANGUAGE_TAG.test(language)) {
      throw new ConfigurationError(`${name}.${language}`, 'is not a language tag like "de" or "pt-BR"');
    }
    const entries = plainObject(catalog, `${name}.${language}`, 'messages by key');
    for (const [key, text] of Object.entries(entries)) {
      const where = `${name}.${language}.${key}`;
      if (key === 'scopes') {
        const scopes = plainObject(text, where, 'scope descriptions by scope name');
        for (const [scope, description] of Object.entries(scopes)) {
          if (typeof description !== 'string' || description === '')
            throw new ConfigurationError(`${where}.${scope}`, 'must be a non-empty string');
        }
        continue;
      }
      if (!isMessageKey(key)) throw unknownKey(`${name}.${language}`, key, keys);
      if (typeof text !== 'string') throw new ConfigurationError(where, 'must be a string');
      const allowed = placeholdersOf(ENGLISH[key]);
      const stray = placeholdersOf(text).filter((placeholder) => !allowed.includes(placeholder));
      if (stray.length > 0) {
        throw new ConfigurationError(
          where,
          `uses {${stray.join('}, {')}}, which this message does not have (it has ${allowed.length === 0 ? 'none' : `{${allowed.join('}, {')}}`})`,
        );
      }
    }
  }
  return Object.freeze({ ...languages }) as Readonly<Record<string, MessageOverrides>>;
};

/** `logger`: an object with `error`, `warn` and `info` methods (and maybe `debug`), as pino's. */
export const logger: OptionCheck<Logger | undefined> = (value, name) => {
  if (value === undefined) return undefined;
  const given = plainObject(value, name, 'a logger with error, warn and info methods, e.g. pino()');
  for (const method of ['error', 'warn', 'info']) {
    if (typeof given[method] !== 'function') {
      throw new ConfigurationError(name, `must have an ${method}() method (a pino logger does)`);
    }
  }
  if (given.debug !== undefined && typeof given.debug !== 'function') {
    throw new ConfigurationError(`${name}.debug`, 'must be a function when given');
  }
  return value as Logger;
};
