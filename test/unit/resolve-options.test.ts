import { MemoryAdapter } from '../../adapters/memory';
import { ConfigurationError, createProvider, DEFAULTS, type ProviderOptions } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';
import { OPTION_NAMES, SCHEMA } from '../../lib/options/schema';
import { closestName, editDistance } from '../../lib/options/unknown-options';

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
    // createProvider, not resolveOptions alone: what a grant needs (password: verifyPassword) is
    // checked when the grant registry is built.
    createProvider(input as ProviderOptions);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error(`createProvider accepted ${JSON.stringify(Object.keys(change))}`);
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
    ['scopes.ci.holders', { scopes: { ci: { description: 'x', holders: [] } } }],
    ['scopes.ci.holders', { scopes: { ci: { description: 'x', holders: ['robot'] } } }],
    ['scopes.ci.holders', { scopes: { ci: { description: 'x', holders: ['client', 'client'] } } }],
    ['scopes.ci.holders', { scopes: { ci: { description: 'x', holders: 'client' } } }],
    ['defaultScopes', { scopes: { ci: { description: 'x', holders: ['client'] } }, defaultScopes: ['ci'] }],
    ['errorRedirects', { errorRedirects: 'never' }],
    ['clients', { clients: {} }],
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
    ['deviceCodeTtl', { deviceCodeTtl: 0 }],
    ['devicePollInterval', { devicePollInterval: '5' }],
    ['defaultScopes', { defaultScopes: 'repo' }],
    ['grantTypes', { grantTypes: 'authorization_code' }],
    ['scopes.repo.includes', { scopes: { repo: { description: 'x', includes: 'public_repo' } } }],
    // Passed unchecked before the options schema: now each has a check.
    ['allowQueryAccessToken', { allowQueryAccessToken: 'false' }],
    ['allowBodyAccessToken', { allowBodyAccessToken: 0 }],
    ['allowPlainPkce', { allowPlainPkce: 'yes' }],
    ['secureCookies', { secureCookies: 'true' }],
    ['allowHttpRedirectUris', { allowHttpRedirectUris: 1 }],
    ['corsOrigins', { corsOrigins: 'https://spa.example' }],
    ['corsOrigins', { corsOrigins: ['https://spa.example/'] }],
    ['corsOrigins', { corsOrigins: ['https://spa.example/app'] }],
    ['corsOrigins', { corsOrigins: ['spa.example'] }],
    ['corsOrigins', { corsOrigins: [42] }],
    ['returnToParameter', { returnToParameter: '' }],
    ['returnToParameter', { returnToParameter: 'return to' }],
    ['returnToParameter', { returnToParameter: 7 }],
    ['realm', { realm: '' }],
    ['realm', { realm: 'say "hi"' }],
    ['realm', { realm: 'back\\slash' }],
    ['realm', { realm: 'line\nbreak' }],
    ['onError', { onError: 'console' }],
    ['canIntrospect', { canIntrospect: true }],
    ['verifyPassword', { verifyPassword: {} }],
    ['verifyPassword', { grantTypes: ['password'] }],
  ])('names the option %s when it is invalid', (option, change) => {
    const error = configurationErrorOf(change);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`"${option}"`);
    expect(error.name).toBe('ConfigurationError');
  });

  it('accepts the values the new checks allow', () => {
    const resolved = resolveOptions({
      ...valid(),
      corsOrigins: ['https://spa.example', 'http://127.0.0.1:5173', 'chrome-extension://abcdef'],
      realm: 'My API',
      returnToParameter: 'next',
      secureCookies: false,
      allowHttpRedirectUris: true,
      onError: () => {},
    });
    expect(resolved.corsOrigins).toEqual([
      'https://spa.example',
      'http://127.0.0.1:5173',
      'chrome-extension://abcdef',
    ]);
    expect(resolved.realm).toBe('My API');
    expect(resolved.returnToParameter).toBe('next');
    expect(resolved.secureCookies).toBe(false);
    expect(resolved.allowHttpRedirectUris).toBe(true);
  });
});

describe('unknown options', () => {
  it('refuses a misspelt option, naming it and the option it resembles', () => {
    const error = configurationErrorOf({ accesTokenTtl: 60 });
    expect(error.option).toBe('accesTokenTtl');
    expect(error.message).toBe(
      'express-oauth-provider: option "accesTokenTtl" is not an option of createProvider(); did you mean "accessTokenTtl"?',
    );
  });

  it.each([
    ['refreshTokenTTL', 'refreshTokenTtl'],
    ['basepath', 'basePath'],
    ['scope', 'scopes'],
    ['grantType', 'grantTypes'],
    ['onerror', 'onError'],
    ['allowHttpRedirectUri', 'allowHttpRedirectUris'],
  ])('suggests %s → %s', (typo, meant) => {
    expect(configurationErrorOf({ [typo]: true }).message).toContain(`did you mean "${meant}"?`);
  });

  it('refuses a key that resembles no option without a guess', () => {
    const error = configurationErrorOf({ database: 'postgres://x' });
    expect(error.option).toBe('database');
    expect(error.message).toBe(
      'express-oauth-provider: option "database" is not an option of createProvider()',
    );
  });

  it('refuses an unknown key even when its value is undefined (a spread of the wrong object)', () => {
    expect(configurationErrorOf({ accesTokenTtl: undefined }).option).toBe('accesTokenTtl');
  });

  it('is what createProvider() throws', () => {
    const input: unknown = { ...valid(), accesTokenTtl: 1 };
    expect(() => createProvider(input as ProviderOptions)).toThrow(/did you mean "accessTokenTtl"/);
  });

  it('measures edit distance case-insensitively', () => {
    expect(editDistance('accesTokenTtl', 'accessTokenTtl')).toBe(1);
    expect(editDistance('ABC', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestName('zzzzzzzz', OPTION_NAMES)).toBeNull();
  });
});

describe('the options schema', () => {
  it('DEFAULTS is frozen, lists included, and holds every fixed default of the schema', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.grantTypes)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.defaultScopes)).toBe(true);
    expect(() => (DEFAULTS.grantTypes as string[]).push('password')).toThrow(TypeError);
    const fixed = OPTION_NAMES.filter((name) => SCHEMA[name].default !== undefined);
    expect(Object.keys(DEFAULTS)).toEqual(fixed);
  });

  it('every fixed default passes its own check unchanged', () => {
    for (const name of OPTION_NAMES) {
      const fallback = SCHEMA[name].default;
      if (fallback !== undefined) expect(SCHEMA[name].check(fallback, name)).toEqual(fallback);
    }
  });

  it('every option without a fixed default says what happens instead', () => {
    for (const name of OPTION_NAMES) {
      const descriptor = SCHEMA[name];
      expect([name, descriptor.default !== undefined || descriptor.defaultText !== undefined]).toEqual([
        name,
        true,
      ]);
      expect(descriptor.doc.length).toBeGreaterThan(20);
    }
  });
});
