import { InvalidScopeError, type OAuthErrorOptions } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { ResourceTypeDefinition, ResourceTypes } from './resource-types';

/** The OpenID Connect scope some OAuth clients add to ask for a refresh token. */
const OFFLINE_ACCESS = 'offline_access';

/** Who may hold a token with a scope: a user (through a client), or a client on its own behalf. */
export type ScopeHolder = 'user' | 'client';

/** How a host declares one scope. */
export interface ScopeDefinition {
  /** Shown to the user on the consent page. */
  description: string;
  /** Scopes this one implies: `repo` includes `public_repo`. */
  includes?: readonly string[];
  /**
   * The type of resource (a key of `resourceTypes`) this scope applies to: the user may grant it
   * on all their resources of that type or only on chosen ones.
   */
  resourceType?: string;
  /**
   * Who may hold it (RFC 9700 §4.15: machine tokens are not user tokens). `['user']` (the
   * default): tokens a user authorized (authorization code, device, password, personal tokens);
   * `['client']`: only client_credentials tokens; `['user', 'client']`: both.
   */
  holders?: readonly ScopeHolder[];
}

export type ScopeDefinitions = Readonly<Record<string, ScopeDefinition>>;

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The declared scopes, resolved once at start-up: every scope's transitive closure of
 * `includes` is precomputed so the per-request checks are set look-ups.
 */
export class ScopeRegistry {
  private readonly definitions: ScopeDefinitions;
  private readonly closures: ReadonlyMap<string, ReadonlySet<string>>;
  /** `expand()` results by scope list; tokens share few distinct lists, so this stays small. */
  private readonly expansions = new Map<string, ReadonlySet<string>>();

  /** The declared resource types (`resourceTypes`). */
  readonly resourceTypes: ResourceTypes;

  constructor(definitions: ScopeDefinitions, resourceTypes: ResourceTypes = {}) {
    this.definitions = definitions;
    this.resourceTypes = resourceTypes;
    const closures = new Map<string, ReadonlySet<string>>();
    for (const name of Object.keys(definitions)) {
      const closure = new Set<string>();
      const pending = [name];
      while (pending.length > 0) {
        const next = pending.pop();
        if (next === undefined || closure.has(next)) continue;
        closure.add(next);
        pending.push(...(definitions[next]?.includes ?? []));
      }
      closures.set(name, closure);
    }
    this.closures = closures;
  }

  /** Every declared scope name, in declaration order. */
  get names(): string[] {
    return Object.keys(this.definitions);
  }

  has(scope: string): boolean {
    return this.closures.has(scope);
  }

  /** The resource type a scope applies to, or `null` for a scope over the whole account. */
  resourceTypeOf(scope: string): string | null {
    return this.definitions[scope]?.resourceType ?? null;
  }

  /** The declared resource type of a scope, or `null`. */
  resourceTypeFor(scope: string): ResourceTypeDefinition | null {
    const type = this.resourceTypeOf(scope);
    return type === null ? null : (this.resourceTypes[type] ?? null);
  }

  /** Whether `includer`'s closure holds `scope` (every scope includes itself). */
  includes(includer: string, scope: string): boolean {
    return this.closures.get(includer)?.has(scope) ?? includer === scope;
  }

  /** Whether `holder` may hold `scope`; an undeclared scope is held by nobody. */
  heldBy(scope: string, holder: ScopeHolder): boolean {
    const definition = this.definitions[scope];
    if (definition === undefined) return false;
    return (definition.holders ?? ['user']).includes(holder);
  }

  /**
   * Refuses (`invalid_scope`) a request for a scope `holder` may not hold: a user flow asking for
   * a client-held scope, or client_credentials asking for a user-held one (RFC 9700 §4.15).
   */
  requireHeldBy(scopes: readonly string[], holder: ScopeHolder, errorOptions?: OAuthErrorOptions): void {
    const refused = scopes.find((scope) => !this.heldBy(scope, holder));
    if (refused === undefined) return;
    const problem = holder === 'user' ? 'problem.scopeNotForUsers' : 'problem.scopeNotForClients';
    throw new InvalidScopeError(message(problem, { scope: refused.slice(0, 64) }), errorOptions);
  }

  /**
   * The declared scopes `granted` (with its inclusions) covers that are still declared and that
   * `allowed` (with its inclusions; empty: every declared scope) covers, normalised: what a
   * grant keeps when the application may now request less (`repo` under `['public_repo']` →
   * `public_repo`).
   */
  narrow(granted: readonly string[], allowed: readonly string[]): string[] {
    const permitted = allowed.length === 0 ? null : this.expand(allowed);
    const kept = [...this.expand(granted)].filter(
      (scope) => this.has(scope) && (permitted === null || permitted.has(scope)),
    );
    return this.normalize(kept);
  }

  describe(scope: string): string {
    return this.definitions[scope]?.description ?? scope;
  }

  /**
   * Parses a `scope` parameter (space-separated per RFC 6749 §3.3; commas also accepted, as
   * GitHub does) into declared scope names, deduplicated, in request order.
   */
  parse(input: string, errorOptions?: OAuthErrorOptions): string[] {
    const scopes: string[] = [];
    for (const token of input.split(/[\s,]+/)) {
      if (token === '') continue;
      // OpenID Connect Core §11: `offline_access` asks for a refresh token, which every client of
      // a refreshable grant gets anyway (public ones too). Unless the host declares a scope of
      // that name, it is accepted and dropped, so MCP clients that add it do not fail.
      if (token === OFFLINE_ACCESS && !this.has(token)) continue;
      if (!SCOPE_TOKEN.test(token) || !this.has(token)) {
        // Not echoed: the value is the sender's text, and the answer may be a page.
        throw new InvalidScopeError(message('problem.unknownScope'), errorOptions);
      }
      if (!scopes.includes(token)) scopes.push(token);
    }
    return scopes;
  }

  /** The scopes plus everything they include. Memoized: it runs on every guarded request. */
  expand(scopes: readonly string[]): ReadonlySet<string> {
    const key = scopes.join(' ');
    const known = this.expansions.get(key);
    if (known !== undefined) return known;
    const expanded = new Set<string>();
    for (const scope of scopes) {
      for (const implied of this.closures.get(scope) ?? [scope]) expanded.add(implied);
    }
    if (this.expansions.size >= 1000) this.expansions.clear();
    this.expansions.set(key, expanded);
    return expanded;
  }

  /** Whether `granted` (with its inclusions) covers every scope in `requested`. */
  covers(granted: readonly string[], requested: readonly string[]): boolean {
    const expanded = this.expand(granted);
    return requested.every((scope) => expanded.has(scope));
  }

  /** Drops scopes implied by others: `repo public_repo` → `repo`. */
  normalize(scopes: readonly string[]): string[] {
    const unique = [...new Set(scopes)];
    return unique.filter(
      (scope) => !unique.some((other) => other !== scope && this.closures.get(other)?.has(scope)),
    );
  }

  /** Every scope that grants access to a route requiring `scope` (itself and its includers). */
  acceptedFor(scope: string): string[] {
    const accepted = [scope];
    for (const [name, closure] of this.closures) {
      if (name !== scope && closure.has(scope)) accepted.push(name);
    }
    return accepted;
  }
}
