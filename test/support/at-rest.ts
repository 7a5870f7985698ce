/**
 * DESIGN "Tokens and secrets at rest", for any adapter: the example provider issues one of
 * everything (client secrets from registration and from a reset, an authorization code with its
 * PKCE verifier, access and refresh tokens, a refresh rotation, a client_credentials token, a
 * personal access token, a device code and its user code); the suite then reads every record of
 * its database raw, through the driver, and {@link expectOnlyHashesAtRest} searches them for each
 * secret, for its random part without the prefix, and for that part without its checksum. As a
 * check that the right data was read, each stored hash must be found.
 */
import { createHash } from 'node:crypto';
import * as deviceFlow from './device-flow';
import type { ExampleHost } from './example-host';
import * as flows from './flows';
import { hiddenFields } from './html';
import { pkcePair } from './oauth';
import { field } from './user-agent';

/** One secret the provider handed out; `hashStored`: its SHA-256 must be in the database. */
export interface IssuedSecret {
  name: string;
  value: string;
  hashStored: boolean;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Logs in as alice at `host` and has it issue one secret of every kind; returns them all. */
export async function issueOneOfEverything(host: ExampleHost): Promise<IssuedSecret[]> {
  const alice = host.browser();
  await flows.login(alice);
  const secrets: IssuedSecret[] = [];
  const issued = (name: string, value: string, hashStored = true) => {
    secrets.push({ name, value, hashStored });
    return value;
  };

  const app = await flows.registerViaApi(alice, { confidential: true });
  // The reset secret replaces the first one: even its hash is gone.
  issued('client secret (registration)', app.clientSecret ?? '', false);
  const reset = await alice.send(`/settings/api/applications/${app.id}/secret`, {
    method: 'POST',
    headers: { 'x-requested-with': 'fetch' },
  });
  expect(reset.status).toBe(200);
  const client = { ...app, clientSecret: issued('client secret (reset)', field(reset, 'client_secret')) };
  expect(client.clientSecret).toMatch(/^eos_/);

  // Only the challenge is stored (base64url, not hex): neither the verifier nor its hex hash.
  const pkce = pkcePair();
  const { code, verifier } = await flows.authorizeCode(alice, { client, scope: 'user repo', pkce });
  issued('authorization code', code);
  issued('PKCE verifier', pkce.verifier, false);
  const exchanged = await flows.exchange(alice, client, { code, verifier });
  expect(exchanged.status).toBe(200);
  issued('access token (code exchange)', field(exchanged, 'access_token'));
  const refreshToken = issued('refresh token (code exchange)', field(exchanged, 'refresh_token'));

  const rotated = await flows.refresh(alice, client, refreshToken);
  expect(rotated.status).toBe(200);
  issued('access token (refresh)', field(rotated, 'access_token'));
  issued('refresh token (rotated)', field(rotated, 'refresh_token'));

  const machine = await flows.token(alice, client, { grant_type: 'client_credentials', scope: 'ci:status' });
  expect(machine.status).toBe(200);
  issued('access token (client_credentials)', field(machine, 'access_token'));

  const personal = await alice.send('/settings/api/tokens', {
    json: { name: 'deploy', scopes: ['repo', 'gist'], expires_in: 3600 },
  });
  expect(personal.status).toBe(201);
  const personalToken = issued('personal access token', field(personal, 'token'));
  expect((await flows.callApi(alice, '/api/user', personalToken)).status).toBe(200);

  // RFC 8628: a device code and the user code typed at /oauth/device (stored as a hash of a
  // derived string, so it is checked by value only).
  const device = await flows.postAsClient(alice, '/oauth/device/code', client, { scope: 'user' });
  expect(device.status).toBe(200);
  issued('device code', field(device, 'device_code'));
  const userCode = issued('user code', field(device, 'user_code'), false);
  const page = await alice.send(`/oauth/device?user_code=${encodeURIComponent(userCode)}`);
  expect(page.status).toBe(200);
  const decided = await alice.send('/oauth/device', {
    form: { ...hiddenFields(page.text), decision: 'approve' },
  });
  expect(decided.status).toBe(200);
  const polled = await deviceFlow.pollDevice(alice, client, field(device, 'device_code'));
  expect(polled.status).toBe(200);
  issued('access token (device flow)', field(polled, 'access_token'));
  if (typeof polled.body.refresh_token === 'string')
    issued('refresh token (device flow)', polled.body.refresh_token);
  return secrets;
}

/**
 * No secret, nor its random part (with or without checksum), in any of `records` (one line per
 * stored record); each secret with `hashStored` there as its SHA-256 hex digest, the others not.
 */
export function expectOnlyHashesAtRest(secrets: readonly IssuedSecret[], records: readonly string[]): void {
  expect(records.length).toBeGreaterThanOrEqual(secrets.length);
  const leaks: string[] = [];
  for (const { name, value, hashStored } of secrets) {
    expect(value.length).toBeGreaterThanOrEqual(9);
    // Only the provider's own secrets (the ones stored as hashes) have a `<prefix>_` before their
    // random part; a PKCE verifier is base64url, where `_` is just a character (one near its end
    // left a two-letter "random part" that any row contains).
    const underscore = hashStored ? value.indexOf('_') : -1;
    const forms = new Map<string, string>([['the secret', value]]);
    if (underscore > 0) {
      const random = value.slice(underscore + 1);
      forms.set('its random part', random);
      forms.set('its random part without checksum', random.slice(0, 32));
    } else {
      forms.set('without separators', value.replace(/[^A-Za-z0-9]/g, ''));
    }
    for (const [form, text] of forms) {
      const at = records.find((record) => record.includes(text));
      if (at !== undefined) leaks.push(`${name}: ${form} found in ${at.slice(0, 120)}`);
    }
  }
  expect(leaks).toEqual([]);

  // The right data was searched: every live secret is there, as its SHA-256 hex digest.
  const everything = records.join('\n');
  for (const { name, value, hashStored } of secrets) {
    expect({ name, hashStored: everything.includes(sha256(value)) }).toEqual({ name, hashStored });
  }
}
