import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { AddressClass, classifyAddress, PRIVATE_CLASSES } from './ip-address';

/**
 * Keeps webhook deliveries from becoming a way into our own network (SSRF). Endpoint URLs
 * are checked when they are registered and again at every delivery, where the connection
 * goes to the very address that was checked (a custom `lookup` for the socket), so a DNS
 * answer that changes in between (rebinding) cannot slip through. Redirects are never
 * followed, so a public URL cannot bounce us inwards either.
 */
export interface WebhookTargetPolicy {
  /** Allow `http://` URLs (the local stack; never in production). */
  allowHttp: boolean;
  /** Allow loopback and private addresses (the local stack). Link-local and metadata stay refused. */
  allowPrivateTargets: boolean;
}

export const strictTargetPolicy: WebhookTargetPolicy = { allowHttp: false, allowPrivateTargets: false };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a hostname resolves to (dns.lookup with `all`), as the socket would see them. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 })));
    });
  });

/** Why a URL or address was refused; the message is safe to show to the merchant. */
export class WebhookTargetRefusedError extends Error {
  constructor(message: string, readonly addressClass?: AddressClass) {
    super(message);
    this.name = 'WebhookTargetRefusedError';
  }
}

/** Hostnames of metadata services, refused whatever they resolve to. */
const METADATA_HOSTNAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

const MAX_URL_LENGTH = 2048;

const isLocalhostName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

const CLASS_WORDS: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata address',
  reserved: 'a reserved or non-routable address',
};

/** Refuses an address this deployment may not send webhooks to. */
export function assertAddressAllowed(address: string, policy: WebhookTargetPolicy): void {
  const addressClass = classifyAddress(address);
  if (addressClass === undefined) throw new WebhookTargetRefusedError(`url resolves to something that is not an IP address`);
  if (addressClass === AddressClass.public) return;
  if (policy.allowPrivateTargets && PRIVATE_CLASSES.has(addressClass)) return;
  throw new WebhookTargetRefusedError(`url must not point at ${CLASS_WORDS[addressClass]}`, addressClass);
}

/** The hostname as the socket will use it: brackets off an IPv6 literal, no trailing dot, lower case. */
export function hostOf(url: URL): string {
  const host = url.hostname.toLowerCase();
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

/**
 * The checks that need no DNS: a well-formed absolute URL, https (or http where allowed), no
 * credentials, and a host that is not a refused IP literal or a metadata or localhost name.
 * The WHATWG parser turns every IPv4 spelling (2130706433, 0x7f.1, 0177.0.0.1, 127.1) into
 * its dotted quad first, so these are judged as the address they really are.
 */
export function parseWebhookUrl(raw: string, policy: WebhookTargetPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) throw new WebhookTargetRefusedError(`url must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetRefusedError('url must be an absolute https:// URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new WebhookTargetRefusedError(policy.allowHttp ? 'url must be an http:// or https:// URL' : 'url must be an https:// URL');
  }
  if (url.username !== '' || url.password !== '') throw new WebhookTargetRefusedError('url must not contain credentials');
  const host = hostOf(url);
  if (host === '') throw new WebhookTargetRefusedError('url must have a host');
  if (METADATA_HOSTNAMES.has(host)) throw new WebhookTargetRefusedError(`url must not point at ${CLASS_WORDS.metadata}`, AddressClass.metadata);
  if (isLocalhostName(host)) assertAddressAllowed('127.0.0.1', policy);
  if (classifyAddress(host) !== undefined) assertAddressAllowed(host, policy);
  return url;
}

/**
 * The full check at registration: the URL itself, then every address its host resolves to
 * (one refused address refuses the URL: the socket could pick any of them).
 */
export async function checkWebhookUrl(raw: string, policy: WebhookTargetPolicy, resolve: Resolver = systemResolver): Promise<URL> {
  const url = parseWebhookUrl(raw, policy);
  const host = hostOf(url);
  if (classifyAddress(host) !== undefined) return url;
  await resolveAllowed(host, policy, resolve);
  return url;
}

async function resolveAllowed(host: string, policy: WebhookTargetPolicy, resolve: Resolver): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    // RFC 6761: localhost names are loopback, whatever a resolver would say.
    addresses = isLocalhostName(host) ? [{ address: '127.0.0.1', family: 4 }] : await resolve(host);
  } catch (error) {
    throw new WebhookTargetRefusedError(`url host does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
  }
  if (addresses.length === 0) throw new WebhookTargetRefusedError('url host does not resolve');
  for (const { address } of addresses) assertAddressAllowed(address, policy);
  return addresses;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls sockets that resolves, checks every address, and hands the socket
 * only checked ones: the connection goes to what was validated, never to a second answer.
 */
export function guardedLookup(policy: WebhookTargetPolicy, resolve: Resolver = systemResolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolveAllowed(hostname, policy, resolve).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (options.all) callback(null, wanted.map((entry) => ({ address: entry.address, family: entry.family })));
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, ''),
    );
  };
}
