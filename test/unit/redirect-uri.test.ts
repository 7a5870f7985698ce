import { matchRedirectUri } from '../../lib/clients/redirect-uri';

const WEB = 'https://app.example.com:8443/oauth/callback?tenant=1';

describe('matchRedirectUri', () => {
  describe('exact matching (RFC 9700 §4.1.3)', () => {
    it('accepts the registered URI as is', () => {
      expect(matchRedirectUri([WEB], WEB)).toBe(WEB);
      expect(matchRedirectUri(['https://a.example/cb', WEB], WEB)).toBe(WEB);
    });

    it.each([
      ['another port', 'https://app.example.com:9443/oauth/callback?tenant=1'],
      ['the default port', 'https://app.example.com/oauth/callback?tenant=1'],
      ['another path', 'https://app.example.com:8443/oauth/callback2?tenant=1'],
      ['a path prefix', 'https://app.example.com:8443/oauth/call?tenant=1'],
      ['a trailing slash', 'https://app.example.com:8443/oauth/callback/?tenant=1'],
      ['another query', 'https://app.example.com:8443/oauth/callback?tenant=2'],
      ['an extra query parameter', 'https://app.example.com:8443/oauth/callback?tenant=1&x=1'],
      ['no query', 'https://app.example.com:8443/oauth/callback'],
      ['another scheme', 'http://app.example.com:8443/oauth/callback?tenant=1'],
      ['another host', 'https://evil.example.com:8443/oauth/callback?tenant=1'],
      ['a subdomain', 'https://x.app.example.com:8443/oauth/callback?tenant=1'],
      ['a fragment', `${WEB}#frag`],
      ['user info', 'https://user@app.example.com:8443/oauth/callback?tenant=1'],
      ['not a URL', 'not a url'],
    ])('refuses %s', (_label, requested) => {
      expect(matchRedirectUri([WEB], requested)).toBeNull();
    });

    it('treats a trailing slash as a different URI both ways', () => {
      expect(matchRedirectUri(['https://a.example/cb/'], 'https://a.example/cb')).toBeNull();
      expect(matchRedirectUri(['https://a.example/cb'], 'https://a.example/cb/')).toBeNull();
    });
  });

  describe('loopback redirect URIs (RFC 8252 §7.3)', () => {
    it('matches http://127.0.0.1 on any port', () => {
      const registered = ['http://127.0.0.1/callback'];
      expect(matchRedirectUri(registered, 'http://127.0.0.1:51234/callback')).toBe(
        'http://127.0.0.1:51234/callback',
      );
      expect(matchRedirectUri(registered, 'http://127.0.0.1:1/callback')).toBe('http://127.0.0.1:1/callback');
      expect(matchRedirectUri(['http://127.0.0.1:8080/callback'], 'http://127.0.0.1:9090/callback')).toBe(
        'http://127.0.0.1:9090/callback',
      );
    });

    it('matches http://[::1] on any port', () => {
      expect(matchRedirectUri(['http://[::1]/cb'], 'http://[::1]:61000/cb')).toBe('http://[::1]:61000/cb');
      expect(matchRedirectUri(['http://[::1]:3000/cb'], 'http://[::1]:4000/cb')).toBe('http://[::1]:4000/cb');
    });

    it('still compares path and query of loopback URIs', () => {
      expect(matchRedirectUri(['http://127.0.0.1/callback'], 'http://127.0.0.1:5000/other')).toBeNull();
      expect(
        matchRedirectUri(['http://127.0.0.1/callback?a=1'], 'http://127.0.0.1:5000/callback?a=2'),
      ).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/callback'], 'http://127.0.0.1:5000/callback/')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/callback'], 'http://127.0.0.1:5000/callback#x')).toBeNull();
    });

    it('does not let one loopback address stand for the other', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://[::1]:5000/cb')).toBeNull();
      expect(matchRedirectUri(['http://[::1]/cb'], 'http://127.0.0.1:5000/cb')).toBeNull();
    });

    it('matches localhost exactly only', () => {
      expect(matchRedirectUri(['http://localhost:3000/cb'], 'http://localhost:3000/cb')).toBe(
        'http://localhost:3000/cb',
      );
      expect(matchRedirectUri(['http://localhost:3000/cb'], 'http://localhost:3001/cb')).toBeNull();
      expect(matchRedirectUri(['http://localhost/cb'], 'http://localhost:3001/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://localhost:3001/cb')).toBeNull();
    });

    it('does not free the port of https loopback URIs', () => {
      expect(matchRedirectUri(['https://127.0.0.1:8443/cb'], 'https://127.0.0.1:9443/cb')).toBeNull();
      expect(matchRedirectUri(['https://127.0.0.1/cb'], 'http://127.0.0.1:9443/cb')).toBeNull();
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'https://127.0.0.1:9443/cb')).toBeNull();
    });

    it('refuses credentials in a loopback URI', () => {
      expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://evil@127.0.0.1:5000/cb')).toBeNull();
    });
  });
});
