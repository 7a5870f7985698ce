import { createHash } from 'node:crypto';
import { isValidPkceValue, verifyPkce } from '../../lib/grants/pkce';

// RFC 7636 Appendix B example.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE (RFC 7636)', () => {
  it('verifies the Appendix B S256 example', () => {
    expect(createHash('sha256').update(VERIFIER).digest('base64url')).toBe(CHALLENGE);
    expect(verifyPkce(VERIFIER, CHALLENGE, 'S256')).toBe(true);
  });

  it('refuses a wrong verifier', () => {
    expect(verifyPkce(`${VERIFIER.slice(0, -1)}J`, CHALLENGE, 'S256')).toBe(false);
    expect(verifyPkce(CHALLENGE, CHALLENGE, 'S256')).toBe(false);
  });

  it('plain compares the verifier itself', () => {
    expect(verifyPkce(VERIFIER, VERIFIER, 'plain')).toBe(true);
    expect(verifyPkce(VERIFIER, CHALLENGE, 'plain')).toBe(false);
  });

  it('accepts 43 to 128 characters of [A-Za-z0-9-._~] (§4.1)', () => {
    expect(isValidPkceValue('a'.repeat(43))).toBe(true);
    expect(isValidPkceValue('a'.repeat(128))).toBe(true);
    expect(isValidPkceValue('aA0-._~'.repeat(7))).toBe(true);
    expect(isValidPkceValue('a'.repeat(42))).toBe(false);
    expect(isValidPkceValue('a'.repeat(129))).toBe(false);
    expect(isValidPkceValue(`${'a'.repeat(42)}+`)).toBe(false);
    expect(isValidPkceValue(`${'a'.repeat(42)}=`)).toBe(false);
    expect(isValidPkceValue(`${'a'.repeat(42)} `)).toBe(false);
  });

  it('refuses a malformed verifier even when it would match a plain challenge', () => {
    const short = 'short';
    expect(verifyPkce(short, short, 'plain')).toBe(false);
  });
});
