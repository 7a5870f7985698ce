import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '../errors/configuration-error';
import { isGrantTypeName } from '../grants/grant-type-names';
import { ScopeRegistry } from '../scopes/scope-registry';
import type { StorageAdapter } from '../storage/storage-adapter';
import { TokenFormat } from '../tokens/token-format';
import { DEFAULTS } from './defaults';
import type { ProviderOptions } from './provider-options';

const ADAPTER_METHODS = [
  'createApplication',
  'findApplicationById',
  'findApplicationByClientId',
  'listApplicationsByOwner',
  'updateApplication',
  'deleteApplication',
  'saveGrant',
  'findGrant',
  'findGrantById',
  'listGrantsByUser',
  'deleteGrant',
  'touchGrant',
  'insertToken',
  'findTokenByHash',
  'listTokens',
  'revokeTokens',
  'consumeToken',
  'touchToken',
  'purgeExpired',
] as const satisfies readonly (keyof StorageAdapter)[];

/** The complete configuration every service reads; built once by `resolveOptions`. */
export interface ResolvedOptions {
  adapter: StorageAdapter;
  issuer: string;
  scopes: ScopeRegistry;
  defaultScopes: string[];
  currentUser: ProviderOptions['currentUser'];
  loginUrl: string;
  findUser: ProviderOptions['findUser'];
  renderConsent: ProviderOptions['renderConsent'];
  verifyPassword: ProviderOptions['verifyPassword'];
  canIntrospect: NonNullable<ProviderOptions['canIntrospect']>;
  deviceCodeTtl: number;
  devicePollInterval: number;
  csrfKey: Buffer;
  realm: string;
  basePath: string;
  accessTokenTtl: number | null;
  refreshTokenTtl: number | null;
  authorizationCodeTtl: number;
  refreshTokenReuseGraceSeconds: number;
  allowQueryAccessToken: boolean;
  allowBodyAccessToken: boolean;
  allowPlainPkce: boolean;
  requirePkce: 'public' | 'all';
  grantTypes: ReadonlySet<string>;
  returnToParameter: string;
  tokens: TokenFormat;
  bodyLimit: number;
  corsOrigins: '*' | readonly string[];
  secureCookies: boolean;
}

function positiveSeconds(name: string, value: unknown, allowNull: boolean): number | null {
  if (value === null && allowNull) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(
      name,
      `must be a positive whole number of seconds${allowNull ? ' or null' : ''}`,
    );
  }
  return value;
}

function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new ConfigurationError(name, 'must be a function');
}

function resolveIssuer(value: unknown): string {
  if (typeof value !== 'string')
    throw new ConfigurationError('issuer', 'is required (e.g. "https://example.com")');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError('issuer', `must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError('issuer', 'must be an http(s) URL');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigurationError('issuer', 'must not have a query or fragment (RFC 8414 §2)');
  }
  return value.replace(/\/+$/, '');
}

function resolveScopes(input: ProviderOptions): ScopeRegistry {
  const definitions = input.scopes;
  if (typeof definitions !== 'object' || definitions === null || Object.keys(definitions).length === 0) {
    throw new ConfigurationError('scopes', 'must declare at least one scope: { name: { description } }');
  }
  for (const [name, definition] of Object.entries(definitions)) {
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(name) || name.includes(',')) {
      throw new ConfigurationError(`scopes.${name}`, 'is not a valid scope name (RFC 6749 §3.3, no commas)');
    }
    if (typeof definition?.description !== 'string' || definition.description === '') {
      throw new ConfigurationError(`scopes.${name}.description`, 'must be a non-empty string');
    }
    for (const included of definition.includes ?? []) {
      if (!(included in definitions)) {
        throw new ConfigurationError(`scopes.${name}.includes`, `names an undeclared scope "${included}"`);
      }
    }
  }
  return new ScopeRegistry(definitions);
}

function resolveBasePath(value: unknown): string {
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~-]+)*$/.test(value)) {
    throw new ConfigurationError('basePath', 'must be a path like "/oauth" (no trailing slash), or ""');
  }
  return value;
}

/**
 * Checks every option once at start-up and returns the complete configuration, or throws a
 * `ConfigurationError` naming the option and what is wrong with it.
 */
export function resolveOptions(input: ProviderOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) {
    throw new ConfigurationError('options', 'must be an object');
  }
  const adapter = input.adapter;
  for (const method of ADAPTER_METHODS) {
    if (typeof adapter?.[method] !== 'function') {
      throw new ConfigurationError('adapter', `must implement StorageAdapter (missing ${method}())`);
    }
  }
  const issuer = resolveIssuer(input.issuer);
  const scopes = resolveScopes(input);
  const defaultScopes = [...(input.defaultScopes ?? [])];
  for (const scope of defaultScopes) {
    if (!scopes.has(scope))
      throw new ConfigurationError('defaultScopes', `names an undeclared scope "${scope}"`);
  }
  requireFunction('currentUser', input.currentUser);
  if (typeof input.loginUrl !== 'string' || input.loginUrl === '') {
    throw new ConfigurationError('loginUrl', 'is required (the host app login page, e.g. "/login")');
  }
  if (input.findUser !== undefined) requireFunction('findUser', input.findUser);
  if (input.renderConsent !== undefined) requireFunction('renderConsent', input.renderConsent);
  if (input.canIntrospect !== undefined) requireFunction('canIntrospect', input.canIntrospect);
  if (input.verifyPassword !== undefined) requireFunction('verifyPassword', input.verifyPassword);
  if (
    input.csrfSecret !== undefined &&
    (typeof input.csrfSecret !== 'string' || input.csrfSecret.length < 16)
  ) {
    throw new ConfigurationError('csrfSecret', 'must be a string of at least 16 characters');
  }
  const grantTypes = new Set(input.grantTypes ?? DEFAULTS.grantTypes);
  // What each grant needs besides (password: verifyPassword) is checked by the grant registry.
  for (const grant of grantTypes) {
    if (!isGrantTypeName(grant)) {
      throw new ConfigurationError('grantTypes', `lists unsupported grant type "${grant}"`);
    }
  }
  const codeTtl = positiveSeconds(
    'authorizationCodeTtl',
    input.authorizationCodeTtl ?? DEFAULTS.authorizationCodeTtl,
    false,
  );
  if (codeTtl === null || codeTtl > 600) {
    throw new ConfigurationError('authorizationCodeTtl', 'must be at most 600 seconds (RFC 6749 §4.1.2)');
  }
  const grace = input.refreshTokenReuseGraceSeconds ?? DEFAULTS.refreshTokenReuseGraceSeconds;
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > 300) {
    throw new ConfigurationError('refreshTokenReuseGraceSeconds', 'must be a whole number from 0 to 300');
  }
  const requirePkce = input.requirePkce ?? DEFAULTS.requirePkce;
  if (requirePkce !== 'public' && requirePkce !== 'all') {
    throw new ConfigurationError('requirePkce', 'must be "public" or "all"');
  }
  const namespace = input.tokenNamespace ?? DEFAULTS.tokenNamespace;
  if (!/^[a-z]{1,8}$/.test(namespace)) {
    throw new ConfigurationError('tokenNamespace', 'must be 1 to 8 lowercase letters');
  }
  const bodyLimit = input.bodyLimit ?? DEFAULTS.bodyLimit;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) {
    throw new ConfigurationError('bodyLimit', 'must be a whole number of bytes, at least 1024');
  }
  return {
    adapter,
    issuer,
    scopes,
    defaultScopes,
    currentUser: input.currentUser,
    loginUrl: input.loginUrl,
    findUser: input.findUser,
    renderConsent: input.renderConsent,
    verifyPassword: input.verifyPassword,
    canIntrospect: input.canIntrospect ?? ((caller, token) => token.applicationId === caller.id),
    deviceCodeTtl:
      positiveSeconds('deviceCodeTtl', input.deviceCodeTtl ?? DEFAULTS.deviceCodeTtl, false) ??
      DEFAULTS.deviceCodeTtl,
    devicePollInterval:
      positiveSeconds('devicePollInterval', input.devicePollInterval ?? DEFAULTS.devicePollInterval, false) ??
      DEFAULTS.devicePollInterval,
    csrfKey: input.csrfSecret === undefined ? randomBytes(32) : Buffer.from(input.csrfSecret, 'utf8'),
    realm: input.realm ?? new URL(issuer).host,
    basePath: resolveBasePath(input.basePath ?? DEFAULTS.basePath),
    accessTokenTtl: positiveSeconds(
      'accessTokenTtl',
      input.accessTokenTtl === undefined ? DEFAULTS.accessTokenTtl : input.accessTokenTtl,
      true,
    ),
    refreshTokenTtl: positiveSeconds(
      'refreshTokenTtl',
      input.refreshTokenTtl === undefined ? DEFAULTS.refreshTokenTtl : input.refreshTokenTtl,
      true,
    ),
    authorizationCodeTtl: codeTtl,
    refreshTokenReuseGraceSeconds: grace,
    allowQueryAccessToken: input.allowQueryAccessToken ?? DEFAULTS.allowQueryAccessToken,
    allowBodyAccessToken: input.allowBodyAccessToken ?? DEFAULTS.allowBodyAccessToken,
    allowPlainPkce: input.allowPlainPkce ?? DEFAULTS.allowPlainPkce,
    requirePkce,
    grantTypes,
    returnToParameter: input.returnToParameter ?? DEFAULTS.returnToParameter,
    tokens: new TokenFormat(namespace),
    bodyLimit,
    corsOrigins: input.corsOrigins ?? DEFAULTS.corsOrigins,
    secureCookies: input.secureCookies ?? issuer.startsWith('https:'),
  };
}
