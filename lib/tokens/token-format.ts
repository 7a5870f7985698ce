import { randomFillSync } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** Everything the provider mints: the five stored token kinds plus client secrets. */
export type SecretKind = 'access' | 'refresh' | 'code' | 'device' | 'personal' | 'client_secret';

const KIND_LETTERS: Record<SecretKind, string> = {
  access: 'a',
  refresh: 'r',
  code: 'c',
  device: 'd',
  personal: 'p',
  client_secret: 's',
};

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 32 base62 characters carry 190 bits of randomness (the floor is 128). */
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

function toBase62(value: number, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time: one call into the CSPRNG per ~100
 * tokens instead of one per token (the token endpoint's hottest native call otherwise).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const byte = pool[poolOffset] ?? 0;
  poolOffset += 1;
  return byte;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    // Rejection sampling keeps every character uniformly distributed (248 = 4 × 62).
    const byte = randomByte();
    if (byte < 248) out += ALPHABET.charAt(byte % 62);
  }
  return out;
}

/**
 * Mints and recognises our opaque tokens: `<namespace><kind letter>_<32 random base62><6 base62
 * CRC32 checksum>`, e.g. `eoa_…` for an access token. The prefix and checksum let secret scanners
 * (and our own guards) reject a malformed or mistyped token without a database look-up.
 */
export class TokenFormat {
  private readonly prefixes: ReadonlyMap<string, SecretKind>;
  private readonly prefixOf: Record<SecretKind, string>;

  constructor(namespace: string) {
    const prefixOf = {} as Record<SecretKind, string>;
    const prefixes = new Map<string, SecretKind>();
    for (const [kind, letter] of Object.entries(KIND_LETTERS) as [SecretKind, string][]) {
      const prefix = `${namespace}${letter}_`;
      prefixOf[kind] = prefix;
      prefixes.set(prefix, kind);
    }
    this.prefixOf = prefixOf;
    this.prefixes = prefixes;
  }

  /** The wire prefix of a kind, e.g. `eoa_`. */
  prefix(kind: SecretKind): string {
    return this.prefixOf[kind];
  }

  /** A fresh random token of this kind. */
  generate(kind: SecretKind): string {
    const body = `${this.prefixOf[kind]}${randomBase62(RANDOM_LENGTH)}`;
    return body + toBase62(crc32(body), CHECKSUM_LENGTH);
  }

  /** The kind of a well-formed token (right prefix, length and checksum), or `null`. */
  parse(token: string): SecretKind | null {
    const underscore = token.indexOf('_');
    if (underscore < 0) return null;
    const kind = this.prefixes.get(token.slice(0, underscore + 1));
    if (kind === undefined) return null;
    if (token.length !== underscore + 1 + RANDOM_LENGTH + CHECKSUM_LENGTH) return null;
    const body = token.slice(0, token.length - CHECKSUM_LENGTH);
    if (!/^[0-9A-Za-z]+$/.test(token.slice(underscore + 1))) return null;
    return toBase62(crc32(body), CHECKSUM_LENGTH) === token.slice(-CHECKSUM_LENGTH) ? kind : null;
  }
}
