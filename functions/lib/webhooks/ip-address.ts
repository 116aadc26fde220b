import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an IP address is, as far as sending a webhook to it goes.
 *
 * - `public`: anything globally routable: always allowed.
 * - `loopback`, `private`: this host and private networks (RFC 1918, CGNAT, unique-local):
 *   refused unless the deployment allows private targets (the local stack does).
 * - `link_local`, `metadata`, `reserved`: link-local (where cloud metadata lives), the known
 *   metadata services, and everything not routable (unspecified, multicast, broadcast,
 *   documentation ranges, tunnels that can hide an arbitrary IPv4 address): refused everywhere.
 */
export const AddressClass = {
  public: 'public',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link_local',
  metadata: 'metadata',
  reserved: 'reserved',
} as const;
export type AddressClass = (typeof AddressClass)[keyof typeof AddressClass];

/** Classes a deployment may open up with WEBHOOK_ALLOW_PRIVATE_TARGETS; the others never open. */
export const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set([AddressClass.loopback, AddressClass.private]);

interface Ipv4Range {
  base: number;
  prefix: number;
  class: AddressClass;
}

const v4 = (dotted: string, prefix: number, cls: AddressClass): Ipv4Range => ({ base: ipv4ToNumber(dotted)!, prefix, class: cls });

// Most specific first: the first range that contains the address decides.
const IPV4_RANGES: Ipv4Range[] = [
  v4('169.254.169.254', 32, AddressClass.metadata), // EC2, GCP, Azure, OpenStack instance metadata
  v4('169.254.170.2', 32, AddressClass.metadata), // ECS task metadata and credentials
  v4('169.254.170.23', 32, AddressClass.metadata), // EKS Pod Identity agent
  v4('100.100.100.200', 32, AddressClass.metadata), // Alibaba Cloud metadata (inside CGNAT space)
  v4('192.0.0.192', 32, AddressClass.metadata), // Oracle Cloud classic metadata
  v4('0.0.0.0', 8, AddressClass.reserved), // "this network": 0.0.0.0 reaches localhost on Linux
  v4('10.0.0.0', 8, AddressClass.private),
  v4('100.64.0.0', 10, AddressClass.private), // carrier-grade NAT, RFC 6598
  v4('127.0.0.0', 8, AddressClass.loopback),
  v4('169.254.0.0', 16, AddressClass.linkLocal),
  v4('172.16.0.0', 12, AddressClass.private),
  v4('192.0.0.0', 24, AddressClass.reserved), // IETF protocol assignments
  v4('192.0.2.0', 24, AddressClass.reserved), // TEST-NET-1
  v4('192.88.99.0', 24, AddressClass.reserved), // 6to4 relay anycast (deprecated)
  v4('192.168.0.0', 16, AddressClass.private),
  v4('198.18.0.0', 15, AddressClass.reserved), // benchmarking
  v4('198.51.100.0', 24, AddressClass.reserved), // TEST-NET-2
  v4('203.0.113.0', 24, AddressClass.reserved), // TEST-NET-3
  v4('224.0.0.0', 4, AddressClass.reserved), // multicast
  v4('240.0.0.0', 4, AddressClass.reserved), // future use, and 255.255.255.255 broadcast
];

/** Dotted quad (canonical, as resolvers and the WHATWG URL parser give it) → 32-bit number. */
export function ipv4ToNumber(address: string): number | undefined {
  if (!isIPv4(address)) return undefined;
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function classifyIpv4Number(value: number): AddressClass {
  for (const range of IPV4_RANGES) {
    const size = 2 ** (32 - range.prefix);
    if (value >= range.base && value < range.base + size) return range.class;
  }
  return AddressClass.public;
}

/** IPv6 text → its eight 16-bit groups; undefined when it is not an IPv6 address. */
export function parseIpv6(address: string): number[] | undefined {
  if (!isIPv6(address) || address.includes('%')) return undefined;
  let text = address.toLowerCase();
  // A trailing dotted quad (::ffff:127.0.0.1) is two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const value = ipv4ToNumber(tail);
    if (value === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length;
  const groups = rest === undefined ? left : [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

const embeddedIpv4 = (high: number, low: number): number => high * 65536 + low;

function classifyIpv6Groups(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroUpTo = (count: number) => g.slice(0, count).every((group) => group === 0);

  if (zeroUpTo(7) && g7 === 0) return AddressClass.reserved; // :: unspecified
  if (zeroUpTo(7) && g7 === 1) return AddressClass.loopback; // ::1
  // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, SIIT ::ffff:0:a.b.c.d, NAT64
  // 64:ff9b::a.b.c.d: each reaches the IPv4 address inside, so it is judged as that address.
  if (zeroUpTo(5) && (g5 === 0xffff || g5 === 0)) return classifyIpv4Number(embeddedIpv4(g6, g7));
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return classifyIpv4Number(embeddedIpv4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIpv4Number(embeddedIpv4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return AddressClass.private; // local-use NAT64, RFC 8215
  if (g0 === 0x2002) return classifyIpv4Number(embeddedIpv4(g1, g2)); // 6to4 carries an IPv4 address
  if (g0 === 0x2001 && g1 === 0) return AddressClass.reserved; // Teredo: hides an arbitrary IPv4 address
  if (g0 === 0x2001 && g1 === 0x0db8) return AddressClass.reserved; // documentation
  if (g0 === 0x2001 && (g1 & 0xffe0) === 0x0020) return AddressClass.reserved; // ORCHIDv2
  if (g0 === 0x2001 && (g1 & 0xfff0) === 0x0010) return AddressClass.reserved; // ORCHID
  if ((g0 & 0xfff0) === 0x3ff0) return AddressClass.reserved; // 3fff::/20 documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return AddressClass.reserved; // discard-only
  if (g0 === 0xfd00 && g1 === 0x0ec2) return AddressClass.metadata; // EC2 IMDS over IPv6 (fd00:ec2::254)
  if ((g0 & 0xfe00) === 0xfc00) return AddressClass.private; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return AddressClass.linkLocal;
  if ((g0 & 0xffc0) === 0xfec0) return AddressClass.private; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return AddressClass.reserved; // multicast
  if ((g0 & 0xe000) !== 0x2000) return AddressClass.reserved; // outside global unicast 2000::/3
  return AddressClass.public;
}

/** The class of an IP address in text form (IPv4 dotted quad or IPv6); undefined if it is neither. */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const ipv4 = ipv4ToNumber(bare);
  if (ipv4 !== undefined) return classifyIpv4Number(ipv4);
  if (bare.includes('%') && isIPv6(bare)) return AddressClass.linkLocal; // only link-local addresses carry a zone
  const groups = parseIpv6(bare);
  return groups ? classifyIpv6Groups(groups) : undefined;
}
