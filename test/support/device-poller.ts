/**
 * A device (a CLI, a TV) for the end-to-end device flow test, run as its own process so it shares
 * nothing with the server but HTTP:
 *
 *   node --import tsx test/support/device-poller.ts <provider url> <client_id> [scope]
 *
 * RFC 8628 §3.1 it asks for a device code and prints the user code; §3.4 it polls the token
 * endpoint every `interval` seconds, §3.5 keeps polling on `authorization_pending` and adds 5
 * seconds to its interval on `slow_down`; then it calls `GET /api/user` with the access token.
 * It prints one JSON object per line: `{ "user_code", "verification_uri", ... }`, one
 * `{ "poll": <error code>, "interval" }` per unsuccessful poll, and finally `{ "user": … }`
 * (exit 0) or `{ "error": … }` (exit 1).
 */

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
}

async function postForm(
  url: string,
  form: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: await response.json() };
}

async function main(): Promise<void> {
  const [providerUrl, clientId, scope = 'user'] = process.argv.slice(2);
  if (providerUrl === undefined || clientId === undefined) {
    throw new Error('usage: device-poller.ts <provider url> <client_id> [scope]');
  }
  const metadataResponse = await fetch(`${providerUrl}/.well-known/oauth-authorization-server`);
  const metadata: unknown = await metadataResponse.json();
  const deviceEndpoint = field(metadata, 'device_authorization_endpoint');
  const tokenEndpoint = field(metadata, 'token_endpoint');
  if (typeof deviceEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    throw new Error('the provider does not advertise the device flow');
  }

  const authorization = await postForm(deviceEndpoint, { client_id: clientId, scope });
  const deviceCode = field(authorization.body, 'device_code');
  const expiresIn = field(authorization.body, 'expires_in');
  const advertised = field(authorization.body, 'interval');
  if (authorization.status !== 200 || typeof deviceCode !== 'string' || typeof expiresIn !== 'number') {
    throw new Error(
      `device authorization failed: ${authorization.status} ${JSON.stringify(authorization.body)}`,
    );
  }
  // §3.2: 5 seconds when the server names no interval.
  const interval = typeof advertised === 'number' ? advertised : 5;
  print({
    user_code: field(authorization.body, 'user_code'),
    verification_uri: field(authorization.body, 'verification_uri'),
    verification_uri_complete: field(authorization.body, 'verification_uri_complete'),
    interval,
  });

  const deadline = Date.now() + expiresIn * 1000;
  let wait = interval;
  while (Date.now() < deadline) {
    await sleep(wait);
    const poll = await postForm(tokenEndpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: deviceCode,
      client_id: clientId,
    });
    const accessToken = field(poll.body, 'access_token');
    if (poll.status === 200 && typeof accessToken === 'string') {
      const api = await fetch(`${providerUrl}/api/user`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      print({ scope: field(poll.body, 'scope'), status: api.status, user: await api.json() });
      return;
    }
    const error = field(poll.body, 'error');
    if (error === 'slow_down') wait += 5;
    else if (error !== 'authorization_pending')
      throw new Error(`polling failed: ${JSON.stringify(poll.body)}`);
    print({ poll: error, interval: wait });
  }
  throw new Error('the device code expired before the user decided');
}

main().catch((error: unknown) => {
  print({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
