import type { Request } from 'express';
import { OAuthError } from '../errors/oauth-error';
import type { Parameters } from '../http/parse-body';
import type { ApplicationService } from '../services/application-service';
import type { ApplicationRecord } from '../storage/storage-adapter';
import { basicFailure, presentedClient } from './client-credentials';

/**
 * Client authentication for the token, revocation, introspection and device endpoints
 * (RFC 6749 §2.3): HTTP Basic or body credentials; a confidential client always needs its
 * secret. A client that tried Basic gets a Basic challenge back on failure (§5.2).
 */
export async function authenticateClient(
  req: Request,
  params: Parameters,
  applications: ApplicationService,
): Promise<ApplicationRecord> {
  const presented = presentedClient(req, params);
  try {
    return await applications.authenticate(presented.clientId, presented.clientSecret);
  } catch (error) {
    if (
      error instanceof OAuthError &&
      error.code === 'invalid_client' &&
      presented.method === 'client_secret_basic'
    ) {
      throw basicFailure(error.description);
    }
    throw error;
  }
}
