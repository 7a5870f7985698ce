/** RFC 6750 §3: the one builder of `WWW-Authenticate: Bearer` challenges. */
import { InsufficientScopeError, InvalidTokenError, MissingTokenError } from '../../lib/errors/oauth-error';
import { bearerChallenge } from '../../lib/respond/bearer';

describe('bearerChallenge', () => {
  it('no token at all: the realm only, no error code (§3.1)', () => {
    expect(bearerChallenge('api.example', new MissingTokenError())).toBe('Bearer realm="api.example"');
  });

  it('an error: its code and description; insufficient_scope also names the scope', () => {
    expect(bearerChallenge('r', new InvalidTokenError('expired'))).toBe(
      'Bearer realm="r", error="invalid_token", error_description="expired"',
    );
    expect(bearerChallenge('r', new InsufficientScopeError(['repo', 'gist']))).toBe(
      'Bearer realm="r", error="insufficient_scope", ' +
        'error_description="This resource requires one of the scopes: repo, gist", scope="repo gist"',
    );
  });

  it('keeps only %x20-21 / %x23-5B / %x5D-7E in every value: no quote, backslash, control or non-ASCII', () => {
    const challenge = bearerChallenge('my "realm"\\ä', new InvalidTokenError('bad\r\n"token"\u0000 ✓ ok'));
    expect(challenge).toBe(
      'Bearer realm="my realm", error="invalid_token", error_description="badtoken  ok"',
    );
    // Every quoted value is well-formed: nothing between the quotes outside the allowed set.
    for (const [, value] of challenge.matchAll(/="([^"]*)"/g)) {
      expect(value).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
    }
  });

  it('an unknown realm is left out rather than invented', () => {
    expect(bearerChallenge(null, new MissingTokenError())).toBe('Bearer');
    expect(bearerChallenge(null, new InvalidTokenError('x'))).toBe(
      'Bearer error="invalid_token", error_description="x"',
    );
  });
});
