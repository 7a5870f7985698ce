import { auth, type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { createExampleHost, type ExampleHost } from '../support/example-host';
import { REDIRECT_URI } from '../support/fixtures';
import { issueTokens, login, registerViaApi } from '../support/flows';
import { hiddenFields } from '../support/html';
import { locationParams } from '../support/oauth';
import type { UserAgent } from '../support/user-agent';

/**
 * The MCP TypeScript SDK's own client (`Client` + `StreamableHTTPClientTransport` with an
 * `OAuthClientProvider`) against the example's MCP server at `/mcp`, over real sockets, with a
 * client registered beforehand (the example's settings API): the 401 and its
 * `resource_metadata`, discovery of both metadata documents, the authorization with `resource`
 * (consent driven by alice's user agent), the tools `whoami` and `list_repos`, a refresh through
 * the SDK's `auth()`, and the refusals: a token minted for `/api`, and `list_repos` without
 * `public_repo` (the 403 step-up challenge).
 */

/** What an MCP client application keeps: its registration, tokens and PKCE verifier. */
class RecordingProvider implements OAuthClientProvider {
  authorizationUrl: URL | null = null;
  #tokens: OAuthTokens | undefined;
  #verifier = '';

  constructor(readonly information: OAuthClientInformationMixed) {}

  get redirectUrl(): string {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK test client',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation(): OAuthClientInformationMixed {
    return this.information;
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
}

let host: ExampleHost;
let alice: UserAgent;
let mcpUrl: URL;

beforeAll(async () => {
  host = await createExampleHost({ listen: true });
  mcpUrl = new URL('/mcp', host.issuer);
  alice = host.browser();
  await login(alice);
});

/** The authorization as the user sees it: the consent page, approved; the code from the redirect. */
async function approve(browser: UserAgent, authorizationUrl: URL): Promise<string> {
  const page = await browser.send(`${authorizationUrl.pathname}${authorizationUrl.search}`);
  expect(page.status).toBe(200);
  const answer = await browser.send('/oauth/authorize', {
    form: { ...hiddenFields(page.text), decision: 'approve' },
  });
  expect(answer.status).toBe(302);
  const code = locationParams(answer).get('code');
  if (code === null) throw new Error(`no code: ${answer.location ?? answer.text}`);
  return code;
}

async function connected(provider: OAuthClientProvider): Promise<Client> {
  const client = new Client({ name: 'sdk-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  return client;
}

/** The JSON of a tool's single text content. */
function toolJson(result: unknown): unknown {
  const content: unknown = Reflect.get(Object(result), 'content');
  const first: unknown = Array.isArray(content) ? content[0] : undefined;
  const text: unknown = Reflect.get(Object(first), 'text');
  if (typeof text !== 'string') throw new Error(`not a text result: ${JSON.stringify(result)}`);
  return JSON.parse(text);
}

describe('the MCP SDK client with a pre-registered public client', () => {
  it('401 → discovery → authorization for /mcp → whoami and list_repos → refresh', async () => {
    const registered = await registerViaApi(alice, { name: 'SDK client', confidential: false });
    const provider = new RecordingProvider({ client_id: registered.clientId });

    // 1. No token: the SDK gets the 401, reads resource_metadata, discovers both documents and
    //    sends the user to the authorization endpoint with resource and the resource's scope.
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(new Client({ name: 'sdk-test', version: '1.0.0' }).connect(first)).rejects.toThrow(
      UnauthorizedError,
    );
    const authorizationUrl = provider.authorizationUrl;
    if (authorizationUrl === null) throw new Error('the SDK did not ask for authorization');
    expect(authorizationUrl.origin).toBe(host.issuer);
    expect(authorizationUrl.pathname).toBe('/oauth/authorize');
    expect(authorizationUrl.searchParams.get('resource')).toBe(mcpUrl.href);
    expect(authorizationUrl.searchParams.get('scope')).toBe('public_repo');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');

    // 2. alice approves; the SDK exchanges the code (with resource again).
    await first.finishAuth(await approve(alice, authorizationUrl));
    const issued = provider.tokens();
    expect(issued?.refresh_token).toEqual(expect.any(String));
    expect(issued?.expires_in).toBe(7200);

    // 3. The tools, with a token minted for /mcp.
    const client = await connected(provider);
    const whoami = toolJson(await client.callTool({ name: 'whoami', arguments: {} }));
    expect(whoami).toEqual({
      login: 'alice',
      client_id: registered.clientId,
      scopes: ['public_repo'],
      aud: [mcpUrl.href],
    });
    const repos = toolJson(await client.callTool({ name: 'list_repos', arguments: {} }));
    expect(repos).toEqual([{ name: 'hello-world', owner: 'alice', private: false }]);
    await client.close();

    // 4. A refresh through the SDK's auth(): a new access token, still for /mcp.
    const before = provider.tokens()?.access_token;
    await expect(auth(provider, { serverUrl: mcpUrl })).resolves.toBe('AUTHORIZED');
    const after = provider.tokens()?.access_token;
    expect(after).toEqual(expect.any(String));
    expect(after).not.toBe(before);
    const again = await connected(provider);
    expect(toolJson(await again.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({
      aud: [mcpUrl.href],
    });
    await again.close();
  });
});

describe('what /mcp refuses', () => {
  const rpc = (token: string, body: unknown) =>
    host.browser().send('/mcp', {
      json: body,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream' },
      cookies: false,
    });
  const listRepos = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'list_repos', arguments: {} },
  };

  it('a token minted for /api → 401 invalid_token pointing at the MCP metadata', async () => {
    const registered = await registerViaApi(alice, { name: 'API client' });
    const tokens = await issueTokens(alice, host.browser(), {
      client: registered,
      scope: 'public_repo',
      extra: { resource: `${host.issuer}/api` },
    });
    // It works at the API it was minted for…
    const api = await host.browser().send('/api/repos', {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
      cookies: false,
    });
    expect(api.status).toBe(200);
    // …and not at the MCP server.
    const refused = await rpc(tokens.accessToken, listRepos);
    expect(refused.status).toBe(401);
    const challenge = String(refused.headers['www-authenticate']);
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(
      `resource_metadata="${host.issuer}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it('a token without audience → 401 (the MCP server requires one), though the API accepts it', async () => {
    const registered = await registerViaApi(alice, { name: 'Old client' });
    const tokens = await issueTokens(alice, host.browser(), { client: registered, scope: 'public_repo' });
    expect((await rpc(tokens.accessToken, listRepos)).status).toBe(401);
  });

  it('list_repos without public_repo → 403 insufficient_scope asking for it', async () => {
    const registered = await registerViaApi(alice, { name: 'Weak client' });
    const tokens = await issueTokens(alice, host.browser(), {
      client: registered,
      scope: 'user',
      extra: { resource: mcpUrl.href },
    });
    const refused = await rpc(tokens.accessToken, listRepos);
    expect(refused.status).toBe(403);
    const challenge = String(refused.headers['www-authenticate']);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="public_repo"');
    expect(challenge).toContain('resource_metadata=');
  });

  it('its protected-resource metadata says what the SDK needs', async () => {
    const document = await host.browser().send('/.well-known/oauth-protected-resource/mcp');
    expect(document.body).toEqual({
      resource: mcpUrl.href,
      authorization_servers: [host.issuer],
      scopes_supported: ['public_repo'],
      bearer_methods_supported: ['header', 'body', 'query'],
      resource_name: 'Example MCP server',
    });
  });
});
