import type { RequestHandler } from 'express';
import type { StorageAdapter } from '../../adapters/storage-adapter';
import { basicFailure, presentedClient } from '../clients/client-credentials';
import { OAuthError } from '../errors/oauth-error';
import { grantHandlerFor } from '../grants/grant-registry';
import { asyncHandler } from '../http/async-handler';
import { allowCors } from '../http/cors';
import { readParameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationService } from '../services/application-service';
import type { TokenService } from '../services/token-service';
import { sendTokenResponse } from './token-response';

export interface TokenEndpointServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  applications: ApplicationService;
  tokens: TokenService;
}

/**
 * `POST /oauth/token` (RFC 6749 §3.2): read the parameters (form or JSON), authenticate the client
 * (Basic or body; confidential clients always need their secret, PKCE or not), run the grant, and
 * answer with tokens.
 */
export function exchangeToken(services: TokenEndpointServices): RequestHandler {
  const { options, adapter, applications, tokens } = services;
  const setCors = allowCors(options.corsOrigins);
  return asyncHandler(async function exchangeToken(req, res) {
    setCors(req, res);
    const params = await readParameters(req, options.bodyLimit);
    const handler = grantHandlerFor(params.grant_type, options.grantTypes);
    const presented = presentedClient(req, params);
    let client: Awaited<ReturnType<ApplicationService['authenticate']>>;
    try {
      client = await applications.authenticate(presented.clientId, presented.clientSecret);
    } catch (error) {
      // RFC 6749 §5.2: a client that tried Basic gets a Basic challenge back.
      if (
        error instanceof OAuthError &&
        error.code === 'invalid_client' &&
        presented.method === 'client_secret_basic'
      ) {
        throw basicFailure(error.description);
      }
      throw error;
    }
    const issued = await handler({ client, params, options, adapter, tokens, now: new Date() });
    sendTokenResponse(req, res, issued);
  });
}
