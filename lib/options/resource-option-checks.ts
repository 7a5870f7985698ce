import { ConfigurationError } from '../errors/configuration-error';
import type { ResourceDefinition } from '../resources/resource-registry';
import { canonicalResource } from '../resources/resource-uri';
import type { OptionCheck } from './option-checks';

const DEFINITION_KEYS: ReadonlySet<string> = new Set<keyof ResourceDefinition>([
  'name',
  'scopes',
  'audienceRequired',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definition(name: string, uri: string, value: unknown): ResourceDefinition {
  if (!isRecord(value))
    throw new ConfigurationError(name, `"${uri}" must be an object ({ name?, scopes?, … })`);
  for (const key of Object.keys(value)) {
    if (!DEFINITION_KEYS.has(key)) {
      throw new ConfigurationError(
        name,
        `"${uri}" has an unknown key "${key}" (name, scopes, audienceRequired)`,
      );
    }
  }
  const { name: label, scopes, audienceRequired } = value;
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '')) {
    throw new ConfigurationError(name, `"${uri}".name must be a non-empty string`);
  }
  if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))) {
    throw new ConfigurationError(name, `"${uri}".scopes must be an array of scope names`);
  }
  if (audienceRequired !== undefined && typeof audienceRequired !== 'boolean') {
    throw new ConfigurationError(name, `"${uri}".audienceRequired must be a boolean`);
  }
  return Object.freeze({
    ...(label === undefined ? {} : { name: label }),
    ...(scopes === undefined ? {} : { scopes: Object.freeze([...scopes]) }),
    ...(audienceRequired === undefined ? {} : { audienceRequired }),
  });
}

/**
 * `resources`: `{ '<absolute URI>': { name?, scopes?, audienceRequired? } }`. Each key must be an
 * absolute URI without fragment (RFC 8707 §2), and no two may name the same resource after the
 * comparison RFC 8707 resolution tolerates (case of scheme and host, one trailing slash).
 * Whether the scopes are declared is checked by `resolveOptions`, which knows the scopes.
 */
export const resources: OptionCheck<Readonly<Record<string, ResourceDefinition>> | undefined> = (
  value,
  name,
) => {
  if (value === undefined) return undefined;
  if (!isRecord(value))
    throw new ConfigurationError(name, "must be an object: { 'https://host/api': { … } }");
  const seen = new Map<string, string>();
  const checked: Record<string, ResourceDefinition> = {};
  for (const [uri, given] of Object.entries(value)) {
    const canonical = canonicalResource(uri);
    if (canonical === null) {
      throw new ConfigurationError(name, `"${uri}" is not an absolute URI without fragment (RFC 8707 §2)`);
    }
    const earlier = seen.get(canonical);
    if (earlier !== undefined)
      throw new ConfigurationError(name, `"${uri}" and "${earlier}" name the same resource`);
    seen.set(canonical, uri);
    checked[uri] = definition(name, uri, given);
  }
  return Object.freeze(checked);
};
