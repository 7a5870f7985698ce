import type { ResourceOwner, ResourceTypeDefinition } from '../../lib';

/** A repository of the example host (DESIGN.md: alice owns three, bob one). */
export interface Repo {
  name: string;
  owner: string;
  private: boolean;
}

/** The example's repositories, one store per app (tests build many apps). */
export class RepositoryStore {
  readonly #repos: Repo[] = [
    { name: 'hello-world', owner: 'alice', private: false },
    { name: 'notes', owner: 'alice', private: true },
    { name: 'plans', owner: 'alice', private: true },
    { name: 'dotfiles', owner: 'bob', private: false },
  ];
  readonly #issues = new Map<string, { number: number; title: string }[]>();

  /** The resource id the library stores in selections: `owner/name`. */
  static idOf(repo: Repo): string {
    return `${repo.owner}/${repo.name}`;
  }

  ownedBy(login: string): Repo[] {
    return this.#repos
      .filter((repo) => repo.owner === login)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  find(owner: string, name: string): Repo | null {
    return this.#repos.find((repo) => repo.owner === owner && repo.name === name) ?? null;
  }

  add(repo: Repo): void {
    this.#repos.push(repo);
  }

  openIssue(repo: Repo, title: string): { number: number; title: string } {
    const id = RepositoryStore.idOf(repo);
    const issues = this.#issues.get(id) ?? [];
    const issue = { number: issues.length + 1, title };
    issues.push(issue);
    this.#issues.set(id, issues);
    return issue;
  }

  /**
   * The library's resource type `repository`: the signed-in user's repositories, a page at a time
   * (the cursor is the index of the next one), and RFC 9396's actions `read` and `write`.
   */
  resourceType(): ResourceTypeDefinition {
    return {
      name: 'repositories',
      list: (user: ResourceOwner, { cursor, limit }) => {
        const login = typeof user.login === 'string' ? user.login : (user.username ?? '');
        const mine = this.ownedBy(login);
        const start = cursor === null ? 0 : Number.parseInt(cursor, 10) || 0;
        const page = mine.slice(start, start + limit);
        return {
          items: page.map((repo) => ({
            id: RepositoryStore.idOf(repo),
            name: RepositoryStore.idOf(repo),
            ...(repo.private ? { badge: 'private' } : {}),
          })),
          next: start + limit < mine.length ? String(start + limit) : null,
        };
      },
      authorizationDetails: { actions: { read: 'repo:read', write: 'repo' } },
    };
  }
}
