import { BlockList, isIP } from 'node:net';

/**
 * The addresses a client metadata document is never fetched from (SSRF, RFC 9700 §4.14 and
 * draft-ietf-oauth-client-id-metadata-document §6): everything that is not a public unicast
 * address. Checked on every address the name resolves to, after resolution and before connecting.
 */
const FORBIDDEN_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const FORBIDDEN_V6: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64, may reach any IPv4 address
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const forbidden = new BlockList();
for (const [network, prefix] of FORBIDDEN_V4) forbidden.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of FORBIDDEN_V6) forbidden.addSubnet(network, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part counts as two). */
function groupsOf(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (side: string) =>
    side === '' ? [] : side.split(':').map((group) => Number.parseInt(group, 16));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** `::ffff:10.0.0.1` (in any spelling) as the IPv4 address it stands for, else `null`. */
function mappedIPv4(address: string): string | null {
  const groups = groupsOf(address);
  if (groups.slice(0, 5).some((group) => group !== 0) || groups[5] !== 0xffff) return null;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** An address in the form the checks read: IPv4-mapped IPv6 as its IPv4 address. */
function normalized(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: 'ipv4' };
  if (version !== 6) return null;
  const mapped = mappedIPv4(bare);
  return mapped === null ? { address: bare, family: 'ipv6' } : { address: mapped, family: 'ipv4' };
}

/** Whether `address` is loopback (`127.0.0.0/8`, `::1`, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string): boolean {
  const checked = normalized(address);
  return checked !== null && loopback.check(checked.address, checked.family);
}

/**
 * Whether a document may not be fetched from `address`: not an IP address at all, or loopback,
 * private (RFC 1918, RFC 4193), link-local (incl. `169.254.169.254`), CGNAT, unspecified,
 * multicast, reserved or documentation ranges, or IPv4-mapped IPv6 of any of them.
 * `allowLoopback` (the documented testing option only) lets loopback through, nothing else.
 */
export function isForbiddenAddress(address: string, allowLoopback = false): boolean {
  const checked = normalized(address);
  if (checked === null) return true;
  if (allowLoopback && loopback.check(checked.address, checked.family)) return false;
  return forbidden.check(checked.address, checked.family);
}
