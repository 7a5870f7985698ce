import { InvalidClientError, InvalidRequestError } from '../errors/oauth-error';
import { describeAuthorizationDetails } from '../scopes/authorization-details';
import type { ApplicationRecord, TokenKind, TokenRecord } from '../storage/storage-adapter';
import type { EndpointCall } from './endpoint-call';

/**
 * The kinds that can be introspected, with their `token_type`. RFC 7662 §2.2: that is the RFC 6749
 * §5.1 access token type (`bearer`, as the token response says), not a `token_type_hint` value; a
 * refresh token has none, so it is left out (as node-oidc-provider does) and a resource server
 * that checks `token_type` never takes a refresh token for an access token.
 */
const TOKEN_TYPES: Partial<Record<TokenKind, 'bearer' | null>> = {
  access: 'bearer',
  refresh: null,
  personal: 'bearer',
};
const INTROSPECTABLE = Object.keys(TOKEN_TYPES) as TokenKind[];

/** RFC 7662 §2.1: the caller must be a confidential client (resource servers have secrets). */
export function requireConfidentialCaller({ client }: EndpointCall): void {
  if (!client.confidential) throw new InvalidClientError('Introspection requires a confidential client');
}

/**
 * `POST /oauth/introspect` (RFC 7662), after the shared opening: the caller sees a token as active
 * only if it is live and `canIntrospect(caller, token)` allows it (default: the token was issued to
 * the caller). Everything else is `{ "active": false }` (§2.2), so the answer never tells a
 * foreign token from an unknown one.
 */
export async function introspectToken(call: EndpointCall): Promise<void> {
  const { res, params, provider, client: caller } = call;
  const token = params.token;
  if (token === undefined || token === '') throw new InvalidRequestError('Missing parameter: token');
  const record = await provider.tokens.findLiveToken(token, INTROSPECTABLE);
  const tokenType = record === null ? undefined : TOKEN_TYPES[record.kind];
  if (record === null || tokenType === undefined || !(await provider.options.canIntrospect(caller, record))) {
    res.json({ active: false });
    return;
  }
  res.json(await describeActiveToken(call, record, tokenType, caller));
}

async function describeActiveToken(
  { provider }: EndpointCall,
  record: TokenRecord,
  tokenType: 'bearer' | null,
  caller: ApplicationRecord,
): Promise<Record<string, unknown>> {
  const { options, applications } = provider;
  const client =
    record.applicationId === caller.id
      ? caller
      : record.applicationId === null
        ? null
        : await applications.findById(record.applicationId);
  const user =
    record.userId === null ? null : options.findUser ? await options.findUser(record.userId) : null;
  const username = typeof user?.username === 'string' ? user.username : undefined;
  // RFC 9396 §9.2: what the token may do, as authorization details.
  const details = describeAuthorizationDetails(options.scopes, record.scopes, record.resourceSelection);
  return {
    active: true,
    scope: record.scopes.join(' '),
    client_id: client?.clientId,
    username,
    sub: record.userId ?? client?.clientId,
    token_type: tokenType ?? undefined,
    exp: record.expiresAt === null ? undefined : Math.floor(record.expiresAt.getTime() / 1000),
    iat: Math.floor(record.createdAt.getTime() / 1000),
    iss: options.issuer,
    authorization_details: details.length === 0 ? undefined : details,
    // RFC 7662 §2.2 / RFC 8707 §2: the resources the token is for; absent when none was named.
    aud: record.audience.length === 0 ? undefined : [...record.audience],
  };
}
