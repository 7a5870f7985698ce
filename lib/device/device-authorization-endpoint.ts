import type { RequestHandler } from 'express';
import { authenticateClient } from '../clients/authenticate-client';
import { InvalidScopeError } from '../errors/oauth-error';
import { asyncHandler } from '../http/async-handler';
import { allowCors } from '../http/cors';
import { readParameters } from '../http/parse-body';
import type { ResolvedOptions } from '../options/resolve-options';
import type { ApplicationService } from '../services/application-service';
import type { TokenService } from '../services/token-service';
import type { StorageAdapter } from '../storage/storage-adapter';
import { generateUserCode, userCodeHash } from './device-records';

export interface DeviceServices {
  options: ResolvedOptions;
  adapter: StorageAdapter;
  applications: ApplicationService;
  tokens: TokenService;
}

/**
 * `POST /oauth/device/code` (RFC 8628 §3.1–3.2): a device asks to be authorized and gets a
 * device code to poll with and a short user code for the user to enter at `verification_uri`.
 */
export function authorizeDevice(services: DeviceServices): RequestHandler {
  const { options, adapter, applications, tokens } = services;
  const setCors = allowCors(options.corsOrigins);
  const verificationUri = `${options.issuer}${options.basePath}/device`;
  return asyncHandler(async function authorizeDevice(req, res) {
    setCors(req, res);
    const params = await readParameters(req, options.bodyLimit);
    const client = await authenticateClient(req, params, applications);
    const requested = options.scopes.parse(params.scope ?? '');
    const scopes = options.scopes.normalize(requested.length > 0 ? requested : options.defaultScopes);
    if (client.scopes.length > 0 && !options.scopes.covers(client.scopes, scopes)) {
      throw new InvalidScopeError('The requested scope is not allowed for this client');
    }
    const now = new Date();
    const subject = { applicationId: client.id, userId: null, grantId: null, familyId: null, scopes };
    const device = tokens.mint('device', subject, options.deviceCodeTtl, now);
    device.record.familyId = device.record.id;
    await adapter.insertToken(device.record);
    const userCode = generateUserCode();
    const userCodeRecord = tokens.mint(
      'device',
      { ...subject, familyId: device.record.id },
      options.deviceCodeTtl,
      now,
    ).record;
    // A clash of user codes is astronomically rare; the unique hash index turns it into a retryable 503.
    await adapter.insertToken({ ...userCodeRecord, hash: userCodeHash(userCode) });
    res.set('Cache-Control', 'no-store').json({
      device_code: device.secret,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: options.deviceCodeTtl,
      interval: options.devicePollInterval,
    });
  });
}
