import type { RequestHandler } from 'express';
import { authenticateClient } from '../clients/authenticate-client';
import type { ProviderEvents } from '../events/provider-events';
import { grantHandlerFor } from '../grants/grant-registry';
import { asyncHandler } from '../http/async-handler';
import { allowCors } from '../http/cors';
import { readParameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationService } from '../services/application-service';
import type { GrantService } from '../services/grant-service';
import type { TokenService } from '../services/token-service';
import type { StorageAdapter } from '../storage/storage-adapter';
import { sendTokenResponse } from './token-response';

export interface TokenEndpointServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  applications: ApplicationService;
  tokens: TokenService;
  events: ProviderEvents;
  grants: GrantService;
}

/**
 * `POST /oauth/token` (RFC 6749 §3.2): read the parameters (form or JSON), authenticate the client
 * (Basic or body; confidential clients always need their secret, PKCE or not), run the grant, and
 * answer with tokens.
 */
export function exchangeToken(services: TokenEndpointServices): RequestHandler {
  const { options, adapter, applications, tokens, events, grants } = services;
  const setCors = allowCors(options.corsOrigins);
  return asyncHandler(async function exchangeToken(req, res) {
    setCors(req, res);
    const params = await readParameters(req, options.bodyLimit);
    const handler = grantHandlerFor(params.grant_type, options.grantTypes);
    const client = await authenticateClient(req, params, applications);
    const issued = await handler({
      client,
      params,
      options,
      adapter,
      tokens,
      events,
      grants,
      now: new Date(),
    });
    const accessRecord = issued.records[0];
    const event = {
      clientId: client.clientId,
      userId: accessRecord?.userId ?? null,
      scopes: issued.scopes,
      accessTokenId: accessRecord?.id ?? '',
    };
    if (params.grant_type === 'refresh_token') events.emit('token.refreshed', event);
    else events.emit('token.issued', { ...event, grantType: params.grant_type ?? '' });
    sendTokenResponse(req, res, issued);
  });
}
