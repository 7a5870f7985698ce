import { type SecretKind, TokenFormat } from '../../lib/tokens/token-format';

const format = new TokenFormat('eo');
const KINDS: [SecretKind, string][] = [
  ['access', 'eoa_'],
  ['refresh', 'eor_'],
  ['code', 'eoc_'],
  ['device', 'eod_'],
  ['personal', 'eop_'],
  ['client_secret', 'eos_'],
];

/** Changes one character at `index` to another character of the base62 alphabet. */
function changeAt(token: string, index: number): string {
  const current = token.charAt(index);
  const replacement = current === 'A' ? 'B' : 'A';
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

describe('TokenFormat', () => {
  it.each(KINDS)('gives %s tokens the distinct prefix %s and recognises them', (kind, prefix) => {
    const token = format.generate(kind);
    expect(token.startsWith(prefix)).toBe(true);
    expect(format.prefix(kind)).toBe(prefix);
    expect(format.parse(token)).toBe(kind);
  });

  it('uses distinct prefixes for every kind', () => {
    expect(new Set(KINDS.map(([kind]) => format.prefix(kind))).size).toBe(KINDS.length);
  });

  it('carries at least 128 bits of randomness: 32 base62 characters plus a 6-character checksum', () => {
    const token = format.generate('access');
    const body = token.slice('eoa_'.length);
    expect(body).toMatch(/^[0-9A-Za-z]{38}$/);
    // 32 random characters from a 62-letter alphabet: 32 × log2(62) ≈ 190 bits ≥ 128.
    expect(32 * Math.log2(62)).toBeGreaterThanOrEqual(128);
  });

  it('never repeats and uses the whole alphabet', () => {
    const tokens = Array.from({ length: 2000 }, () => format.generate('access'));
    expect(new Set(tokens).size).toBe(tokens.length);
    const characters = new Set(tokens.flatMap((token) => [...token.slice(4, 36)]));
    expect(characters.size).toBe(62);
  });

  it('rejects a token with any single character changed (checksum)', () => {
    const token = format.generate('refresh');
    for (let index = 4; index < token.length; index++) {
      expect(format.parse(changeAt(token, index))).toBeNull();
    }
  });

  it('rejects a changed kind letter even with an otherwise valid body', () => {
    const token = format.generate('access');
    expect(format.parse(`eor_${token.slice(4)}`)).toBeNull();
  });

  it('rejects truncated, extended, foreign and junk strings', () => {
    const token = format.generate('access');
    expect(format.parse(token.slice(0, -1))).toBeNull();
    expect(format.parse(`${token}A`)).toBeNull();
    expect(format.parse(`gho_${token.slice(4)}`)).toBeNull();
    expect(format.parse('')).toBeNull();
    expect(format.parse('eoa_')).toBeNull();
    expect(format.parse(`eoa_${'!'.repeat(38)}`)).toBeNull();
    expect(format.parse('no underscore at all')).toBeNull();
  });

  it('keeps namespaces apart', () => {
    const other = new TokenFormat('acme');
    const token = other.generate('personal');
    expect(token.startsWith('acmep_')).toBe(true);
    expect(other.parse(token)).toBe('personal');
    expect(format.parse(token)).toBeNull();
  });
});
