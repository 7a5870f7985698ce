/**
 * RFC 8707 §2 resource indicators, the dense parts: what a `resource` value is and when two name
 * the same resource (`canonicalResource`), the registry's narrowing rule, the `resources` option's
 * start-up checks, repeated `resource` parameters in forms and JSON, RFC 9728 §3.1 metadata URLs,
 * and the challenge a resource-bound guard sends.
 */
import { MemoryAdapter } from '../../adapters/memory';
import { ConfigurationError, createProvider, type ProviderOptions } from '../../lib';
import { InvalidTargetError, InvalidTokenError, MissingTokenError } from '../../lib/errors/oauth-error';
import { readParameters } from '../../lib/http/parse-body';
import { metadataUrlOf } from '../../lib/resources/resource-metadata';
import { ResourceRegistry } from '../../lib/resources/resource-registry';
import { canonicalResource, resourceValues } from '../../lib/resources/resource-uri';
import { bearerChallenge } from '../../lib/respond/bearer';
import { onRequest, resultOf } from '../support/requests';
import { UserAgent } from '../support/user-agent';

describe('canonicalResource (RFC 8707 §2)', () => {
  it.each([
    ['https://Host.Example/mcp', 'https://host.example/mcp'],
    ['HTTPS://HOST.EXAMPLE/mcp/', 'https://host.example/mcp'],
    ['https://host.example/', 'https://host.example'],
    ['https://host.example', 'https://host.example'],
    ['https://host.example:443/api', 'https://host.example/api'],
    ['http://127.0.0.1:8080/mcp', 'http://127.0.0.1:8080/mcp'],
    ['https://host.example/api?v=1', 'https://host.example/api?v=1'],
  ])('%s → %s', (value, canonical) => {
    expect(canonicalResource(value)).toBe(canonical);
  });

  it('keeps the path case and only one trailing slash', () => {
    expect(canonicalResource('https://host.example/MCP')).toBe('https://host.example/MCP');
    expect(canonicalResource('https://host.example/mcp//')).toBe('https://host.example/mcp/');
  });

  it.each([
    '',
    '/mcp',
    'mcp',
    'host.example/mcp',
    'https://host.example/mcp#frag',
    'https://host.example/#',
    'mailto:someone@host.example',
    'urn:example:resource',
    'https://',
    'https://host.example/a b',
    'https://host.example\\mcp',
  ])('%j is not an absolute URI without fragment → null', (value) => {
    expect(canonicalResource(value)).toBeNull();
  });

  it('repeated values arrive joined by a space and split back', () => {
    expect(resourceValues(undefined)).toEqual([]);
    expect(resourceValues('https://a.example https://b.example/x')).toEqual([
      'https://a.example',
      'https://b.example/x',
    ]);
  });
});

describe('ResourceRegistry', () => {
  const registry = new ResourceRegistry({
    'https://host.example/api': { scopes: ['repo'] },
    'https://host.example/mcp': { audienceRequired: true },
    'https://files.example/': {},
  });

  it('parse: declared identifiers, each once, as declared; unknown ones → invalid_target', () => {
    expect(
      registry.parse('https://HOST.example/mcp/ https://host.example/mcp https://files.example'),
    ).toEqual(['https://host.example/mcp', 'https://files.example/']);
    expect(registry.parse(undefined)).toEqual([]);
    expect(() => registry.parse('https://host.example/other')).toThrow(InvalidTargetError);
    expect(() => registry.parse('')).toThrow(InvalidTargetError);
  });

  it('narrow: within the granted resources; from none, only to resources without audienceRequired', () => {
    const both = ['https://host.example/api', 'https://host.example/mcp'];
    expect(registry.narrow(both, undefined)).toEqual(both);
    expect(registry.narrow(both, 'https://host.example/mcp')).toEqual(['https://host.example/mcp']);
    expect(() => registry.narrow(['https://host.example/api'], 'https://host.example/mcp')).toThrow(
      InvalidTargetError,
    );
    expect(registry.narrow([], 'https://host.example/api')).toEqual(['https://host.example/api']);
    expect(() => registry.narrow([], 'https://host.example/mcp')).toThrow(InvalidTargetError);
  });
});

describe('the resources option', () => {
  const valid = (resources: unknown): ProviderOptions =>
    ({
      adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
      issuer: 'https://host.example',
      scopes: { repo: { description: 'Repositories' } },
      currentUser: () => null,
      loginUrl: '/login',
      resources,
    }) as ProviderOptions;

  it('accepts declared resources', () => {
    const provider = createProvider(valid({ 'https://host.example/mcp': { name: 'MCP', scopes: ['repo'] } }));
    expect(provider.options.resources.all.map((r) => r.uri)).toEqual(['https://host.example/mcp']);
  });

  it.each([
    ['not an object', 'https://host.example/mcp', /must be an object/],
    ['a relative key', { '/mcp': {} }, /not an absolute URI/],
    ['a key with a fragment', { 'https://host.example/mcp#x': {} }, /not an absolute URI/],
    [
      'two spellings of one resource',
      { 'https://host.example/mcp': {}, 'https://HOST.example/mcp/': {} },
      /name the same resource/,
    ],
    ['an unknown key', { 'https://host.example/mcp': { audience: true } }, /unknown key "audience"/],
    ['an undeclared scope', { 'https://host.example/mcp': { scopes: ['gist'] } }, /undeclared scope "gist"/],
    ['scopes that are not strings', { 'https://host.example/mcp': { scopes: [1] } }, /array of scope names/],
    [
      'a non-boolean audienceRequired',
      { 'https://host.example/mcp': { audienceRequired: 'yes' } },
      /boolean/,
    ],
    ['an empty name', { 'https://host.example/mcp': { name: ' ' } }, /non-empty string/],
  ])('refuses %s with a ConfigurationError naming the option', (_label, resources, message) => {
    let thrown: unknown;
    try {
      createProvider(valid(resources));
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof ConfigurationError))
      throw new Error(`expected a ConfigurationError: ${String(thrown)}`);
    expect(thrown.option).toBe('resources');
    expect(thrown.message).toMatch(message);
  });
});

describe('repeated resource parameters', () => {
  const posted = (body: string, contentType: string) =>
    onRequest(
      (req) => readParameters(req, 4096),
      (url) =>
        new UserAgent(url).send('/', { method: 'POST', body, headers: { 'content-type': contentType } }),
    );

  it('a form may repeat resource (only resource): the values are joined by a space', async () => {
    const { resource } = resultOf(
      await posted(
        'resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example',
        'application/x-www-form-urlencoded',
      ),
    );
    expect(resource).toBe('https://a.example https://b.example');
  });

  it('a JSON body may give resource as an array of strings; an array of anything else is refused', async () => {
    const { resource } = resultOf(
      await posted('{"resource":["https://a.example","https://b.example"]}', 'application/json'),
    );
    expect(resource).toBe('https://a.example https://b.example');
    const refused = await posted('{"resource":["https://a.example",1]}', 'application/json');
    expect(refused.ok).toBe(false);
    const other = await posted('{"scope":["a","b"]}', 'application/json');
    expect(other.ok).toBe(false);
  });
});

describe('RFC 9728 §3.1 metadata URLs and §5.1 challenges', () => {
  it.each([
    ['https://host.example/mcp', 'https://host.example/.well-known/oauth-protected-resource/mcp'],
    ['https://host.example/mcp/', 'https://host.example/.well-known/oauth-protected-resource/mcp'],
    ['https://host.example/', 'https://host.example/.well-known/oauth-protected-resource'],
    ['https://host.example/a/b?x=1', 'https://host.example/.well-known/oauth-protected-resource/a/b?x=1'],
  ])('%s → %s', (uri, url) => {
    expect(metadataUrlOf(uri).href).toBe(url);
  });

  const resource = {
    metadataUrl: 'https://host.example/.well-known/oauth-protected-resource/mcp',
    scopes: ['a', 'b'],
  };

  it('no token: realm, the resource scopes, resource_metadata (no error)', () => {
    expect(bearerChallenge('host.example', new MissingTokenError(), resource)).toBe(
      'Bearer realm="host.example", scope="a b", resource_metadata="https://host.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('invalid_token: the error first, then scope and resource_metadata', () => {
    expect(bearerChallenge('host.example', new InvalidTokenError('no'), resource)).toBe(
      'Bearer realm="host.example", error="invalid_token", error_description="no", scope="a b", resource_metadata="https://host.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('a resource without scopes asks for none; without a resource nothing is added', () => {
    expect(bearerChallenge(null, new MissingTokenError(), { ...resource, scopes: [] })).toBe(
      'Bearer resource_metadata="https://host.example/.well-known/oauth-protected-resource/mcp"',
    );
    expect(bearerChallenge(null, new MissingTokenError())).toBe('Bearer');
  });
});
