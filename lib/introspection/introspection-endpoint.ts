import type { RequestHandler } from 'express';
import { authenticateClient } from '../clients/authenticate-client';
import { InvalidClientError, InvalidRequestError } from '../errors/oauth-error';
import { asyncHandler } from '../http/async-handler';
import { readParameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationService } from '../services/application-service';
import { isLive } from '../services/token-service';
import type { ApplicationRecord, StorageAdapter, TokenRecord } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';

export interface IntrospectionServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  applications: ApplicationService;
}

/**
 * The kinds that can be introspected, with their `token_type`. RFC 7662 §2.2: that is the RFC 6749
 * §5.1 access token type (`bearer`, as the token response says), not a `token_type_hint` value; a
 * refresh token has none, so it is left out (as node-oidc-provider does) and a resource server
 * that checks `token_type` never takes a refresh token for an access token.
 */
const TOKEN_TYPES: Partial<Record<TokenRecord['kind'], 'bearer' | null>> = {
  access: 'bearer',
  refresh: null,
  personal: 'bearer',
};

/**
 * `POST /oauth/introspect` (RFC 7662). The caller authenticates as a confidential client; it sees
 * a token as active only if it is live and `canIntrospect(caller, token)` allows it (default: the
 * token was issued to the caller). Everything else is `{ "active": false }` (§2.2), so the answer
 * never tells a foreign token from an unknown one.
 */
export function introspectToken(services: IntrospectionServices): RequestHandler {
  const { options, adapter, applications } = services;
  return asyncHandler(async function introspectToken(req, res) {
    const params = await readParameters(req, options.bodyLimit);
    const caller = await authenticateClient(req, params, applications);
    if (!caller.confidential) throw new InvalidClientError('Introspection requires a confidential client');
    const token = params.token;
    if (token === undefined || token === '') throw new InvalidRequestError('Missing parameter: token');
    res.set('Cache-Control', 'no-store');
    const now = new Date();
    const kind = options.tokens.parse(token);
    const record =
      kind === null || kind === 'client_secret' ? null : await adapter.findTokenByHash(sha256Hex(token));
    const tokenType = record === null ? undefined : TOKEN_TYPES[record.kind];
    if (record === null || record.kind !== kind || tokenType === undefined || !isLive(record, now)) {
      res.json({ active: false });
      return;
    }
    if (!(await options.canIntrospect(caller, record))) {
      res.json({ active: false });
      return;
    }
    res.json(await describeActiveToken(record, tokenType, caller, services));
  });
}

async function describeActiveToken(
  record: TokenRecord,
  tokenType: 'bearer' | null,
  caller: ApplicationRecord,
  { options, adapter }: IntrospectionServices,
): Promise<Record<string, unknown>> {
  const client =
    record.applicationId === caller.id
      ? caller
      : record.applicationId === null
        ? null
        : await adapter.findApplicationById(record.applicationId);
  const user =
    record.userId === null ? null : options.findUser ? await options.findUser(record.userId) : null;
  const username = typeof user?.username === 'string' ? user.username : undefined;
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
  };
}
