import { InvalidFieldError } from '../errors/invalid-field-error';
import { InvalidRequestError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { ScopeRegistry } from '../scopes/scope-registry';
import { type FieldCheck, ProblemCollector, requireScopes, requireText, requireUrl } from './fields';

/** An application as a user registers it (settings) or host code creates it (`applications.create`). */
export interface ApplicationInput {
  /** 1 to 100 characters, shown on the consent page. */
  name: string;
  /** An absolute http(s) URL, linked from the consent page. */
  homepageUrl: string;
  /**
   * 1 to 20 absolute URLs: https, or http on a loopback host, or (public clients only) a
   * private-use scheme in reverse-domain form (`com.example.app:/oauth2redirect`, RFC 8252 §7.1);
   * no fragment, no credentials.
   */
  redirectUris: string[];
  /** A confidential client gets a secret; a public one must use PKCE. Default `true`. */
  confidential: boolean;
  /** The declared scopes the application may ask for; empty allows every declared scope. */
  scopes: string[];
}

/**
 * What an edit may change. `confidential` cannot change after registration; giving it with its
 * current value is allowed (forms and JSON clients send back what they read).
 */
export type ApplicationUpdate = Partial<ApplicationInput>;

/** The configuration the checks depend on (`provider.options` is one). */
export interface ApplicationRules {
  scopes: ScopeRegistry;
  /** Let plain `http:` redirect URIs through for non-loopback hosts (the `allowHttpRedirectUris` option). */
  allowHttpRedirectUris: boolean;
}

/** Redirect URIs one application may register. */
export const MAX_REDIRECT_URIS = 20;

function fieldsOf(input: unknown): Readonly<Record<string, unknown>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError('An application must be an object with name, homepageUrl and redirectUris');
  }
  return input as Readonly<Record<string, unknown>>;
}

/**
 * RFC 8252 §7.1: a private-use URI scheme in reverse-domain form (`com.example.app:/oauth2redirect`),
 * which a native app claims. The dot the form requires keeps out `javascript:`, `data:`, `file:`
 * and every other scheme a browser would act on itself.
 */
const PRIVATE_USE_REDIRECT = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:\/[^\s#]*$/;

/** Whether a (checked) redirect URI uses a private-use scheme rather than http(s). */
export function isPrivateUseRedirect(uri: string): boolean {
  return PRIVATE_USE_REDIRECT.test(uri);
}

/** An absolute http(s) URL as `requireUrl` has it, or a private-use one without credentials. */
function redirectUriSyntax(field: string, value: unknown, allowHttp: boolean): string {
  const text = requireText(field, value, 2000);
  if (!PRIVATE_USE_REDIRECT.test(text)) return requireUrl(field, text, allowHttp);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidFieldError(field, message('field.absoluteUrl'));
  }
  if (url.username !== '' || url.password !== '')
    throw new InvalidFieldError(field, message('field.credentials'));
  return text;
}

function redirectUris(value: unknown, allowHttp: boolean): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidFieldError('redirectUris', message('field.redirectUriList'));
  }
  if (value.length > MAX_REDIRECT_URIS) {
    throw new InvalidFieldError(
      'redirectUris',
      message('field.tooManyRedirectUris', { max: MAX_REDIRECT_URIS }),
    );
  }
  return [...new Set(value.map((uri, i) => redirectUri(`redirectUris[${i}]`, uri, allowHttp)))];
}

/**
 * The parameters the authorization server adds to a redirect (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207
 * §2): a registered URI carrying one in its query would let the client read a value it did not get
 * from us, or hide ours (RFC 9700 §4.1).
 */
const RESPONSE_PARAMETERS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss'] as const;

function redirectUri(field: string, value: unknown, allowHttp: boolean): string {
  const uri = redirectUriSyntax(field, value, allowHttp);
  const query = new URL(uri).searchParams;
  const carried = RESPONSE_PARAMETERS.find((name) => query.has(name));
  if (carried !== undefined) {
    throw new InvalidFieldError(field, message('field.responseParameter', { name: carried }));
  }
  return uri;
}

/**
 * RFC 8252 §7.1 / §8.6: private-use scheme redirects are for public (native) clients. A
 * confidential client must use https (or loopback http), where the host is verifiable. The
 * problem names the first offending URI, or `null`.
 */
export function privateUseProblem(uris: readonly string[], confidential: boolean): InvalidFieldError | null {
  if (!confidential) return null;
  const index = uris.findIndex(isPrivateUseRedirect);
  return index < 0
    ? null
    : new InvalidFieldError(`redirectUris[${index}]`, message('field.privateUseConfidential'));
}

function confidential(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidFieldError('confidential', message('field.boolean'));
  return value;
}

/** How strict the checks are beyond the rules; host configuration may leave out the homepage. */
export interface InputPolicy {
  /** An absent homepage is `''` instead of a problem (configured clients). */
  homepageOptional?: boolean;
}

/** The checks of each field, in the order forms show them. */
function fieldChecks(rules: ApplicationRules, policy: InputPolicy = {}) {
  return {
    name: (value: unknown) => requireText('name', value, 100),
    homepageUrl: (value: unknown) =>
      value === undefined && policy.homepageOptional === true ? '' : requireUrl('homepageUrl', value, true),
    redirectUris: (value: unknown) => redirectUris(value, rules.allowHttpRedirectUris),
    confidential,
    scopes: (value: unknown) => requireScopes('scopes', value, rules.scopes),
  } satisfies { [K in keyof ApplicationInput]: (value: unknown) => ApplicationInput[K] };
}

/**
 * The one validator of applications: the JSON API, the HTML forms and `applications.create()`
 * all run it. Reports every field's first problem; field names are `ApplicationInput`'s.
 *
 * @example
 * ```ts
 * const checked = checkApplicationInput(
 *   { name: 'CI', homepageUrl: 'https://ci.example', redirectUris: ['http://ci.example/cb'], confidential: true, scopes: [] },
 *   provider.options,
 * );
 * // checked.ok === false; checked.problems[0].field === 'redirectUris[0]' (must use https)
 * ```
 */
export function checkApplicationInput(
  input: unknown,
  rules: ApplicationRules,
  policy: InputPolicy = {},
): FieldCheck<ApplicationInput> {
  const fields = fieldsOf(input);
  const check = fieldChecks(rules, policy);
  const problems = new ProblemCollector();
  const name = problems.field(() => check.name(fields.name), '');
  const homepageUrl = problems.field(() => check.homepageUrl(fields.homepageUrl), '');
  const confidential = problems.field(() => check.confidential(fields.confidential ?? true), true);
  const uris = problems.field(() => {
    const checked = check.redirectUris(fields.redirectUris);
    const problem = privateUseProblem(checked, confidential);
    if (problem !== null) throw problem;
    return checked;
  }, []);
  const scopes = problems.field(() => check.scopes(fields.scopes), []);
  return problems.result({ name, homepageUrl, redirectUris: uris, confidential, scopes });
}

/** `checkApplicationInput` for an edit: only the fields given are checked and kept. */
export function checkApplicationUpdate(
  patch: unknown,
  rules: ApplicationRules,
): FieldCheck<ApplicationUpdate> {
  const fields = fieldsOf(patch);
  const check = fieldChecks(rules);
  const problems = new ProblemCollector();
  const update: ApplicationUpdate = {};
  if (fields.name !== undefined) update.name = problems.field(() => check.name(fields.name), '');
  if (fields.homepageUrl !== undefined)
    update.homepageUrl = problems.field(() => check.homepageUrl(fields.homepageUrl), '');
  if (fields.redirectUris !== undefined)
    update.redirectUris = problems.field(() => check.redirectUris(fields.redirectUris), []);
  if (fields.confidential !== undefined)
    update.confidential = problems.field(() => check.confidential(fields.confidential), true);
  if (fields.scopes !== undefined) update.scopes = problems.field(() => check.scopes(fields.scopes), []);
  return problems.result(update);
}
