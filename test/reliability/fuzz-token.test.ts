/**
 * Property-based fuzzing of POST /oauth/token: any grant type (real and junk), near-valid and junk
 * parameters, every encoding and content type, every way a client authenticates, mixed with valid
 * requests of each grant with one change, so the grants' own checks are reached too.
 *
 * Shared generators: fuzz/arbitraries.ts; the provider and the properties: fuzz/harness.ts. A fixed
 * number of runs from the run's seed: the same requests every run.
 */
import fc from 'fast-check';
import { DEVICE_GRANT, REDIRECT_URI } from '../support/fixtures';
import { basicAuth } from '../support/oauth';
import { stringField } from '../support/user-agent';
import {
  type BodyStyle,
  bodyStyle,
  clientAuthorization,
  type Entries,
  encode,
  junkJson,
  junkString,
  parameters,
  redirectUris,
  SCOPE_VALUES,
  tokenLike,
  verifierLike,
} from './fuzz/arbitraries';
import {
  checkJson,
  freshCredentials,
  fuzz,
  type Generated,
  setUpFuzzing,
  tokenResponseProblem,
} from './fuzz/harness';

const fuzzing = setUpFuzzing('token');

describe('fuzzing POST /oauth/token (memory adapter)', () => {
  it('POST /oauth/token: any grant type, parameters, encoding and client authentication', async () => {
    const { agent, confidential, publicClient, send } = fuzzing();
    const live = await freshCredentials(fuzzing(), 'fuzz-token', 24);
    // Pools the property adds to as it goes: a successful refresh hands out a new refresh token.
    const refreshPool = live.refresh.map((token) => ({
      token,
      client: token === live.refresh[0] ? confidential : publicClient,
    }));
    const devicePool: string[] = [];
    for (const client of [confidential, publicClient]) {
      const fields: Record<string, string> = { scope: 'user' };
      const headers: Record<string, string> = {};
      if (client.clientSecret === null) fields.client_id = client.clientId;
      else headers.authorization = basicAuth(client.clientId, client.clientSecret);
      const device = await agent.send('/oauth/device/code', { form: fields, headers });
      devicePool.push(stringField(device, 'device_code') ?? '');
    }
    const grantTypes = fc.oneof(
      {
        arbitrary: fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT),
        weight: 8,
      },
      {
        arbitrary: fc.constantFrom(
          'password',
          'implicit',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
          'AUTHORIZATION_CODE',
          'refresh_token ',
        ),
        weight: 2,
      },
      { arbitrary: junkString, weight: 1 },
    );
    const codes = live.codes.map((entry) => entry.code);
    const params = parameters({
      grant_type: grantTypes,
      code: tokenLike(codes),
      refresh_token: tokenLike(live.refresh),
      redirect_uri: redirectUris,
      code_verifier: fc.oneof(verifierLike, fc.constantFrom(...live.codes.map((entry) => entry.verifier))),
      client_id: fc.constantFrom(confidential.clientId, publicClient.clientId, ''),
      client_secret: fc.constantFrom(confidential.clientSecret ?? '', 'wrong'),
      scope: SCOPE_VALUES,
      device_code: tokenLike([...devicePool, ...codes]),
      username: junkString,
      password: junkString,
    });
    const chaotic = fc
      .tuple(params, bodyStyle, clientAuthorization(confidential, publicClient))
      .map(([entries, style, authorization]): Generated => {
        const { body, headers } = encode(entries, style);
        if (authorization !== null) headers.authorization = authorization;
        return { method: 'POST', path: '/oauth/token', headers, body };
      });

    // A valid request of each grant, with at most one change: a parameter dropped, replaced by
    // junk or repeated, or the body sent as JSON. These reach the grants' own checks, and succeed.
    const change = fc.record({
      kind: fc.constantFrom('none', 'none', 'drop', 'junk', 'junk', 'repeat', 'json'),
      at: fc.nat(),
      junk: junkJson,
      which: fc.nat(),
    });
    const valid = fc
      .tuple(
        fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT),
        change,
      )
      .map(([grant, { kind, at, junk, which }]): Generated => {
        let client = confidential;
        const entries: Entries = [['grant_type', grant]];
        if (grant === 'authorization_code') {
          const pair = live.codes[which % live.codes.length];
          if (pair !== undefined) {
            client = pair.client;
            entries.push(
              ['code', pair.code],
              ['redirect_uri', REDIRECT_URI],
              ['code_verifier', pair.verifier],
            );
          }
        } else if (grant === 'refresh_token') {
          const held = refreshPool[refreshPool.length - 1 - (which % Math.min(3, refreshPool.length))];
          if (held !== undefined) {
            client = held.client;
            entries.push(['refresh_token', held.token]);
          }
        } else if (grant === DEVICE_GRANT) {
          const index = which % devicePool.length;
          client = index === 0 ? confidential : publicClient;
          entries.push(['device_code', devicePool[index] ?? '']);
        } else entries.push(['scope', 'user']);
        if (client.clientSecret === null) entries.push(['client_id', client.clientId]);
        const target = entries[at % entries.length];
        if (kind === 'drop' && target !== undefined) entries.splice(entries.indexOf(target), 1);
        if (kind === 'junk' && target !== undefined) target[1] = junk;
        if (kind === 'repeat' && target !== undefined) entries.push(target);
        const style: BodyStyle = {
          encoding: kind === 'json' ? 'json' : 'form',
          contentType: null,
          raw: '',
          accept: null,
        };
        const { body, headers } = encode(entries, style);
        if (client.clientSecret !== null)
          headers.authorization = basicAuth(client.clientId, client.clientSecret);
        return { method: 'POST', path: '/oauth/token', headers, body };
      });

    await fuzz(
      fc.oneof({ arbitrary: chaotic, weight: 3 }, { arbitrary: valid, weight: 2 }),
      600,
      async (request) => {
        const answer = await send('POST /oauth/token', request);
        checkJson(request, answer, tokenResponseProblem);
        const rotated = stringField(answer, 'refresh_token');
        const basic = request.headers.authorization === undefined ? publicClient : confidential;
        if (answer.status === 200 && rotated !== undefined)
          refreshPool.push({ token: rotated, client: basic });
      },
    );
  });
});
