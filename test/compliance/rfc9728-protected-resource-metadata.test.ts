/**
 * RFC 9728 (OAuth 2.0 protected resource metadata): §3 the document at
 * `/.well-known/oauth-protected-resource` with the resource's path inserted (§3.1; the root form
 * for an origin resource), §2 its fields (`resource`, `authorization_servers`, `scopes_supported`,
 * `bearer_methods_supported`, `resource_name`), §3.3 `resource` identical to the identifier;
 * readable cross-origin (CORS `*`, a preflight allowing `MCP-Protocol-Version`); §4 the
 * authorization server lists its resources (`protected_resources`); RFC 8414 §3.1 the
 * authorization server's metadata of an issuer with a path.
 */
import express from 'express';
import request from 'supertest';
import { ISSUER } from '../support/fixtures';
import { createTestHost } from '../support/test-host';
import { UserAgent } from '../support/user-agent';

const API = `${ISSUER}/api`;
const MCP = `${ISSUER}/mcp`;
const ORIGIN = 'https://files.example/';
const RESOURCES = {
  [API]: { name: 'Demo API', scopes: ['user', 'repo'] },
  [MCP]: { name: 'MCP server', scopes: ['public_repo'], audienceRequired: true },
  [ORIGIN]: { scopes: ['gist'] },
};

describe('RFC 9728 §3: the protected-resource metadata documents', () => {
  it('§3.1: each resource on the issuer origin at the well-known suffix with its path inserted', async () => {
    const t = await createTestHost({ resources: RESOURCES });
    const mcp = await t.client.send('/.well-known/oauth-protected-resource/mcp');
    expect(mcp.status).toBe(200);
    expect(mcp.headers['content-type']).toMatch(/^application\/json/);
    expect(mcp.body).toEqual({
      // §3.3: identical to the resource identifier the metadata is for.
      resource: MCP,
      authorization_servers: [ISSUER],
      scopes_supported: ['public_repo'],
      // RFC 6750 §2: header always; body and query because the provider accepts them by default.
      bearer_methods_supported: ['header', 'body', 'query'],
      resource_name: 'MCP server',
    });
    const api = await t.client.send('/.well-known/oauth-protected-resource/api');
    expect(api.body).toMatchObject({
      resource: API,
      scopes_supported: ['user', 'repo'],
      resource_name: 'Demo API',
    });
  });

  it('bearer_methods_supported follows allowQueryAccessToken and allowBodyAccessToken', async () => {
    const t = await createTestHost({
      resources: RESOURCES,
      allowQueryAccessToken: false,
      allowBodyAccessToken: false,
    });
    const answer = await t.client.send('/.well-known/oauth-protected-resource/mcp');
    expect(answer.body.bearer_methods_supported).toEqual(['header']);
  });

  it('a resource without a path (an origin): the root form, served where that origin mounts metadataRouter', async () => {
    const t = await createTestHost({ resources: RESOURCES });
    // Not the issuer's origin: provider.router does not claim its documents.
    expect((await t.client.send('/.well-known/oauth-protected-resource')).status).toBe(404);
    const files = t.provider.protectedResource(ORIGIN);
    expect(files.metadataUrl).toBe('https://files.example/.well-known/oauth-protected-resource');
    const app = express();
    app.use(files.metadataRouter);
    const answer = await request(app).get('/.well-known/oauth-protected-resource');
    expect(answer.status).toBe(200);
    // Declared with its trailing slash: `resource` is the identifier as declared; no resource_name.
    expect(answer.body).toEqual({
      resource: ORIGIN,
      authorization_servers: [ISSUER],
      scopes_supported: ['gist'],
      bearer_methods_supported: ['header', 'body', 'query'],
    });
  });

  it('an undeclared path is not found (no document for a resource that is not declared)', async () => {
    const t = await createTestHost({ resources: RESOURCES });
    expect((await t.client.send('/.well-known/oauth-protected-resource/other')).status).toBe(404);
    expect((await t.client.send('/.well-known/oauth-protected-resource/mcp/extra')).status).toBe(404);
  });

  it('without the resources option there is no document at all', async () => {
    const t = await createTestHost();
    expect((await t.client.send('/.well-known/oauth-protected-resource')).status).toBe(404);
  });

  it('CORS: any origin may read it; the preflight allows MCP-Protocol-Version', async () => {
    const t = await createTestHost({ resources: RESOURCES });
    const answer = await t.client.send('/.well-known/oauth-protected-resource/mcp', {
      headers: { origin: 'https://inspector.example' },
    });
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    const preflight = await t.client.send('/.well-known/oauth-protected-resource/mcp', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://inspector.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'mcp-protocol-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toContain('GET');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'mcp-protocol-version',
    );
  });

  it('§5.1: a guard challenge points at the document, and the document it points at answers', async () => {
    const t = await createTestHost({ resources: RESOURCES, listen: true });
    const mcp = t.provider.protectedResource(MCP);
    t.app.get('/mcp', mcp.authenticate(), (_req, res) => res.json({}));
    const refused = await t.client.send('/mcp');
    const challenge = String(refused.headers['www-authenticate']);
    const pointed = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(pointed).toBe(`${ISSUER}/.well-known/oauth-protected-resource/mcp`);
    // The test host's issuer is not its loopback URL: follow the path on the host itself.
    const document = await new UserAgent(t.url ?? '', null).send(new URL(pointed ?? '').pathname);
    expect(document.body.resource).toBe(MCP);
  });
});

describe('RFC 9728 §4: the authorization server metadata lists the resources', () => {
  it('protected_resources holds every declared resource identifier', async () => {
    const t = await createTestHost({ resources: RESOURCES });
    const metadata = (await t.client.send('/.well-known/oauth-authorization-server')).body;
    expect(metadata.protected_resources).toEqual([API, MCP, ORIGIN]);
  });

  it('absent without resources', async () => {
    const t = await createTestHost();
    const metadata = (await t.client.send('/.well-known/oauth-authorization-server')).body;
    expect(metadata).not.toHaveProperty('protected_resources');
  });
});

describe('RFC 8414 §3.1: an issuer with a path', () => {
  it('the metadata is also at the well-known suffix inserted before the path, and says the same', async () => {
    const issuer = `${ISSUER}/tenant/one`;
    const t = await createTestHost({ issuer });
    const inserted = await t.client.send('/.well-known/oauth-authorization-server/tenant/one');
    expect(inserted.status).toBe(200);
    expect(inserted.body.issuer).toBe(issuer);
    expect(inserted.headers['access-control-allow-origin']).toBe('*');
    const plain = await t.client.send('/.well-known/oauth-authorization-server');
    expect(inserted.body).toEqual(plain.body);
    expect((await t.client.send('/.well-known/oauth-authorization-server/tenant')).status).toBe(404);
  });

  it('an issuer without a path has only the plain form', async () => {
    const t = await createTestHost();
    expect((await t.client.send('/.well-known/oauth-authorization-server/oauth')).status).toBe(404);
  });

  it('its preflight allows MCP-Protocol-Version too', async () => {
    const t = await createTestHost();
    const preflight = await t.client.send('/.well-known/oauth-authorization-server', {
      method: 'OPTIONS',
      headers: { origin: 'https://inspector.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'mcp-protocol-version',
    );
  });
});
