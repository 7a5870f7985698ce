import { matchRedirectUri } from '../clients/redirect-uri';
import {
  InvalidRequestError,
  InvalidScopeError,
  OAuthError,
  UnsupportedResponseTypeError,
} from '../errors/oauth-error';
import { isValidPkceValue } from '../grants/pkce';
import type { GrantTypeRegistry } from '../grants/registry';
import type { Parameters } from '../http/parse-body';
import { message } from '../messages/catalog';
import type { ResolvedOptions } from '../options/resolve-options';
import type { RedirectTarget } from '../respond/redirect';
import { parseAuthorizationDetails } from '../scopes/authorization-details';
import { normalizeSelected } from '../scopes/resource-access';
import type { ApplicationRecord, ResourceSelection } from '../storage/storage-adapter';

/** An authorization request whose client and redirect URI have been verified (RFC 6749 §4.1.1). */
export interface VerifiedClient {
  client: ApplicationRecord;
  target: RedirectTarget;
  /** Whether `redirect_uri` was sent (then the token request must repeat it, §4.1.3). */
  redirectUriSent: boolean;
}

/** The `prompt` values this provider honours (OpenID Connect Core §3.1.2.1). */
export type Prompt = 'none' | 'login' | 'consent';

/** A fully validated authorization request. */
export interface AuthorizationRequest extends VerifiedClient {
  /** `code`, or `token` for the implicit grant when it is enabled. */
  responseType: 'code' | 'token';
  scopes: string[];
  /**
   * RFC 9396: the resources the request's `authorization_details` named per scope (they
   * pre-select the consent page); `null` when it named none.
   */
  resourceSelection: ResourceSelection | null;
  /** RFC 8707 §2: the resources named with `resource`, as declared; empty when none was sent. */
  resources: string[];
  /** What the client asked of the user: no page at all, a new login, the consent page again. */
  prompt: ReadonlySet<Prompt>;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
}

/** The parameters a consent form posts back; everything else is dropped. */
export const AUTHORIZATION_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'authorization_details',
  'resource',
] as const;

/**
 * Step one, before anything else (RFC 6749 §4.1.2.1 and DESIGN): the client must exist and the
 * redirect URI must match a registered one exactly. Failures are never redirected (the address is
 * not trusted), so they are not `redirectable`; the endpoint shows them as an HTML page.
 */
export async function verifyClientAndRedirect(
  params: Parameters,
  options: ResolvedOptions,
  grantTypes: GrantTypeRegistry,
  findClient: (clientId: string) => Promise<ApplicationRecord | null>,
): Promise<VerifiedClient> {
  const clientId = params.client_id;
  if (clientId === undefined || clientId === '')
    throw new InvalidRequestError(message('problem.missingParameter', { name: 'client_id' }));
  const client = await findClient(clientId);
  if (client === null) throw new OAuthError('invalid_client', 400, message('problem.unknownClient'));
  const requested = params.redirect_uri;
  let redirectUri: string | null;
  if (requested === undefined) {
    // §3.1.2.3: without redirect_uri, only a client with exactly one registered URI can be served.
    redirectUri = client.redirectUris.length === 1 ? (client.redirectUris[0] ?? null) : null;
    if (redirectUri === null)
      throw new InvalidRequestError(message('problem.missingParameter', { name: 'redirect_uri' }));
  } else {
    redirectUri = matchRedirectUri(client.redirectUris, requested);
    if (redirectUri === null) {
      throw new InvalidRequestError(message('problem.redirectUriMismatch'));
    }
  }
  // RFC 6749 §4.2.2.1: implicit errors travel in the fragment, like its tokens.
  const responseMode = grantTypes.responseType(params.response_type ?? '')?.responseType?.mode ?? 'query';
  return {
    client,
    redirectUriSent: requested !== undefined,
    target: { redirectUri, state: params.state, issuer: options.issuer, responseMode },
  };
}

const PROMPTS: ReadonlySet<string> = new Set<Prompt>(['none', 'login', 'consent']);

function isPrompt(value: string): value is Prompt {
  return PROMPTS.has(value);
}

/**
 * OpenID Connect Core §3.1.2.1 `prompt`, which OAuth clients send too: a space-separated list of
 * `login` and `consent`, or `none` alone. Anything else is `invalid_request`.
 */
export function parsePrompt(value: string | undefined, errorOptions = { redirectable: true }): Set<Prompt> {
  const prompt = new Set<Prompt>();
  for (const item of (value ?? '').split(' ')) {
    if (item === '') continue;
    if (!isPrompt(item)) {
      throw new InvalidRequestError(
        message('problem.unsupportedPrompt', { value: item.slice(0, 32) }),
        errorOptions,
      );
    }
    prompt.add(item);
  }
  if (prompt.has('none') && prompt.size > 1) {
    throw new InvalidRequestError(message('problem.promptNoneAlone'), errorOptions);
  }
  return prompt;
}

/** Step two: errors from here on are sent to the verified redirect URI (RFC 6749 §4.1.2.1). */
export function validateAuthorizationRequest(
  params: Parameters,
  verified: VerifiedClient,
  options: ResolvedOptions,
  grantTypes: GrantTypeRegistry,
): AuthorizationRequest {
  const redirectable = { redirectable: true };
  const responseType = params.response_type;
  if (responseType === undefined || responseType === '') {
    throw new InvalidRequestError(
      message('problem.missingParameter', { name: 'response_type' }),
      redirectable,
    );
  }
  // Each response type belongs to an enabled grant: `code` to authorization_code, `token` to implicit.
  const answered = grantTypes.responseType(responseType)?.responseType;
  if (answered === undefined) {
    // Not echoed: the value is the sender's text, and the answer may be a page.
    throw new UnsupportedResponseTypeError(message('problem.unsupportedResponseType'), redirectable);
  }
  const implicit = answered.type === 'token';
  const prompt = parsePrompt(params.prompt);
  const requested = options.scopes.parse(params.scope ?? '', redirectable);
  // RFC 9396 §2, §3: authorization_details add the scopes their actions map to, and name resources.
  const details =
    params.authorization_details === undefined
      ? null
      : parseAuthorizationDetails(options.scopes, params.authorization_details, redirectable);
  const named = [...requested, ...(details?.scopes ?? [])];
  const normalized = normalizeSelected(
    options.scopes,
    named.length > 0 ? named : options.defaultScopes,
    details?.resourceSelection ?? null,
  );
  const { scopes, resourceSelection } = normalized;
  // RFC 9700 §4.15: a user authorizes only scopes users may hold; client-held ones are for client_credentials.
  options.scopes.requireHeldBy(scopes, 'user', redirectable);
  const { client } = verified;
  if (client.scopes.length > 0 && !options.scopes.covers(client.scopes, scopes)) {
    throw new InvalidScopeError(message('problem.scopeNotAllowed'), redirectable);
  }
  // RFC 8707 §2: each `resource` an absolute URI naming a declared resource, else invalid_target.
  const resources = options.resources.parse(params.resource, redirectable);
  const base = { ...verified, scopes, resources, resourceSelection, prompt };

  if (implicit) return { ...base, responseType: 'token', codeChallenge: null, codeChallengeMethod: null };

  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  if (challenge === undefined) {
    if (method !== undefined)
      throw new InvalidRequestError(message('problem.methodWithoutChallenge'), redirectable);
    if (!client.confidential || options.requirePkce === 'all') {
      throw new InvalidRequestError(message('problem.pkceRequired'), redirectable);
    }
    return { ...base, responseType: 'code', codeChallenge: null, codeChallengeMethod: null };
  }
  // RFC 7636 §4.3: the method defaults to "plain", which we accept only when enabled.
  const resolvedMethod = method ?? 'plain';
  if (resolvedMethod !== 'S256' && !(resolvedMethod === 'plain' && options.allowPlainPkce)) {
    throw new InvalidRequestError(message('problem.pkceMethod'), redirectable);
  }
  if (!isValidPkceValue(challenge)) {
    throw new InvalidRequestError(message('problem.pkceChallengeFormat'), redirectable);
  }
  return { ...base, responseType: 'code', codeChallenge: challenge, codeChallengeMethod: resolvedMethod };
}
