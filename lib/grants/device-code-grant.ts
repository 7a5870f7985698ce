import { decisionHash } from '../device/device-records';
import {
  AccessDeniedError,
  AuthorizationPendingError,
  ExpiredTokenError,
  InvalidGrantError,
  InvalidRequestError,
  SlowDownError,
} from '../errors/oauth-error';
import { sha256Hex } from '../tokens/hash';
import type { GrantContext } from './grant-context';

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code. Pending until the user decides
 * (`slow_down` when it polls faster than the interval), then tokens once, or `access_denied`.
 * The device code is consumed atomically after the tokens are stored, so it is redeemed once.
 */
export async function deviceCodeGrant({ client, params, options, adapter, tokens, now }: GrantContext) {
  const deviceCode = params.device_code;
  if (deviceCode === undefined || deviceCode === '')
    throw new InvalidRequestError('Missing parameter: device_code');
  if (options.tokens.parse(deviceCode) !== 'device')
    throw new InvalidGrantError('The device code is invalid');
  const hash = sha256Hex(deviceCode);
  const device = await adapter.findTokenByHash(hash);
  if (
    device === null ||
    device.kind !== 'device' ||
    device.applicationId !== client.id ||
    device.revokedAt !== null
  ) {
    throw new InvalidGrantError('The device code is invalid');
  }
  if (device.consumedAt !== null) throw new InvalidGrantError('The device code has already been used');
  if (device.expiresAt !== null && device.expiresAt.getTime() <= now.getTime()) throw new ExpiredTokenError();

  const decision = await adapter.findTokenByHash(decisionHash(device.id));
  if (decision === null) {
    const lastPoll = device.lastUsedAt;
    await adapter.touchToken(device.id, now);
    if (lastPoll !== null && now.getTime() - lastPoll.getTime() < options.devicePollInterval * 1000) {
      throw new SlowDownError();
    }
    throw new AuthorizationPendingError();
  }
  if (decision.revokedAt !== null || decision.userId === null) {
    throw new AccessDeniedError('The user denied the device', { status: 400 });
  }
  const withRefresh = options.grantTypes.has('refresh_token') && options.accessTokenTtl !== null;
  const issued = await tokens.issueTokens(
    {
      applicationId: client.id,
      userId: decision.userId,
      grantId: decision.grantId,
      familyId: device.id,
      scopes: decision.scopes,
    },
    withRefresh,
    now,
  );
  const consumed = await adapter.consumeToken('device', hash, now, 0);
  if (consumed?.outcome !== 'consumed') {
    // Lost a race with a concurrent poll: withdraw only what this request stored. The family
    // includes the winner's tokens, and a redeemed device code polled again is not a replay.
    await tokens.revokeRecords(issued.records, now);
    throw new InvalidGrantError('The device code has already been used');
  }
  return issued;
}
