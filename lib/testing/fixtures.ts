/**
 * Record factories for adapter tests. Every call makes fresh ids (`randomUUID()`) and fresh
 * SHA-256 hex hashes, so tests never collide even when they share a store.
 *
 * Dates come from {@link at}: whole seconds after 2099-01-01. They are explicit and distinct, so
 * ordering never depends on the clock's resolution, and they lie in the future, so an adapter's
 * own expiry (a MongoDB TTL index) never deletes a record in the middle of a test.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApplicationRecord, GrantRecord, TokenRecord } from '../storage/storage-adapter';

const EPOCH = Date.UTC(2099, 0, 1);

/** The date `seconds` after the suite's epoch (2099-01-01T00:00:00Z). */
export function at(seconds: number): Date {
  return new Date(EPOCH + seconds * 1000);
}

/** A fresh SHA-256 hex digest of 32 random bytes, shaped like every hash the core stores. */
export function randomHash(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

/** A fresh id, as the core makes them. */
export function randomId(): string {
  return randomUUID();
}

/** A confidential application registered by a fresh user (`trust: 'user'`), created at `at(0)`. */
export function makeApplication(overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    id: randomUUID(),
    clientId: `client-${randomUUID()}`,
    clientSecretHash: randomHash(),
    name: 'Conformance app',
    homepageUrl: 'https://app.example.com',
    redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1/callback'],
    confidential: true,
    scopes: ['repo', 'user'],
    ownerId: randomUUID(),
    trust: 'user',
    skipConsent: false,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

/** A grant of a fresh user to a fresh application, never used. */
export function makeGrant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    applicationId: randomUUID(),
    scopes: ['repo'],
    resourceSelection: null,
    audience: [],
    createdAt: at(0),
    updatedAt: at(0),
    lastUsedAt: null,
    ...overrides,
  };
}

/**
 * An access token of a fresh user, application and grant, created at `at(0)` and expiring an
 * hour later. Pass `kind` and the fields that go with it (see {@link makeCode}, {@link makePersonalToken}).
 */
export function makeToken(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: randomUUID(),
    kind: 'access',
    hash: randomHash(),
    applicationId: randomUUID(),
    userId: randomUUID(),
    grantId: randomUUID(),
    familyId: null,
    scopes: ['repo'],
    resourceSelection: null,
    audience: [],
    createdAt: at(0),
    expiresAt: at(3600),
    revokedAt: null,
    consumedAt: null,
    lastUsedAt: null,
    name: null,
    redirectUri: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    ...overrides,
  };
}

/** An authorization code with a redirect URI and an S256 PKCE challenge, valid for 10 minutes. */
export function makeCode(overrides: Partial<TokenRecord> = {}): TokenRecord {
  const id = overrides.id ?? randomUUID();
  return makeToken({
    id,
    kind: 'code',
    familyId: id,
    expiresAt: at(600),
    redirectUri: 'https://app.example.com/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    ...overrides,
  });
}

/** A named personal access token: no application, no grant, never expires. */
export function makePersonalToken(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return makeToken({
    kind: 'personal',
    applicationId: null,
    grantId: null,
    expiresAt: null,
    name: 'deploy script',
    ...overrides,
  });
}
