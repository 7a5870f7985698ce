import type { RequestHandler } from 'express';
import { authenticateClient } from '../clients/authenticate-client';
import { InvalidRequestError } from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import { asyncHandler } from '../http/async-handler';
import { allowCors } from '../http/cors';
import { readParameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationService } from '../services/application-service';
import type { StorageAdapter } from '../storage/storage-adapter';
import { sha256Hex } from '../tokens/hash';

export interface RevocationServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  applications: ApplicationService;
  events: ProviderEvents;
}

/**
 * `POST /oauth/revoke` (RFC 7009). The client authenticates; it may revoke only its own tokens.
 * The kind is read from the token's own prefix, so `token_type_hint` is accepted but never
 * trusted. Revoking a refresh token revokes every token of its grant (§2.1: the server SHOULD
 * also invalidate the access tokens of the same grant). Unknown, foreign or already revoked
 * tokens answer 200 like a success (§2.2), revealing nothing.
 */
export function revokeToken(services: RevocationServices): RequestHandler {
  const { options, adapter, applications, events } = services;
  const setCors = allowCors(options.corsOrigins);
  return asyncHandler(async function revokeToken(req, res) {
    setCors(req, res);
    const params = await readParameters(req, options.bodyLimit);
    const client = await authenticateClient(req, params, applications);
    const token = params.token;
    if (token === undefined || token === '') throw new InvalidRequestError('Missing parameter: token');
    const kind = options.tokens.parse(token);
    const record =
      kind === 'access' || kind === 'refresh' ? await adapter.findTokenByHash(sha256Hex(token)) : null;
    if (
      record !== null &&
      record.kind === kind &&
      record.applicationId === client.id &&
      record.revokedAt === null
    ) {
      const now = new Date();
      let filter: { id: string } | { grantId: string } | { familyId: string } = { id: record.id };
      if (record.kind === 'refresh') {
        filter =
          record.grantId !== null ? { grantId: record.grantId } : { familyId: record.familyId ?? record.id };
      }
      const count = await adapter.revokeTokens(filter, now);
      // Concurrent requests for one token all get here; only the one that revoked something reports it.
      if (count > 0) {
        events.emit('token.revoked', {
          reason: 'revocation_endpoint',
          clientId: client.clientId,
          userId: record.userId,
          count,
        });
      }
    }
    res.set('Cache-Control', 'no-store').status(200).end();
  });
}
