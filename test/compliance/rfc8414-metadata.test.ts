/**
 * RFC 8414 (authorization server metadata): §3 the well-known URI, §2 the fields, §3.3 the issuer
 * must be identical to the configured one; DESIGN: it lists exactly what is enabled.
 */
import request from 'supertest';
import { ISSUER } from '../support/fixtures';
import { createTestHost } from '../support/test-host';

const WELL_KNOWN = '/.well-known/oauth-authorization-server';

describe('RFC 8414 §3: GET /.well-known/oauth-authorization-server', () => {
  it('answers JSON with the §2 fields for the default configuration', async () => {
    const { app } = await createTestHost();
    const response = await request(app).get(WELL_KNOWN);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const metadata = response.body;
    // §2: issuer REQUIRED, https, no query or fragment; §3.3: identical to the configured issuer.
    expect(metadata.issuer).toBe(ISSUER);
    expect(metadata.authorization_endpoint).toBe(`${ISSUER}/oauth/authorize`);
    expect(metadata.token_endpoint).toBe(`${ISSUER}/oauth/token`);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.scopes_supported).toEqual(['user', 'repo', 'public_repo', 'gist', 'ci:status']);
    expect([...metadata.grant_types_supported].sort()).toEqual([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
    );
    // RFC 7636 §6.2 registers this field; plain is off by default.
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    // RFC 9207 §3.
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('lists exactly what is enabled: plain PKCE, fewer grants, another base path', async () => {
    const { app } = await createTestHost({
      allowPlainPkce: true,
      grantTypes: ['authorization_code'],
      basePath: '/auth',
    });
    const metadata = (await request(app).get(WELL_KNOWN)).body;
    expect(metadata.code_challenge_methods_supported).toEqual(['S256', 'plain']);
    expect(metadata.grant_types_supported).toEqual(['authorization_code']);
    expect(metadata.authorization_endpoint).toBe(`${ISSUER}/auth/authorize`);
    expect(metadata.token_endpoint).toBe(`${ISSUER}/auth/token`);
  });

  it('advertises only endpoints that answer', async () => {
    const { app } = await createTestHost();
    const metadata = (await request(app).get(WELL_KNOWN)).body as Record<string, unknown>;
    const endpoints = Object.entries(metadata).filter(([key]) => key.endsWith('_endpoint'));
    expect(endpoints.length).toBeGreaterThanOrEqual(2);
    for (const [key, value] of endpoints) {
      const path = new URL(String(value)).pathname;
      const method = key === 'authorization_endpoint' ? 'get' : 'post';
      const response = await request(app)[method](path);
      expect({ key, status: response.status }).not.toEqual({ key, status: 404 });
    }
  });

  it('drops a trailing slash of the configured issuer, so iss and metadata agree', async () => {
    const { app } = await createTestHost({ issuer: 'https://issuer.example/' });
    const metadata = (await request(app).get(WELL_KNOWN)).body;
    expect(metadata.issuer).toBe('https://issuer.example');
    expect(metadata.token_endpoint).toBe('https://issuer.example/oauth/token');
  });
});
