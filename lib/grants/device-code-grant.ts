import { deviceRoutes } from '../endpoints/device-routes';
import {
  AccessDeniedError,
  AuthorizationPendingError,
  ExpiredTokenError,
  InvalidGrantError,
  InvalidRequestError,
  SlowDownError,
} from '../errors/oauth-error';
import type { GrantDescriptor, GrantRequest } from './grant-type';
import { GRANT_TYPES } from './grant-type-names';

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code. Pending until the user decides
 * (`slow_down` when it polls faster than the interval), then tokens once, or `access_denied`.
 * The device code is consumed atomically after the tokens are stored, so it is redeemed once.
 */
async function pollDeviceCode(request: GrantRequest) {
  const { client, params, provider, now } = request;
  const { tokens, devices, options } = provider;
  const deviceCode = params.device_code;
  if (deviceCode === undefined || deviceCode === '')
    throw new InvalidRequestError('Missing parameter: device_code');
  const presented = await tokens.findPresented(deviceCode, ['device'], now, client.id);
  if (presented === null || presented.state === 'revoked')
    throw new InvalidGrantError('The device code is invalid');
  if (presented.state === 'consumed') throw new InvalidGrantError('The device code has already been used');
  if (presented.state === 'expired') throw new ExpiredTokenError();
  const device = presented.record;

  const decision = await devices.findDecision(device);
  if (decision === null) {
    const lastPoll = device.lastUsedAt;
    await devices.recordPoll(device, now);
    if (lastPoll !== null && now.getTime() - lastPoll.getTime() < options.devicePollInterval * 1000) {
      throw new SlowDownError();
    }
    throw new AuthorizationPendingError();
  }
  // A denial has no grant (older providers revoked it instead).
  if (decision.revokedAt !== null || decision.userId === null || decision.grantId === null) {
    throw new AccessDeniedError('The user denied the device', { status: 400 });
  }
  const redeemed = await tokens.redeem(presented, now, 0, () =>
    request.issue({
      userId: decision.userId,
      grantId: decision.grantId,
      familyId: device.id,
      scopes: decision.scopes,
      resourceSelection: decision.resourceSelection,
    }),
  );
  if (!redeemed.won) {
    // Lost a race with a concurrent poll: withdraw only what this request stored. The family
    // includes the winner's tokens, and a redeemed device code polled again is not a replay.
    await tokens.revokeRecords(redeemed.issued.records, now);
    throw new InvalidGrantError('The device code has already been used');
  }
  return redeemed.issued;
}

export const deviceCodeGrant: GrantDescriptor = {
  name: GRANT_TYPES.deviceCode,
  parameters: ['device_code'],
  handler: pollDeviceCode,
  issuesRefreshTokens: true,
  routes: deviceRoutes,
  metadata: (endpoints) => ({ device_authorization_endpoint: `${endpoints}/device/code` }),
};
