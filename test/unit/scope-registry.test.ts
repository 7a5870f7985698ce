import { InvalidScopeError } from '../../lib';
import { ScopeRegistry } from '../../lib/scopes/scope-registry';

const registry = new ScopeRegistry({
  user: { description: 'Read your profile' },
  repo: { description: 'Repositories', includes: ['public_repo', 'repo:status'] },
  'repo:status': { description: 'Commit statuses' },
  public_repo: { description: 'Public repositories' },
  admin: { description: 'Everything', includes: ['repo', 'user'] },
  gist: { description: 'Gists' },
});

describe('ScopeRegistry', () => {
  it('lists the declared scopes in declaration order and describes them', () => {
    expect(registry.names).toEqual(['user', 'repo', 'repo:status', 'public_repo', 'admin', 'gist']);
    expect(registry.has('repo')).toBe(true);
    expect(registry.has('nope')).toBe(false);
    expect(registry.describe('gist')).toBe('Gists');
  });

  describe('includes', () => {
    it('expands a scope to everything it includes, transitively', () => {
      expect([...registry.expand(['repo'])].sort()).toEqual(['public_repo', 'repo', 'repo:status']);
      expect([...registry.expand(['admin'])].sort()).toEqual([
        'admin',
        'public_repo',
        'repo',
        'repo:status',
        'user',
      ]);
    });

    it('covers: repo covers public_repo, not the other way round', () => {
      expect(registry.covers(['repo'], ['public_repo'])).toBe(true);
      expect(registry.covers(['repo'], ['repo', 'public_repo'])).toBe(true);
      expect(registry.covers(['public_repo'], ['repo'])).toBe(false);
      expect(registry.covers(['repo'], ['gist'])).toBe(false);
      expect(registry.covers(['admin'], ['repo:status', 'user'])).toBe(true);
      expect(registry.covers([], [])).toBe(true);
    });
  });

  describe('normalize', () => {
    it('drops scopes implied by others: "repo public_repo" → "repo"', () => {
      expect(registry.normalize(['repo', 'public_repo'])).toEqual(['repo']);
      expect(registry.normalize(['public_repo', 'repo'])).toEqual(['repo']);
      expect(registry.normalize(['admin', 'repo', 'gist', 'user'])).toEqual(['admin', 'gist']);
    });

    it('removes duplicates and keeps unrelated scopes in order', () => {
      expect(registry.normalize(['gist', 'user', 'gist'])).toEqual(['gist', 'user']);
      expect(registry.normalize([])).toEqual([]);
    });
  });

  describe('parse', () => {
    it('splits on spaces (RFC 6749 §3.3) and on commas (as GitHub does)', () => {
      expect(registry.parse('repo gist')).toEqual(['repo', 'gist']);
      expect(registry.parse('repo,gist')).toEqual(['repo', 'gist']);
      expect(registry.parse(' repo, gist  user ,')).toEqual(['repo', 'gist', 'user']);
    });

    it('deduplicates and accepts an empty string', () => {
      expect(registry.parse('gist gist,gist')).toEqual(['gist']);
      expect(registry.parse('')).toEqual([]);
      expect(registry.parse(' , ')).toEqual([]);
    });

    it('refuses an unknown scope with invalid_scope', () => {
      expect(() => registry.parse('repo unknown')).toThrow(InvalidScopeError);
      expect(() => registry.parse('REPO')).toThrow(/^Unknown scope \(/);
    });

    it('refuses characters RFC 6749 §3.3 forbids, and truncates what it echoes', () => {
      expect(() => registry.parse('re"po')).toThrow(InvalidScopeError);
      expect(() => registry.parse('répo')).toThrow(InvalidScopeError);
      const long = 'x'.repeat(5000);
      let message = '';
      try {
        registry.parse(long);
      } catch (error) {
        message = error instanceof Error ? error.message : '';
      }
      expect(message.length).toBeLessThan(100);
    });

    it('marks the error redirectable when asked (authorization endpoint)', () => {
      let caught: unknown;
      try {
        registry.parse('nope', { redirectable: true });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidScopeError);
      expect(caught).toMatchObject({ code: 'invalid_scope', status: 400, redirectable: true });
    });
  });

  describe('acceptedFor', () => {
    it('lists the scope itself and every scope that includes it', () => {
      expect(registry.acceptedFor('public_repo').sort()).toEqual(['admin', 'public_repo', 'repo']);
      expect(registry.acceptedFor('repo').sort()).toEqual(['admin', 'repo']);
      expect(registry.acceptedFor('gist')).toEqual(['gist']);
    });
  });

  describe('holders (RFC 9700 §4.15)', () => {
    const held = new ScopeRegistry({
      user: { description: 'Profile' },
      repo: { description: 'Repositories', includes: ['public_repo'] },
      public_repo: { description: 'Public repositories' },
      'ci:status': { description: 'Statuses', holders: ['client'] },
      metrics: { description: 'Metrics', holders: ['user', 'client'] },
    });

    it('users hold a scope unless it says otherwise; clients only what lists them', () => {
      expect(held.heldBy('user', 'user')).toBe(true);
      expect(held.heldBy('user', 'client')).toBe(false);
      expect(held.heldBy('ci:status', 'user')).toBe(false);
      expect(held.heldBy('ci:status', 'client')).toBe(true);
      expect(held.heldBy('metrics', 'user')).toBe(true);
      expect(held.heldBy('metrics', 'client')).toBe(true);
      expect(held.heldBy('ghost', 'user')).toBe(false);
    });

    it('requireHeldBy refuses the first scope the holder may not hold, with invalid_scope', () => {
      expect(() => held.requireHeldBy(['metrics', 'ci:status'], 'client')).not.toThrow();
      expect(() => held.requireHeldBy(['user', 'ci:status'], 'user')).toThrow(InvalidScopeError);
      expect(() => held.requireHeldBy(['ci:status', 'repo'], 'client')).toThrow(/repo/);
    });

    it('narrow keeps what is granted and still allowed, with inclusions, normalised', () => {
      expect(held.narrow(['repo', 'user'], [])).toEqual(['repo', 'user']);
      expect(held.narrow(['repo', 'user'], ['user'])).toEqual(['user']);
      expect(held.narrow(['repo'], ['public_repo'])).toEqual(['public_repo']);
      expect(held.narrow(['public_repo'], ['repo'])).toEqual(['public_repo']);
      expect(held.narrow(['repo'], ['user'])).toEqual([]);
      expect(held.narrow(['retired', 'user'], [])).toEqual(['user']);
    });
  });

  it('survives include cycles', () => {
    const cyclic = new ScopeRegistry({
      a: { description: 'A', includes: ['b'] },
      b: { description: 'B', includes: ['a'] },
    });
    expect([...cyclic.expand(['a'])].sort()).toEqual(['a', 'b']);
    expect(cyclic.covers(['b'], ['a'])).toBe(true);
  });
});
