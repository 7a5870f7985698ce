import { MemoryAdapter } from '../../adapters/memory';
import { ConfigurationError, type ProviderOptions } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';

function valid(): ProviderOptions {
  return {
    adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
    issuer: 'https://issuer.example/',
    scopes: {
      repo: { description: 'Repositories', includes: ['public_repo'] },
      public_repo: { description: 'Public' },
    },
    currentUser: () => null,
    loginUrl: '/login',
  };
}

function configurationErrorOf(change: Record<string, unknown>): ConfigurationError {
  const input: unknown = { ...valid(), ...change };
  try {
    resolveOptions(input as ProviderOptions);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error(`resolveOptions accepted ${JSON.stringify(Object.keys(change))}`);
}

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveOptions(valid());
    expect(resolved.issuer).toBe('https://issuer.example');
    expect(resolved.basePath).toBe('/oauth');
    expect(resolved.accessTokenTtl).toBe(7200);
    expect(resolved.authorizationCodeTtl).toBe(600);
    expect(resolved.refreshTokenReuseGraceSeconds).toBe(0);
    expect(resolved.allowQueryAccessToken).toBe(true);
    expect(resolved.allowPlainPkce).toBe(false);
    expect(resolved.requirePkce).toBe('public');
    expect([...resolved.grantTypes].sort()).toEqual([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
    expect(resolved.realm).toBe('issuer.example');
    expect(resolved.secureCookies).toBe(true);
    expect(resolved.tokens.prefix('access')).toBe('eoa_');
  });

  it('accepts null lifetimes for non-expiring tokens', () => {
    const resolved = resolveOptions({ ...valid(), accessTokenTtl: null, refreshTokenTtl: null });
    expect(resolved.accessTokenTtl).toBeNull();
    expect(resolved.refreshTokenTtl).toBeNull();
  });

  it('refuses a missing options object', () => {
    expect(() => resolveOptions(null as unknown as ProviderOptions)).toThrow(ConfigurationError);
  });

  it.each<[string, Record<string, unknown>]>([
    ['adapter', { adapter: undefined }],
    ['adapter', { adapter: {} }],
    ['adapter', { adapter: { ...new MemoryAdapter({ purgeIntervalMs: 0 }), findTokenByHash: 1 } }],
    ['issuer', { issuer: undefined }],
    ['issuer', { issuer: 'not a url' }],
    ['issuer', { issuer: 'ftp://issuer.example' }],
    ['issuer', { issuer: 'https://issuer.example/?tenant=1' }],
    ['issuer', { issuer: 'https://issuer.example/#x' }],
    ['scopes', { scopes: undefined }],
    ['scopes', { scopes: {} }],
    ['scopes.bad scope', { scopes: { 'bad scope': { description: 'x' } } }],
    ['scopes.a,b', { scopes: { 'a,b': { description: 'x' } } }],
    ['scopes.repo.description', { scopes: { repo: { description: '' } } }],
    ['scopes.repo.description', { scopes: { repo: {} } }],
    ['scopes.repo.includes', { scopes: { repo: { description: 'x', includes: ['ghost'] } } }],
    ['defaultScopes', { defaultScopes: ['ghost'] }],
    ['currentUser', { currentUser: undefined }],
    ['currentUser', { currentUser: 'alice' }],
    ['loginUrl', { loginUrl: undefined }],
    ['loginUrl', { loginUrl: '' }],
    ['findUser', { findUser: 42 }],
    ['renderConsent', { renderConsent: 'template' }],
    ['csrfSecret', { csrfSecret: 'short' }],
    ['grantTypes', { grantTypes: ['magic_link'] }],
    ['authorizationCodeTtl', { authorizationCodeTtl: 601 }],
    ['authorizationCodeTtl', { authorizationCodeTtl: 0 }],
    ['authorizationCodeTtl', { authorizationCodeTtl: 1.5 }],
    ['refreshTokenReuseGraceSeconds', { refreshTokenReuseGraceSeconds: -1 }],
    ['refreshTokenReuseGraceSeconds', { refreshTokenReuseGraceSeconds: 301 }],
    ['refreshTokenReuseGraceSeconds', { refreshTokenReuseGraceSeconds: '30' }],
    ['requirePkce', { requirePkce: 'never' }],
    ['tokenNamespace', { tokenNamespace: 'EO' }],
    ['tokenNamespace', { tokenNamespace: 'toolongname' }],
    ['tokenNamespace', { tokenNamespace: '' }],
    ['bodyLimit', { bodyLimit: 10 }],
    ['bodyLimit', { bodyLimit: 'big' }],
    ['basePath', { basePath: 'oauth' }],
    ['basePath', { basePath: '/oauth/' }],
    ['basePath', { basePath: '/o auth' }],
    ['accessTokenTtl', { accessTokenTtl: 0 }],
    ['accessTokenTtl', { accessTokenTtl: -5 }],
    ['accessTokenTtl', { accessTokenTtl: '7200' }],
    ['refreshTokenTtl', { refreshTokenTtl: 2.5 }],
  ])('names the option %s when it is invalid', (option, change) => {
    const error = configurationErrorOf(change);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`"${option}"`);
    expect(error.name).toBe('ConfigurationError');
  });
});
