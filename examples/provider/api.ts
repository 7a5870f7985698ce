import express, { type Request, Router } from 'express';
import type { OAuthContext, Provider } from '../../lib';
import { type Repo, RepositoryStore } from './repositories';

/** The login a token's user has in the example (its `findUser` adds `login`). */
export const ownerLogin = (user: unknown): string =>
  typeof user === 'object' && user !== null && 'login' in user && typeof user.login === 'string'
    ? user.login
    : '';

/**
 * What a token may see of a repository (DESIGN.md): a public one with `public_repo` (which
 * `repo` and `repo:read` include); a private one of the token's user with `repo:read` (or `repo`)
 * on that repository — all of the user's unless the grant names only some.
 */
function maySee(context: OAuthContext | undefined, login: string, repo: Repo): boolean {
  if (context === undefined) return false;
  if (!repo.private) return context.effectiveScopes.has('public_repo');
  return repo.owner === login && context.allows('repo:read', RepositoryStore.idOf(repo));
}

/**
 * The example host's API, guarded by the library's tokens and scopes. It is the declared resource
 * `resource` (`${ISSUER}/api`): tokens for another resource (the MCP server) are refused, tokens
 * issued without `resource` still work, and every challenge points at its RFC 9728 metadata.
 */
export function exampleApi(provider: Provider, resource: string, repositories: RepositoryStore): Router {
  const guard = provider.protectedResource(resource);
  const gists: { owner: string; description: string }[] = [];
  const api = Router();
  const param = (req: Request, name: string): string => {
    const value: unknown = req.params[name];
    return typeof value === 'string' ? value : '';
  };
  const repoId = (req: Request): string => `${param(req, 'owner')}/${param(req, 'name')}`;

  // A client_credentials token has no user: 403 insufficient_scope from the guard.
  api.get('/user', guard.authenticate({ requireUser: true }), (req, res) => {
    const user = req.oauth?.user;
    res.json({ id: user?.id, login: ownerLogin(user) });
  });
  // The user's repositories the token may see: restricted grants see only the chosen private ones.
  api.get('/repos', guard.requireScope('public_repo'), (req, res) => {
    const login = ownerLogin(req.oauth?.user);
    res.json(repositories.ownedBy(login).filter((repo) => maySee(req.oauth, login, repo)));
  });
  // 404, not 403, for a repository the token may not see: it must not learn that it exists.
  api.get('/repos/:owner/:name', guard.requireScope('public_repo'), (req, res) => {
    const repo = repositories.find(param(req, 'owner'), param(req, 'name'));
    if (repo === null || !maySee(req.oauth, ownerLogin(req.oauth?.user), repo)) {
      res.status(404).json({ error: 'not_found', error_description: 'Not Found' });
      return;
    }
    res.json(repo);
  });
  // `repo` on this repository (the guard answers 404 otherwise), and it must be the user's own.
  api.post(
    '/repos/:owner/:name/issues',
    guard.requireScope('repo', { resource: repoId }),
    express.json(),
    (req, res) => {
      const repo = repositories.find(param(req, 'owner'), param(req, 'name'));
      if (repo === null || repo.owner !== ownerLogin(req.oauth?.user)) {
        res.status(404).json({ error: 'not_found', error_description: 'Not Found' });
        return;
      }
      const title: unknown = req.body?.title;
      if (typeof title !== 'string' || title.length === 0 || title.length > 200) {
        res
          .status(400)
          .json({ error: 'invalid_request', error_description: 'title must be 1-200 characters' });
        return;
      }
      res.status(201).json(repositories.openIssue(repo, title));
    },
  );
  api.post('/repos', guard.requireScope('repo'), express.json(), (req, res) => {
    const name: unknown = req.body?.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
      res
        .status(400)
        .json({ error: 'invalid_request', error_description: 'name must be 1-100 of [A-Za-z0-9._-]' });
      return;
    }
    const owner = ownerLogin(req.oauth?.user);
    if (repositories.find(owner, name) !== null) {
      res.status(422).json({ error: 'invalid_request', error_description: 'name already exists' });
      return;
    }
    const repo = { name, owner, private: req.body?.private === true };
    repositories.add(repo);
    res.status(201).json(repo);
  });
  api.post('/gists', guard.requireScope('gist'), express.json(), (req, res) => {
    const description = typeof req.body?.description === 'string' ? req.body.description.slice(0, 500) : '';
    const gist = { owner: ownerLogin(req.oauth?.user), description };
    gists.push(gist);
    res.status(201).json(gist);
  });
  // Machine tokens (client_credentials with `ci:status`) report commit statuses, as a CI server would.
  const statuses: CommitStatus[] = [];
  api.post('/statuses', guard.requireScope('ci:status'), express.json(), (req, res) => {
    const parsed = parseCommitStatus(req.body);
    if (typeof parsed === 'string') {
      res.status(400).json({ error: 'invalid_request', error_description: parsed });
      return;
    }
    const status: CommitStatus = {
      id: statuses.length + 1,
      ...parsed,
      client_id: req.oauth?.client?.clientId ?? null,
      created_at: new Date().toISOString(),
    };
    statuses.push(status);
    res.status(201).json(status);
  });
  return api;
}

interface CommitStatus {
  id: number;
  sha: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  context: string;
  description: string;
  client_id: string | null;
  created_at: string;
}

const STATES = ['pending', 'success', 'failure', 'error'] as const;

/** The status fields, or what is wrong with them. */
function parseCommitStatus(
  body: unknown,
): Pick<CommitStatus, 'sha' | 'state' | 'context' | 'description'> | string {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { sha, state, context = 'default', description = '' } = fields;
  if (typeof sha !== 'string' || !/^[0-9a-f]{7,40}$/.test(sha))
    return 'sha must be 7-40 lowercase hex digits';
  const known = STATES.find((name) => name === state);
  if (known === undefined) return `state must be one of ${STATES.join(', ')}`;
  if (typeof context !== 'string' || context.length === 0 || context.length > 100)
    return 'context must be 1-100 characters';
  if (typeof description !== 'string' || description.length > 500)
    return 'description must be at most 500 characters';
  return { sha, state: known, context, description };
}
