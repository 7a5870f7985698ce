import { EventEmitter } from 'node:events';
import type { ClientAuthenticationFailure } from '../errors/oauth-error';

/**
 * What the provider tells a host for logging and audit. Payloads carry ids, never a secret or a
 * hash of one.
 */
export interface ProviderEventMap {
  /** A user approved an application (consent page, device page or password grant). */
  'authorization.granted': { userId: string; clientId: string; scopes: string[] };
  /** A user denied an application at the consent or device page. */
  'authorization.denied': { userId: string; clientId: string };
  /** Tokens were issued: by the token endpoint, or by the authorization endpoint for `implicit`. */
  'token.issued': {
    grantType: string;
    clientId: string;
    userId: string | null;
    scopes: string[];
    accessTokenId: string;
  };
  /** A refresh token was rotated. */
  'token.refreshed': { clientId: string; userId: string | null; scopes: string[]; accessTokenId: string };
  /** Tokens were revoked (revocation endpoint, settings, application deletion). */
  'token.revoked': { reason: string; clientId: string | null; userId: string | null; count: number };
  /** A user's authorization of an application was revoked with all its tokens. */
  'grant.revoked': { userId: string; clientId: string; reason: 'user' | 'admin' | 'refresh_token_reuse' };
  /** An authorization code was presented again; the tokens it led to were revoked. */
  'code.reused': { clientId: string; userId: string | null };
  /** A rotated refresh token was presented again; its grant's tokens were revoked. */
  'refresh_token.reused': { clientId: string; userId: string | null };
  /**
   * An authorization request or code exchange failed its PKCE check (RFC 7636): `reason` says
   * which (`missing_challenge`, `unsupported_method`, `malformed_challenge` at the authorization
   * endpoint; `missing_verifier`, `verifier_mismatch`, `unexpected_verifier` at the token
   * endpoint). Never the challenge or the verifier.
   */
  'authorization.pkce_failed': {
    clientId: string;
    userId: string | null;
    stage: 'authorize' | 'token';
    reason:
      | 'missing_challenge'
      | 'unsupported_method'
      | 'malformed_challenge'
      | 'missing_verifier'
      | 'verifier_mismatch'
      | 'unexpected_verifier';
  };
  /**
   * A `redirect_uri` did not match: at the authorization endpoint, none of the client's
   * registered ones (or none sent where one is needed); at the token endpoint, not the one of
   * the authorization request (RFC 6749 §4.1.3). Never the URI itself.
   */
  'authorization.redirect_mismatch': {
    clientId: string;
    stage: 'authorize' | 'token';
    reason: 'not_registered' | 'missing' | 'not_the_authorized_one';
  };
  /**
   * A client registration was refused (RFC 7591 registration or a client metadata document):
   * which way it came, the field at fault if one was, and why.
   */
  'registration.refused': {
    via: 'registration_endpoint' | 'metadata_document';
    clientId: string | null;
    field: string | null;
    reason: string;
  };
  /** An application's secret was reset; the old one no longer works. */
  'client.secret_reset': { clientId: string; applicationId: string };
  'application.created': { clientId: string; applicationId: string; ownerId: string | null };
  'application.deleted': { clientId: string; applicationId: string };
  /**
   * A client failed to authenticate at the token, revocation, introspection or device endpoint.
   * `reason`: `unknown_client`, `invalid_secret`, `missing_secret` (a confidential client sent
   * none), `unexpected_secret` (a public client sent one). Never the secret.
   */
  'client.authentication_failed': {
    clientId: string;
    method: 'client_secret_basic' | 'client_secret_post' | 'none';
    reason: ClientAuthenticationFailure;
  };
  /**
   * A request was refused by a limit (`limit`: its name, e.g. `token.address`, `client_authentication.failures`,
   * `applications.user`). `keyKind` says what was counted. An address is personal data, so it is
   * never given raw: `address` is a pseudonym (the first 16 hex digits of its SHA-256), the same
   * for one address across processes, enough to correlate events and no more.
   */
  'limit.exceeded': {
    limit: string;
    keyKind: 'address' | 'client' | 'user';
    clientId: string | null;
    userId: string | null;
    address: string | null;
  };
}

export type ProviderEventName = keyof ProviderEventMap;

/** What every emitted event is also handed to (the provider's logger). */
export type EventObserver = <K extends ProviderEventName>(name: K, event: ProviderEventMap[K]) => void;

/**
 * A typed event emitter. A listener that throws never breaks the request that emitted: its error
 * goes to the provider's `onError`.
 *
 * @example
 * ```ts
 * provider.events.on('token.revoked', (event) => audit.log('token.revoked', event));
 * ```
 */
export class ProviderEvents {
  private readonly emitter = new EventEmitter();

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly observer?: EventObserver,
  ) {}

  on<K extends ProviderEventName>(name: K, listener: (event: ProviderEventMap[K]) => void): this {
    this.emitter.on(name, listener);
    return this;
  }

  off<K extends ProviderEventName>(name: K, listener: (event: ProviderEventMap[K]) => void): this {
    this.emitter.off(name, listener);
    return this;
  }

  emit<K extends ProviderEventName>(name: K, event: ProviderEventMap[K]): void {
    try {
      this.observer?.(name, event);
    } catch (error) {
      this.onError(error);
    }
    for (const listener of this.emitter.listeners(name)) {
      try {
        (listener as (event: ProviderEventMap[K]) => void)(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
