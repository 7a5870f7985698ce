import type { ProviderOptions } from './provider-options';
import { OPTION_NAMES, type OPTION_SCHEMA, type OptionName, SCHEMA } from './schema';

/** The options with a fixed default (the others are required, or computed from another option). */
export type DefaultedOption = {
  [K in OptionName]: (typeof OPTION_SCHEMA)[K] extends { readonly default: unknown } ? K : never;
}[OptionName];

/** The fixed defaults, as `resolveOptions` applies them. */
export type ProviderDefaults = { readonly [K in DefaultedOption]: Exclude<ProviderOptions[K], undefined> };

function collectDefaults(): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    const value = SCHEMA[name].default;
    if (value !== undefined) defaults[name] = value;
  }
  return defaults;
}

/**
 * Every option of `createProvider()` that has a fixed default, read from the options schema
 * (`lib/options/schema.ts`, where each is documented). Frozen, lists included: providers share it.
 */
export const DEFAULTS: ProviderDefaults = Object.freeze(collectDefaults() as ProviderDefaults);
