import type { ResourceOwner } from '../options/provider-options';
import { allowsResource } from '../scopes/resource-access';
import type { ScopeRegistry } from '../scopes/scope-registry';
import type { ApplicationRecord, ResourceSelection, TokenRecord } from '../storage/storage-adapter';

/** An application as route handlers see it: everything but the hash of its secret. */
export type ApplicationView = Omit<ApplicationRecord, 'clientSecretHash'>;

/** The application without its secret's hash, for `req.oauth.client` and everything host code reads. */
export function applicationView(application: ApplicationRecord): ApplicationView {
  const { clientSecretHash: _hash, ...view } = application;
  return view;
}

/** Views of the guard's cached (frozen) applications, made once per cached record. */
const frozenViews = new WeakMap<ApplicationRecord, ApplicationView>();

/**
 * `applicationView` for the guard: a frozen record (the guard's application cache holds frozen
 * ones, shared by every request until it changes) gets one frozen view, reused; any other record a
 * fresh one.
 */
function guardView(application: ApplicationRecord): ApplicationView {
  if (!Object.isFrozen(application)) return applicationView(application);
  let view = frozenViews.get(application);
  if (view === undefined) {
    view = Object.freeze(applicationView(application));
    frozenViews.set(application, view);
  }
  return view;
}

/** What `authenticate()` puts on `req.oauth` for the host's route handlers. */
export interface OAuthContext {
  /** The stored record of the presented token (its `hash` is of no use to anyone). */
  token: TokenRecord;
  /** The resource owner (from `findUser`, or `{ id }`); `null` for client_credentials tokens. */
  user: ResourceOwner | null;
  /** The application the token was issued to, without its secret's hash; `null` for personal access tokens. */
  client: ApplicationView | null;
  /** The token's scopes, as granted. */
  scopes: string[];
  /** The scopes with everything they include (`repo` → `repo`, `public_repo`); guards check this. */
  effectiveScopes: ReadonlySet<string>;
  /** Per resource-scoped scope, the resources the token may touch; `null`: all of the user's. */
  resourceSelection: ResourceSelection | null;
  /**
   * Whether the token may use `scope` (inclusions count) on the resource `resourceId`. For a
   * scope that applies to resources, the token must cover that resource (an unrestricted grant
   * covers all); for any other scope the resource does not matter. Whether the resource is the
   * user's at all is the host's to check, as without selections.
   *
   * @example
   * ```ts
   * if (!req.oauth?.allows('repo', `${owner}/${name}`)) return res.status(404).end();
   * ```
   */
  allows(scope: string, resourceId: string): boolean;
}

/**
 * The provider's `WWW-Authenticate` realm and its scopes (who may hold each), carried on the
 * context so that a guard running after `authenticate()` (the standalone `requireScope`) answers
 * in the same realm and by the same scope rules. A symbol: it is not part of the host-facing
 * shape and never appears in JSON.
 */
const VERIFIER = Symbol('express-oauth-provider.verifier');
/** Where the token was presented (`header`, `query`, `body`), for the answer's cache headers. */
const SOURCE = Symbol('express-oauth-provider.source');

/** What the standalone guard needs to know of the provider that verified a token. */
export interface Verifier {
  readonly realm: string;
  readonly scopes: ScopeRegistry;
}

/** The context as our guards build it. */
export interface VerifiedOAuthContext extends OAuthContext {
  readonly [VERIFIER]: Verifier;
  readonly [SOURCE]: 'header' | 'query' | 'body';
}

/** Builds `req.oauth` (one object, as before), remembering the provider that verified it. */
export function verifiedContext(
  token: TokenRecord,
  user: ResourceOwner | null,
  client: ApplicationRecord | null,
  effectiveScopes: ReadonlySet<string>,
  verifier: Verifier,
  source: 'header' | 'query' | 'body',
): VerifiedOAuthContext {
  const view = client === null ? null : guardView(client);
  const selection = token.resourceSelection;
  return {
    token,
    user,
    client: view,
    scopes: token.scopes,
    effectiveScopes,
    resourceSelection: selection,
    allows: (scope, resourceId) =>
      allowsResource(verifier.scopes, token.scopes, selection, scope, resourceId),
    [VERIFIER]: verifier,
    [SOURCE]: source,
  };
}

/** Where the token of a context our guards built was presented, or `null`. */
export function sourceOf(context: OAuthContext): string | null {
  const source: unknown = Reflect.get(context, SOURCE);
  return typeof source === 'string' ? source : null;
}

/** The provider that built this context, or `null` if none did. */
export function verifierOf(context: OAuthContext | undefined): Verifier | null {
  const verifier: unknown = context === undefined ? undefined : Reflect.get(context, VERIFIER);
  return typeof verifier === 'object' && verifier !== null ? (verifier as Verifier) : null;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `provider.authenticate()` for a request with a valid bearer token. */
      oauth?: OAuthContext;
    }
  }
}
