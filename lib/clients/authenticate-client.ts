import { ClientAuthenticationError, OAuthError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { ProviderContext } from '../provider-context';
import type { ApplicationRecord } from '../storage/storage-adapter';
import { basicFailure, type PresentedClient } from './client-credentials';

/** The limit on failed client authentications, counted per presented `client_id`. */
const FAILURES = 'client_authentication.failures';
const TOO_MANY_FAILURES = message('problem.tooManyClientAuthentications');

/**
 * Client authentication for the token, revocation, introspection and device endpoints
 * (RFC 6749 §2.3): HTTP Basic or body credentials; a confidential client always needs its
 * secret. A client that tried Basic gets a Basic challenge back on failure (§5.2).
 *
 * Against guessing secrets (RFC 6749 §10.10, RFC 9700 §4.16): every failure is an event and counts
 * against the presented `client_id`; past the limit that client is refused with 429 — right
 * secret or not — until its block ends.
 */
export async function authenticateClient(
  presented: PresentedClient,
  provider: ProviderContext,
): Promise<ApplicationRecord> {
  const { limiter, applications, events } = provider;
  const key = {
    kind: 'client',
    value: presented.clientId,
    clientId: presented.clientId.slice(0, 128),
  } as const;
  // Synchronous for counters in process memory: no await on the hot path then.
  const blocked = limiter.refuseIfBlocked(FAILURES, key, TOO_MANY_FAILURES);
  if (blocked !== undefined) await blocked;
  try {
    return await applications.authenticate(presented.clientId, presented.clientSecret);
  } catch (error) {
    if (error instanceof ClientAuthenticationError) {
      events.emit('client.authentication_failed', {
        clientId: key.clientId,
        method: presented.method,
        reason: error.reason,
      });
      await limiter.consume(FAILURES, key, TOO_MANY_FAILURES);
    }
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
