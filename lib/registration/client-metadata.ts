import { InvalidFieldError } from '../errors/invalid-field-error';
import { InvalidClientMetadataError, InvalidRedirectUriError, type OAuthError } from '../errors/oauth-error';
import { GRANT_TYPES } from '../grants/grant-type-names';
import type { ScopeRegistry } from '../scopes/scope-registry';
import {
  type ApplicationInput,
  checkApplicationInput,
  isPrivateUseRedirect,
} from '../validation/application-input';
import { problemOf } from '../validation/fields';

/**
 * Client metadata (RFC 7591 §2) as a registration request or a client metadata document states
 * it, checked and turned into an application. Unknown fields are ignored (§2: the server MUST
 * ignore what it does not understand); the redirect URIs pass the validator every application
 * passes (`checkApplicationInput`), plus the rules of the declared `application_type`.
 */

/** How a client authenticates at the token endpoint (RFC 7591 §2 `token_endpoint_auth_method`). */
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

export interface CheckedClientMetadata {
  input: ApplicationInput;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** As declared; `null` when the request left it out. */
  applicationType: 'web' | 'native' | null;
}

/** A refusal naming the field at fault, for the `registration.refused` event. */
export class ClientMetadataProblem extends Error {
  constructor(
    readonly field: string,
    readonly error: OAuthError,
  ) {
    super(`${field}: ${error.description}`);
    this.name = 'ClientMetadataProblem';
  }
}

/** What the rules depend on. */
export interface MetadataRules {
  scopes: ScopeRegistry;
  allowHttpRedirectUris: boolean;
  /** The scopes such a client may ask for at most; `null`: every declared scope users may hold. */
  scopeCap: readonly string[] | null;
  /** Whether `client_secret_basic`/`_post` may be asked for (else only `none`). */
  allowConfidential: boolean;
  /** Whether the provider issues refresh tokens (then `refresh_token` may be listed). */
  refreshTokens: boolean;
}

const metadataProblem = (field: string, text: string) =>
  new ClientMetadataProblem(field, new InvalidClientMetadataError(`${field} ${text}`));

function stringList(body: Record<string, unknown>, field: string): string[] | null {
  const value = body[field];
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw metadataProblem(field, 'must be an array of strings');
  }
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw metadataProblem(field, 'must be a string');
  return value;
}

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?(\/|$)/i;

/**
 * OpenID Connect Dynamic Registration §2 `application_type`, the redirect rules of each: a `web`
 * client redirects to https only; a `native` one to a loopback http address (RFC 8252 §7.3) or a
 * private-use scheme (§7.1), never to a web host.
 */
function applicationTypeProblem(type: 'web' | 'native', uris: readonly string[]): number {
  return uris.findIndex((uri) =>
    type === 'web' ? !uri.startsWith('https://') : !(LOOPBACK_HTTP.test(uri) || isPrivateUseRedirect(uri)),
  );
}

/** `token_endpoint_auth_method`: `none` unless the rules let a confidential client register. */
function authMethod(body: Record<string, unknown>, rules: MetadataRules): TokenEndpointAuthMethod {
  const method = optionalString(body, 'token_endpoint_auth_method') ?? 'none';
  if (method === 'none') return method;
  if (method === 'client_secret_basic' || method === 'client_secret_post') {
    if (rules.allowConfidential) return method;
    throw metadataProblem('token_endpoint_auth_method', 'must be "none": only public clients may register');
  }
  throw metadataProblem(
    'token_endpoint_auth_method',
    'must be "none", "client_secret_basic" or "client_secret_post"',
  );
}

/** RFC 7591 §2.1: the grant types and response types must agree, and be ones this server serves. */
function checkGrantAndResponseTypes(body: Record<string, unknown>, rules: MetadataRules): void {
  const grants = stringList(body, 'grant_types') ?? [GRANT_TYPES.authorizationCode];
  const allowed: string[] = rules.refreshTokens
    ? [GRANT_TYPES.authorizationCode, GRANT_TYPES.refreshToken]
    : [GRANT_TYPES.authorizationCode];
  const other = grants.find((grant) => !allowed.includes(grant));
  if (other !== undefined) throw metadataProblem('grant_types', `may list only ${allowed.join(' and ')}`);
  if (!grants.includes(GRANT_TYPES.authorizationCode)) {
    throw metadataProblem('grant_types', `must include ${GRANT_TYPES.authorizationCode}`);
  }
  const responses = stringList(body, 'response_types') ?? ['code'];
  if (responses.length !== 1 || responses[0] !== 'code')
    throw metadataProblem('response_types', 'must be ["code"]');
}

/** `scope`: declared scopes users may hold, within the cap; absent: the cap itself. */
function scopesOf(body: Record<string, unknown>, rules: MetadataRules): string[] {
  const requested = optionalString(body, 'scope');
  const cap = rules.scopeCap;
  if (requested === null) return cap === null ? [] : [...cap];
  let scopes: string[];
  try {
    scopes = rules.scopes.parse(requested);
    rules.scopes.requireHeldBy(scopes, 'user');
  } catch {
    throw metadataProblem('scope', 'names a scope that is not declared, or not one a user may grant');
  }
  if (cap !== null && !rules.scopes.covers(cap, scopes)) {
    throw metadataProblem('scope', 'asks for more than this server lets registered clients have');
  }
  return rules.scopes.normalize(scopes);
}

/** `client_name` (default: the host of the first redirect URI, so the consent page names something). */
function nameOf(body: Record<string, unknown>, redirectUris: readonly string[]): string {
  const name = optionalString(body, 'client_name');
  if (name !== null) return name;
  const first = redirectUris[0];
  try {
    return first === undefined ? 'Unnamed application' : new URL(first).host || first.split(':')[0] || first;
  } catch {
    return 'Unnamed application';
  }
}

/** The field name of `checkApplicationInput` in RFC 7591 terms. */
function metadataField(field: string): string {
  return field
    .replace(/^redirectUris/, 'redirect_uris')
    .replace(/^homepageUrl$/, 'client_uri')
    .replace(/^name$/, 'client_name');
}

/**
 * Checks client metadata and returns the application it describes, or throws a
 * `ClientMetadataProblem`: `invalid_redirect_uri` for a redirect URI, `invalid_client_metadata`
 * for anything else (RFC 7591 §3.2.2).
 */
export function checkClientMetadata(body: unknown, rules: MetadataRules): CheckedClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw metadataProblem('body', 'must be a JSON object of client metadata');
  }
  const fields = body as Record<string, unknown>;
  const redirectUris = fields.redirect_uris;
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
    throw new ClientMetadataProblem(
      'redirect_uris',
      new InvalidRedirectUriError('redirect_uris must be a non-empty array of URIs'),
    );
  }
  const type = optionalString(fields, 'application_type');
  if (type !== null && type !== 'web' && type !== 'native') {
    throw metadataProblem('application_type', 'must be "web" or "native"');
  }
  const tokenEndpointAuthMethod = authMethod(fields, rules);
  checkGrantAndResponseTypes(fields, rules);
  const scopes = scopesOf(fields, rules);
  const clientUri = optionalString(fields, 'client_uri');
  const checked = checkApplicationInput(
    {
      name: nameOf(
        fields,
        redirectUris.filter((uri): uri is string => typeof uri === 'string'),
      ),
      homepageUrl: clientUri ?? undefined,
      redirectUris,
      confidential: tokenEndpointAuthMethod !== 'none',
      scopes,
    },
    { scopes: rules.scopes, allowHttpRedirectUris: rules.allowHttpRedirectUris },
    { homepageOptional: true },
  );
  if (!checked.ok) {
    const [problem] = checked.problems;
    const field = metadataField(problem?.field ?? 'body');
    const text = problem instanceof InvalidFieldError ? problemOf(problem) : 'is invalid';
    const error = field.startsWith('redirect_uris')
      ? new InvalidRedirectUriError(`${field} ${text}`)
      : new InvalidClientMetadataError(`${field} ${text}`);
    throw new ClientMetadataProblem(field, error);
  }
  const input = checked.value;
  if (type !== null) {
    const index = applicationTypeProblem(type, input.redirectUris);
    if (index >= 0) {
      const rule =
        type === 'web'
          ? 'must use https for a web application'
          : 'must be a loopback or private-use URI for a native application';
      throw new ClientMetadataProblem(
        `redirect_uris[${index}]`,
        new InvalidRedirectUriError(`redirect_uris[${index}] ${rule}`),
      );
    }
  }
  return { input, tokenEndpointAuthMethod, applicationType: type };
}
