/**
 * The client metadata document fetcher's dense parts (draft-ietf-oauth-client-id-metadata-
 * document §6): which addresses are never fetched from, in every spelling, and how long a
 * document is used (`Cache-Control`). The fetch itself is tested through the authorization
 * endpoint (test/compliance/client-id-metadata-document.test.ts).
 */
import { maxAgeOf } from '../../lib/client-documents/fetch-document';
import { isForbiddenAddress, isLoopbackAddress } from '../../lib/client-documents/forbidden-addresses';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback /8'],
    ['::1', 'IPv6 loopback'],
    ['[::1]', 'bracketed IPv6 loopback'],
    ['10.1.2.3', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.0.1', 'RFC 1918'],
    ['169.254.169.254', 'link-local, cloud metadata'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'IPv6 unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'IPv6 multicast'],
    ['255.255.255.255', 'broadcast'],
    ['fd12:3456::1', 'unique local (RFC 4193)'],
    ['fc00::1', 'unique local (RFC 4193)'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a00:1', 'IPv4-mapped private, hex'],
    ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback, long form'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata address'],
    ['64:ff9b::a00:1', 'NAT64 of a private address'],
    ['192.0.2.1', 'documentation'],
    ['example.com', 'not an address at all'],
    ['', 'empty'],
  ])('%s is refused (%s)', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '100.128.0.1',
    '172.32.0.1',
  ])('%s is a public address', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('the testing allowance lets loopback through, and nothing else', () => {
    expect(isForbiddenAddress('127.0.0.1', true)).toBe(false);
    expect(isForbiddenAddress('::1', true)).toBe(false);
    expect(isForbiddenAddress('::ffff:127.0.0.1', true)).toBe(false);
    expect(isForbiddenAddress('10.0.0.1', true)).toBe(true);
    expect(isForbiddenAddress('169.254.169.254', true)).toBe(true);
    expect(isLoopbackAddress('127.0.0.2')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  });
});

describe('maxAgeOf (Cache-Control)', () => {
  it.each<[string | undefined, number | null]>([
    [undefined, null],
    ['max-age=600', 600],
    ['public, max-age=60', 60],
    ['MAX-AGE=5', 5],
    ['no-store', 0],
    ['no-cache, max-age=600', 0],
    ['max-age=abc', null],
    ['private', null],
  ])('%s → %s', (header, seconds) => {
    expect(maxAgeOf(header)).toBe(seconds);
  });
});
