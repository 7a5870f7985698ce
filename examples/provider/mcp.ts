import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { OAuthContext, Provider } from '../../lib';
import { ownerLogin } from './api';
import type { RepositoryStore } from './repositories';

/** The scope `list_repos` needs; a token without it gets the 403 step-up challenge. */
const LIST_REPOS_SCOPE = 'public_repo';

/** Whether a JSON-RPC message (or batch) calls the tool `name`. */
function callsTool(body: unknown, name: string): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some((message) => {
    if (typeof message !== 'object' || message === null) return false;
    const params: unknown = Reflect.get(message, 'params');
    return (
      Reflect.get(message, 'method') === 'tools/call' &&
      typeof params === 'object' &&
      params !== null &&
      Reflect.get(params, 'name') === name
    );
  });
}

/** One MCP server for one request (the SDK's stateless mode), knowing who the token is for. */
function mcpServerFor(oauth: OAuthContext, repositories: RepositoryStore): McpServer {
  const server = new McpServer({ name: 'example-provider-mcp', version: '1.0.0' });
  const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }] });
  server.registerTool(
    'whoami',
    { description: 'Who the access token belongs to: user, client, scopes and audience' },
    async () =>
      text({
        login: ownerLogin(oauth.user),
        client_id: oauth.client?.clientId ?? null,
        scopes: oauth.scopes,
        aud: oauth.token.audience,
      }),
  );
  server.registerTool(
    'list_repos',
    { description: `Your public repositories (needs ${LIST_REPOS_SCOPE})` },
    async () => text(repositories.ownedBy(ownerLogin(oauth.user)).filter((repo) => !repo.private)),
  );
  return server;
}

/**
 * The example's MCP server at `/mcp` (Streamable HTTP, stateless): the SDK's current server
 * classes behind the provider's guard for the resource `resource` (audience required, so only
 * tokens minted for `/mcp` pass; the 401 points at `/.well-known/oauth-protected-resource/mcp`).
 * A `tools/call` of `list_repos` without `public_repo` is answered by the guard's 403
 * `insufficient_scope` before the MCP server sees it, so the client can step up.
 */
export function exampleMcpServer(
  provider: Provider,
  resource: string,
  repositories: RepositoryStore,
): Router {
  const guard = provider.protectedResource(resource);
  const needsRepoScope = guard.requireScope(LIST_REPOS_SCOPE);
  const router = Router();
  const serve = async (req: Request, res: Response) => {
    const oauth = req.oauth;
    if (oauth === undefined) throw new Error('the guard did not run');
    const server = mcpServerFor(oauth, repositories);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };
  router.post(
    '/',
    guard.authenticate(),
    express.json({ limit: '64kb' }),
    (req: Request, res: Response, next: NextFunction) => {
      if (callsTool(req.body, 'list_repos')) needsRepoScope(req, res, next);
      else next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      serve(req, res).catch(next);
    },
  );
  // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
  router.all('/', guard.authenticate(), (_req, res) => {
    res.set('Allow', 'POST').status(405).json({ error: 'method_not_allowed' });
  });
  return router;
}
