import { InvalidScopeError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { EndpointCall } from './endpoint-call';

/** RFC 8628 §3.1: the scopes asked for (the defaults without `scope`), each one a user may grant. */
function requestedScopes({ params, provider, client }: EndpointCall): string[] {
  const { scopes: registry, defaultScopes } = provider.options;
  const requested = registry.parse(params.scope ?? '');
  const scopes = registry.normalize(requested.length > 0 ? requested : defaultScopes);
  // RFC 9700 §4.15: a user decides a device's request, so only scopes users hold.
  registry.requireHeldBy(scopes, 'user');
  if (client.scopes.length > 0 && !registry.covers(client.scopes, scopes)) {
    throw new InvalidScopeError('The requested scope is not allowed for this client');
  }
  return scopes;
}

/**
 * RFC 8628 §5.2 (and the flood an anonymous caller could cause with a public `client_id`): a client
 * starts at most `limits.deviceCodesPerClient` device authorizations per device code lifetime,
 * so at most twice that many are outstanding at any time. Only a request that would start one
 * spends from it: a refused one stores nothing.
 */
async function spendDeviceCodeBudget({ provider, client }: EndpointCall): Promise<void> {
  const { clientId } = client;
  await provider.limiter.consume(
    'device_code.outstanding',
    { kind: 'client', value: clientId, clientId },
    message('problem.tooManyDeviceCodes'),
  );
}

/**
 * `POST /oauth/device/code` (RFC 8628 §3.1–3.2), after the shared opening: a device asks to be
 * authorized and gets a device code to poll with and a short user code for the user to enter at
 * `verification_uri`.
 */
export async function startDeviceAuthorization(call: EndpointCall): Promise<void> {
  const { res, provider, client } = call;
  const { options, devices } = provider;
  const scopes = requestedScopes(call);
  await spendDeviceCodeBudget(call);
  const { deviceCode, userCode } = await devices.start(client, scopes, new Date());
  const verificationUri = `${options.issuer}${options.basePath}/device`;
  res.json({
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
    expires_in: options.deviceCodeTtl,
    interval: options.devicePollInterval,
  });
}
