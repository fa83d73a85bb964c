/**
 * Egress policy: which network addresses a capture (or any server-side fetch) may reach.
 * Only globally routable unicast addresses pass; names are resolved here and the caller must
 * connect to the exact address returned, so a second DNS answer (rebinding) cannot sneak in.
 * The API uses it at submit time, the snapshotter's forwarding proxy for every connection.
 */
import { promises as dns } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { AppError } from './errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Injected in tests to simulate hostile DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name, e.g. `loopback`, `private`, `unicast`. */
  range: string;
}

function classifyV4(addr: ipaddr.IPv4): AddressVerdict {
  const range = addr.range();
  return { allowed: range === 'unicast', range };
}

/** IPv4 address carried inside an IPv6 one (mapped, compatible, 6to4, NAT64), if any. */
function embeddedV4(addr: ipaddr.IPv6, range: string): ipaddr.IPv4 | null {
  const b = addr.toByteArray();
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return new ipaddr.IPv4(b.slice(12, 16));
    case '6to4':
      return new ipaddr.IPv4(b.slice(2, 6));
    default:
      return null;
  }
}

/** Classifies one literal address. Unparseable input is not allowed. */
export function classifyAddress(address: string): AddressVerdict {
  const literal = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(literal)) return { allowed: false, range: 'invalid' };
  const parsed = ipaddr.parse(literal);
  if (parsed.kind() === 'ipv4') return classifyV4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const inner = embeddedV4(v6, range);
  if (inner) {
    const verdict = classifyV4(inner);
    return { allowed: verdict.allowed, range: `${range}(${verdict.range})` };
  }
  // IPv4-compatible addresses (::a.b.c.d, deprecated; the URL parser writes [::127.0.0.1] as
  // [::7f00:1]) are `unicast` to ipaddr.js, as is the rest of IANA-reserved ::/8: refuse them.
  const bytes = v6.toByteArray();
  if (range === 'unicast' && bytes[0] === 0) {
    const compatible = bytes.slice(0, 12).every((x) => x === 0);
    return { allowed: false, range: compatible ? 'ipv4Compatible' : 'reserved' };
  }
  return { allowed: range === 'unicast', range };
}

function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain';
}

export interface EgressOptions {
  /** `host:port` entries that bypass the address check (tests' loopback fixtures only). */
  allow: readonly string[];
  /** Refuse everything that is not allow-listed, public addresses included (tests). */
  allowOnly?: boolean;
  resolver?: Resolver;
}

/**
 * Resolves `hostname` and returns the address to connect to, or throws SSRF_BLOCKED (no
 * permitted address) or DNS_FAILED. `hostname` is a URL hostname (IPv6 in brackets or not).
 */
export async function resolveEgressTarget(
  hostname: string,
  port: number,
  options: EgressOptions,
): Promise<ResolvedAddress> {
  const host = hostname.toLowerCase();
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const allowed = options.allow.includes(`${host}:${port}`) || options.allow.includes(`[${bare}]:${port}`);

  if (!allowed && options.allowOnly) {
    throw new AppError('SSRF_BLOCKED', `${hostname}:${port} is not in EGRESS_ALLOW, the only targets allowed here.`);
  }
  let answers: ResolvedAddress[];
  if (ipaddr.isValid(bare)) {
    answers = [{ address: bare, family: bare.includes(':') ? 6 : 4 }];
  } else {
    if (!allowed && isLocalName(bare)) {
      throw new AppError('SSRF_BLOCKED', `${hostname} is a local name.`);
    }
    try {
      answers = await (options.resolver ?? systemResolver)(bare);
    } catch (err) {
      throw new AppError('DNS_FAILED', `The host name ${hostname} could not be resolved.`, { cause: err });
    }
    if (answers.length === 0) throw new AppError('DNS_FAILED', `The host name ${hostname} has no addresses.`);
  }
  if (allowed) return answers[0] as ResolvedAddress;
  for (const answer of answers) {
    if (classifyAddress(answer.address).allowed) return answer;
  }
  const first = answers[0] as ResolvedAddress;
  throw new AppError(
    'SSRF_BLOCKED',
    `${hostname} resolves to ${first.address} (${classifyAddress(first.address).range}), which is not a public address.`,
  );
}

/** Start-up notice: any exception to the egress policy is logged loudly, never silent. */
export function logEgressExceptions(
  config: { EGRESS_ALLOW: readonly string[]; EGRESS_ALLOW_ONLY: boolean },
  logger: { warn: (obj: object, msg: string) => void },
): void {
  if (config.EGRESS_ALLOW.length > 0) {
    logger.warn(
      { egressAllow: config.EGRESS_ALLOW },
      'EGRESS_ALLOW lets these host:port targets past the egress guard',
    );
  }
  if (config.EGRESS_ALLOW_ONLY) logger.warn({}, 'EGRESS_ALLOW_ONLY: nothing but EGRESS_ALLOW targets can be reached');
}
