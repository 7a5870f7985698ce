/**
 * RFC 8414 §2 (authorization server metadata) lists exactly what a configuration enables (DESIGN),
 * with the fields other RFCs register there: RFC 7009 §5.1 / RFC 7662 §4.1 (revocation and
 * introspection endpoints), RFC 8628 §4 (`device_authorization_endpoint`), RFC 7636 §6.2
 * (`code_challenge_methods_supported`). And every endpoint the metadata names answers.
 */
import request from 'supertest';
import { createExampleHost } from '../support/example-host';
import { DEVICE_GRANT, ISSUER } from '../support/fixtures';
import { createTestHost, type HostOptions } from '../support/test-host';

const WELL_KNOWN = '/.well-known/oauth-authorization-server';

async function metadataOf(options: HostOptions = {}): Promise<Record<string, unknown>> {
  const { app } = await createTestHost(options);
  const response = await request(app).get(WELL_KNOWN);
  expect(response.status).toBe(200);
  return response.body as Record<string, unknown>;
}

const verifyPassword = () => null;

describe('RFC 8414 §2: required fields and the RFC 7009 / RFC 7662 endpoints', () => {
  it('issuer, authorization_endpoint, token_endpoint, response_types_supported, revocation and introspection', async () => {
    const metadata = await metadataOf();
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      response_types_supported: ['code'],
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
    });
    // RFC 7662 §2.1: introspection callers authenticate; public clients ("none") cannot.
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none');
    // RFC 7009 §2.1: public clients revoke with their client_id.
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('none');
  });

  it('every endpoint URL is under the issuer (§2: https URLs of this server)', async () => {
    const metadata = await metadataOf({ grantTypes: [...['authorization_code'], DEVICE_GRANT] });
    for (const [key, value] of Object.entries(metadata)) {
      if (key.endsWith('_endpoint')) expect(String(value).startsWith(`${ISSUER}/`)).toBe(true);
    }
  });
});

describe('RFC 8414 §2: exactly what is enabled', () => {
  it('device_authorization_endpoint (RFC 8628 §4) only when the device grant is on', async () => {
    const off = await metadataOf();
    expect(off).not.toHaveProperty('device_authorization_endpoint');
    expect(off.grant_types_supported).not.toContain(DEVICE_GRANT);

    const on = await metadataOf({ grantTypes: ['authorization_code', DEVICE_GRANT] });
    expect(on.device_authorization_endpoint).toBe(`${ISSUER}/oauth/device/code`);
    expect(on.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('response_type token (and the fragment response mode) only with the implicit grant', async () => {
    const off = await metadataOf();
    expect(off.response_types_supported).toEqual(['code']);
    expect(off.response_modes_supported ?? ['query']).not.toContain('fragment');
    expect(off.grant_types_supported).not.toContain('implicit');

    const on = await metadataOf({ grantTypes: ['authorization_code', 'implicit'] });
    expect(on.response_types_supported).toEqual(['code', 'token']);
    expect(on.response_modes_supported).toEqual(expect.arrayContaining(['query', 'fragment']));
    expect(on.grant_types_supported).toContain('implicit');
  });

  it('response_type code only with the authorization_code grant', async () => {
    const machines = await metadataOf({ grantTypes: ['client_credentials'] });
    expect(machines.response_types_supported).toEqual([]);
    // §2: authorization_endpoint is REQUIRED "unless no grant types are supported that use" it.
    expect(machines).not.toHaveProperty('authorization_endpoint');
    expect(machines.token_endpoint).toBe(`${ISSUER}/oauth/token`);

    const implicitOnly = await metadataOf({ grantTypes: ['implicit'] });
    expect(implicitOnly.response_types_supported).toEqual(['token']);
    expect(implicitOnly.authorization_endpoint).toBe(`${ISSUER}/oauth/authorize`);
  });

  it('plain PKCE only with allowPlainPkce', async () => {
    expect((await metadataOf()).code_challenge_methods_supported).toEqual(['S256']);
    expect((await metadataOf({ allowPlainPkce: true })).code_challenge_methods_supported).toEqual([
      'S256',
      'plain',
    ]);
  });

  it.each([
    [['authorization_code']],
    [['authorization_code', 'refresh_token']],
    [['client_credentials']],
    [['authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit', DEVICE_GRANT]],
  ])('grant_types_supported is exactly grantTypes %j', async (grantTypes) => {
    const metadata = await metadataOf({ grantTypes, verifyPassword });
    expect([...(metadata.grant_types_supported as string[])].sort()).toEqual([...grantTypes].sort());
  });

  it('the default grant_types_supported are the default grantTypes (no password, implicit or device)', async () => {
    const metadata = await metadataOf();
    expect([...(metadata.grant_types_supported as string[])].sort()).toEqual([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
  });
});

describe("RFC 8414: the example provider's metadata", () => {
  const issuer = 'http://127.0.0.1:3999';

  it('lists the authorize, token, revoke, introspect and device endpoints', async () => {
    const { app } = await createExampleHost({ issuer });
    const response = await request(app).get(WELL_KNOWN);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      device_authorization_endpoint: `${issuer}/oauth/device/code`,
      response_types_supported: ['code'],
    });
    expect(response.body.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', DEVICE_GRANT]),
    );
  });

  it('every endpoint it lists answers (not 404), and so does the device verification page', async () => {
    const { app } = await createExampleHost({ issuer });
    const metadata = (await request(app).get(WELL_KNOWN)).body as Record<string, unknown>;
    const endpoints = Object.entries(metadata).filter(([key]) => key.endsWith('_endpoint'));
    expect(endpoints.map(([key]) => key).sort()).toEqual([
      'authorization_endpoint',
      'device_authorization_endpoint',
      'introspection_endpoint',
      // RFC 7591: the example lets MCP clients register themselves.
      'registration_endpoint',
      'revocation_endpoint',
      'token_endpoint',
    ]);
    for (const [key, value] of endpoints) {
      const path = new URL(String(value)).pathname;
      const response =
        key === 'authorization_endpoint'
          ? await request(app).get(path)
          : await request(app).post(path).type('form');
      expect({ key, status: response.status }).not.toEqual({ key, status: 404 });
      expect(response.status).toBeLessThan(500);
    }
    // RFC 8628 §3.2 verification_uri: redirects a visitor who is not logged in to the login page.
    const page = await request(app).get('/oauth/device');
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(/^\/login\?return_to=/);
  });
});
