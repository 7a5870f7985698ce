import { inspect } from 'node:util';
import express from 'express';
import request from 'supertest';
import { MemoryAdapter } from '../../adapters/memory';
import { ConfigurationError, createProvider, type Provider, type ProviderOptions } from '../../lib';
import { createTestHost, type TestHost } from '../support/test-host';

const CSRF_SECRET = 'a-csrf-secret-only-the-server-knows';

function options(extra: Record<string, unknown> = {}): ProviderOptions {
  const input: unknown = {
    adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
    issuer: 'https://issuer.example',
    scopes: { repo: { description: 'Repositories' } },
    currentUser: () => null,
    loginUrl: '/login',
    csrfSecret: CSRF_SECRET,
    ...extra,
  };
  return input as ProviderOptions;
}

describe('provider.options', () => {
  /** On the adapter under test: its options must not show the adapter (nor a pool's connection string). */
  let host: TestHost;
  let provider: Provider;
  beforeAll(async () => {
    host = await createTestHost({ csrfSecret: CSRF_SECRET });
    provider = host.provider;
  });

  it('holds neither the CSRF key nor the storage adapter', () => {
    expect(Object.keys(provider.options)).not.toContain('csrfKey');
    expect(Object.keys(provider.options)).not.toContain('adapter');
    const key = Buffer.from(CSRF_SECRET, 'utf8');
    for (const printed of [inspect(provider.options, { depth: 5 }), JSON.stringify(provider.options)]) {
      expect(printed).not.toContain(CSRF_SECRET);
      expect(printed).not.toContain(key.toString('hex'));
      expect(printed).not.toContain(key.toString('base64'));
      expect(printed).not.toContain(host.adapter.constructor.name);
      expect(printed).not.toMatch(/postgres:\/\/|mongodb:\/\//);
    }
  });

  it('shows the resolved configuration', () => {
    expect(provider.options.issuer).toBe('https://issuer.example');
    expect(provider.options.basePath).toBe('/oauth');
    expect(provider.options.accessTokenTtl).toBe(7200);
    expect([...provider.options.grantTypes]).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
    ]);
    expect(provider.options.tokens.prefix('access')).toBe('eoa_');
  });

  it('is frozen, and changing a copy of its lists changes nothing the provider uses', async () => {
    expect(Object.isFrozen(provider.options)).toBe(true);
    expect(() => {
      (provider.options as { accessTokenTtl: number }).accessTokenTtl = 1;
    }).toThrow(TypeError);
    (provider.options.grantTypes as Set<string>).delete('client_credentials');
    const app = express().use(provider.router);
    const metadata = await request(app).get('/.well-known/oauth-authorization-server');
    expect(metadata.body.grant_types_supported).toContain('client_credentials');
  });
});

describe('corsOrigins', () => {
  it('refuses a string, which origin matching would have read as a substring list', () => {
    // Before the options schema, `corsOrigins: 'https://spa.example'` from a JavaScript host made
    // `origins.includes(origin)` a substring test: the origin `https://spa.exam` was allowed.
    expect(() => createProvider(options({ corsOrigins: 'https://spa.example' }))).toThrow(ConfigurationError);
    expect(() => createProvider(options({ corsOrigins: 'https://spa.example' }))).toThrow(/"corsOrigins"/);
  });

  it.each(['https://spa.exam', 'https://spa.example.evil', 'https://spa', 'http://spa.example'])(
    'allows only exact origins from a list: %s gets no Access-Control-Allow-Origin',
    async (origin) => {
      const app = express().use(createProvider(options({ corsOrigins: ['https://spa.example'] })).router);
      const refused = await request(app).options('/oauth/token').set('Origin', origin);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const allowed = await request(app).options('/oauth/token').set('Origin', 'https://spa.example');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://spa.example');
    },
  );
});
