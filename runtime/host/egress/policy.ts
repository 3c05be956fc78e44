// The egress policy: which hosts and addresses a tenant's outbound fetch() may connect to.
//
// Pure (no I/O, no Node modules): the same code decides in the host today and in an out-of-jail
// connect broker later. The default is "the public Internet only": every address that reaches the
// machine itself, the local network, the provider's network (cloud metadata endpoints) or a range
// that is not globally routable is denied. IPv6 forms that carry an IPv4 address (IPv4-mapped,
// IPv4-compatible, SIIT, NAT64, 6to4, Teredo) are judged by the IPv4 address they lead to.
//
// Operators widen it with allow rules `HOST[:PORT]` (`--allow-egress`, per tenant in serve):
//   api.internal            the name, any port (its addresses are not checked: the operator vouches)
//   api.internal:8443       the name on that port only
//   *.svc.internal          any subdomain (not the bare name)
//   10.0.0.5 / 10.0.0.5:5432 / [fd00::5]:80 / ::1     the address (however it was reached)
//   10.1.0.0/16 / [fd00::]/8:443                       an address range (CIDR)
// A name rule trusts the name's DNS; an address rule trusts the address whatever name led to it.

export type AddressFamily = 4 | 6;

export interface IPAddress {
  family: AddressFamily;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export type AddressCategory =
  | 'unspecified'
  | 'this-network'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'metadata'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'local-name';

const CATEGORY_TEXT: Record<AddressCategory, string> = {
  unspecified: 'unspecified address',
  'this-network': '"this network" address',
  loopback: 'loopback address',
  private: 'private address',
  shared: 'shared (carrier-grade NAT) address',
  'link-local': 'link-local address',
  metadata: 'cloud metadata address',
  'unique-local': 'unique local (private) address',
  'site-local': 'site-local (private) address',
  multicast: 'multicast address',
  broadcast: 'broadcast address',
  documentation: 'documentation address',
  benchmarking: 'benchmarking address',
  reserved: 'reserved, non-routable address',
  'local-name': 'local name',
};

export interface AddressClass {
  category: AddressCategory;
  /** Human text: "private address", "loopback address (in an IPv4-mapped IPv6 address)", … */
  description: string;
  /** For IPv6 forms that lead to an IPv4 address: that address (dotted). */
  embedded?: string;
}

// ---------------------------------------------------------------------------------------------
// Address parsing

const DEC = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX = /^[0-9a-fA-F]{1,4}$/;

/** Strict dotted-quad IPv4 (no octal, hex or shortened forms: those never come from a resolver). */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!DEC.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** RFC 4291 text form, with optional trailing dotted IPv4 and optional `%zone` (ignored). */
export function parseIPv6(text: string): Uint8Array | null {
  let s = text;
  const zone = s.indexOf('%');
  if (zone !== -1) {
    if (zone === s.length - 1) return null;
    s = s.slice(0, zone);
  }
  if (s.length === 0 || s.length > 45) return null;
  const words: number[] = [];
  const parseSide = (side: string, allowV4: boolean): number[] | null => {
    if (side === '') return [];
    const groups = side.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!HEX.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const gap = s.indexOf('::');
  if (gap !== -1) {
    if (s.indexOf('::', gap + 1) !== -1) return null;
    const head = parseSide(s.slice(0, gap), false);
    const tail = parseSide(s.slice(gap + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    words.push(...head);
    for (let i = head.length + tail.length; i < 8; i++) words.push(0);
    words.push(...tail);
  } else {
    const all = parseSide(s, true);
    if (!all || all.length !== 8) return null;
    words.push(...all);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = words[i]! >> 8;
    out[i * 2 + 1] = words[i]! & 0xff;
  }
  return out;
}

/** An IP literal: `a.b.c.d`, an IPv6 text form, or an IPv6 form in brackets (`[::1]`). */
export function parseIP(text: string): IPAddress | null {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) {
    s = s.slice(1, -1);
    const v6 = parseIPv6(s);
    return v6 ? { family: 6, bytes: v6 } : null;
  }
  const v4 = parseIPv4(s);
  if (v4) return { family: 4, bytes: v4 };
  if (s.includes(':')) {
    const v6 = parseIPv6(s);
    if (v6) return { family: 6, bytes: v6 };
  }
  return null;
}

export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952 canonical text (lowercase, longest zero run compressed). */
export function formatIP(ip: IPAddress): string {
  if (ip.family === 4) return formatIPv4(ip.bytes);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((ip.bytes[i * 2]! << 8) | ip.bytes[i * 2 + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => words.slice(from, to).map((w) => w.toString(16)).join(':');
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

// ---------------------------------------------------------------------------------------------
// Ranges

interface Range {
  bytes: Uint8Array;
  bits: number;
}

function range(cidr: string): Range {
  const slash = cidr.indexOf('/');
  const ip = parseIP(cidr.slice(0, slash))!;
  return { bytes: ip.bytes, bits: Number(cidr.slice(slash + 1)) };
}

function inRange(bytes: Uint8Array, r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  const full = r.bits >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== r.bytes[i]) return false;
  const rest = r.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[full]! & mask) === (r.bytes[full]! & mask);
}

// Checked in order; the first match wins (specific entries before the ranges holding them).
const V4_TABLE: [Range, AddressCategory][] = ([
  // Provider metadata / control endpoints, including ones outside the private ranges.
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle, …
  ['169.254.170.2/32', 'metadata'], // AWS ECS task metadata
  ['169.254.170.23/32', 'metadata'], // AWS EKS pod identity
  ['169.254.169.123/32', 'metadata'], // AWS time sync
  ['169.254.169.253/32', 'metadata'], // AWS VPC DNS
  ['168.63.129.16/32', 'metadata'], // Azure WireServer (a public address)
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud
  ['192.0.0.192/32', 'metadata'], // Oracle Cloud (classic)
  ['0.0.0.0/32', 'unspecified'],
  ['0.0.0.0/8', 'this-network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'reserved'], // AS112
  ['192.52.193.0/24', 'reserved'], // AMT
  ['192.88.99.0/24', 'reserved'], // former 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'reserved'], // AS112 direct delegation
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
] as [string, AddressCategory][]).map(([c, k]) => [range(c), k]);

const V6_TABLE: [Range, AddressCategory][] = ([
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6
  ['fd00:ec2::23/128', 'metadata'], // AWS EKS pod identity
  ['fd00:ec2::123/128', 'metadata'], // AWS time sync
  ['fd00:ec2::253/128', 'metadata'], // AWS VPC DNS
  ['fd20:ce::254/128', 'metadata'], // GCP metadata over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'reserved'], // discard-only
  ['100:0:0:1::/64', 'reserved'], // dummy prefix
  ['2001:2::/48', 'benchmarking'],
  ['2001:10::/28', 'reserved'], // ORCHID (deprecated)
  ['2001:20::/28', 'reserved'], // ORCHIDv2
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'reserved'], // SRv6 SIDs
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
] as [string, AddressCategory][]).map(([c, k]) => [range(c), k]);

const GLOBAL_UNICAST = range('2000::/3');
const V4_MAPPED = range('::ffff:0:0/96');
const V4_TRANSLATED = range('::ffff:0:0:0/96'); // SIIT (RFC 2765)
const V4_COMPATIBLE = range('::/96');
const NAT64_WELL_KNOWN = range('64:ff9b::/96');
const NAT64_LOCAL = range('64:ff9b:1::/48');
const SIX_TO_FOUR = range('2002::/16');
const TEREDO = range('2001::/32');

function describe(category: AddressCategory, via?: string, embedded?: string): AddressClass {
  const text = CATEGORY_TEXT[category];
  return {
    category,
    description: via ? `${text} (${via})` : text,
    ...(embedded !== undefined && { embedded }),
  };
}

function classifyV4(bytes: Uint8Array): AddressCategory | null {
  for (const [r, category] of V4_TABLE) if (inRange(bytes, r)) return category;
  return null;
}

function classifyEmbedded(v6: Uint8Array, offset: number, via: string, xor = false): AddressClass | null {
  const v4 = v6.slice(offset, offset + 4);
  if (xor) for (let i = 0; i < 4; i++) v4[i] = v4[i]! ^ 0xff;
  const category = classifyV4(v4);
  return category ? describe(category, `in ${via} ${formatIPv4(v4)}`, formatIPv4(v4)) : null;
}

/**
 * The special-purpose class an address belongs to, or null for a public (globally routable)
 * address. Input: an IP literal (IPv6 may be bracketed or carry a `%zone`). An unparsable input is
 * classed 'reserved' (deny what cannot be understood).
 */
export function classifyAddress(address: string | IPAddress): AddressClass | null {
  const ip = typeof address === 'string' ? parseIP(address) : address;
  if (!ip) return describe('reserved', 'not an IP address');
  if (ip.family === 4) {
    const category = classifyV4(ip.bytes);
    return category ? describe(category) : null;
  }
  const b = ip.bytes;
  for (const [r, category] of V6_TABLE) if (inRange(b, r)) return describe(category);
  if (inRange(b, V4_MAPPED)) return classifyEmbedded(b, 12, 'IPv4-mapped');
  if (inRange(b, V4_TRANSLATED)) return classifyEmbedded(b, 12, 'IPv4-translated');
  if (inRange(b, V4_COMPATIBLE)) {
    // Deprecated and never routed; judged by the IPv4 address it names, denied in any case.
    return classifyEmbedded(b, 12, 'IPv4-compatible') ?? describe('reserved', 'deprecated IPv4-compatible');
  }
  if (inRange(b, NAT64_WELL_KNOWN)) return classifyEmbedded(b, 12, 'NAT64');
  if (inRange(b, NAT64_LOCAL)) {
    // Local-use NAT64 (RFC 8215): the translator may use any RFC 6052 prefix length inside the
    // /48. With bits 48–95 zero it is the /96 layout and the IPv4 address is the last 32 bits;
    // any other layout cannot be told apart reliably and is denied (judged by the /48 reading
    // when that one is special, for a useful message).
    let zero = true;
    for (let i = 6; i < 12; i++) if (b[i] !== 0) zero = false;
    if (zero) return classifyEmbedded(b, 12, 'local-use NAT64');
    const at48 = new Uint8Array([b[6]!, b[7]!, b[9]!, b[10]!]);
    const c48 = classifyV4(at48);
    if (c48) return describe(c48, `in local-use NAT64 ${formatIPv4(at48)}`, formatIPv4(at48));
    return describe('reserved', 'local-use NAT64 with a prefix shorter than /96 cannot be checked');
  }
  if (inRange(b, SIX_TO_FOUR)) return classifyEmbedded(b, 2, '6to4');
  if (inRange(b, TEREDO)) {
    // Teredo: server IPv4 in bits 32–63, client IPv4 (bitwise inverted) in bits 96–127.
    return classifyEmbedded(b, 12, 'Teredo client', true) ?? classifyEmbedded(b, 4, 'Teredo server');
  }
  if (!inRange(b, GLOBAL_UNICAST)) return describe('reserved');
  return null;
}

// ---------------------------------------------------------------------------------------------
// Allow rules

export type AllowRule =
  | { kind: 'name'; text: string; name: string; port: number | null }
  | { kind: 'suffix'; text: string; suffix: string; port: number | null }
  | { kind: 'address'; text: string; range: Range; family: AddressFamily; port: number | null };

export class AllowRuleError extends Error {
  override name = 'AllowRuleError';
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lowercase, no trailing dot, brackets off IPv6 literals. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && h.length > 1) h = h.slice(0, -1);
  return h;
}

function isHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  for (const l of labels) if (!LABEL.test(l)) return false;
  // A name whose last label is numeric would be parsed as an IPv4 address by URL parsers.
  return !/^[0-9]+$/.test(labels[labels.length - 1]!) && !/^0x/i.test(labels[labels.length - 1]!);
}

function parsePort(text: string, rule: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw new AllowRuleError(`invalid port in egress rule "${rule}"`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new AllowRuleError(`port out of range in egress rule "${rule}"`);
  return port;
}

function parseAddressRule(text: string, rule: string, port: number | null): AllowRule | null {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIP(addr);
  if (!ip) return null;
  if (addr.includes('%')) throw new AllowRuleError(`egress rule "${rule}": zone ids are not allowed`);
  const max = ip.family === 4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const b = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(b) || Number(b) > max) throw new AllowRuleError(`invalid prefix length in egress rule "${rule}"`);
    bits = Number(b);
  }
  return { kind: 'address', text: rule, range: { bytes: ip.bytes, bits }, family: ip.family, port };
}

/** Parses one `HOST[:PORT]` rule; throws AllowRuleError with a message naming the rule. */
export function parseAllowRule(input: string): AllowRule {
  const rule = input.trim();
  if (rule === '') throw new AllowRuleError('empty egress rule');
  let host: string;
  let port: number | null = null;
  if (rule.startsWith('[')) {
    // [v6] , [v6]:port , [v6]/len , [v6]/len:port
    const close = rule.indexOf(']');
    if (close === -1) throw new AllowRuleError(`egress rule "${rule}": missing "]"`);
    let rest = rule.slice(close + 1);
    let prefix = '';
    const m = /^(\/[0-9]{1,3})?(?::(.*))?$/.exec(rest);
    if (!m) throw new AllowRuleError(`egress rule "${rule}": unexpected "${rest}" after "]"`);
    prefix = m[1] ?? '';
    rest = m[2] ?? '';
    if (m[2] !== undefined) port = parsePort(rest, rule);
    const inner = rule.slice(1, close);
    if (!parseIPv6(inner)) throw new AllowRuleError(`egress rule "${rule}": not an IPv6 address in brackets`);
    return parseAddressRule(inner + prefix, rule, port)!;
  }
  const colons = rule.split(':').length - 1;
  if (colons > 1) {
    // Bare IPv6 (no port possible without brackets).
    const r = parseAddressRule(rule, rule, null);
    if (!r || r.kind !== 'address' || r.family !== 6) throw new AllowRuleError(`egress rule "${rule}": not a valid IPv6 address (put IPv6 in brackets to add a port: [::1]:8080)`);
    return r;
  }
  if (colons === 1) {
    const i = rule.indexOf(':');
    host = rule.slice(0, i);
    port = parsePort(rule.slice(i + 1), rule);
  } else {
    host = rule;
  }
  const address = parseAddressRule(host, rule, port);
  if (address) return address;
  if (/^[0-9.]+(\/.*)?$/.test(host)) throw new AllowRuleError(`egress rule "${rule}": not a valid IPv4 address`);
  const name = normalizeHost(host);
  if (name.startsWith('*.')) {
    const suffix = name.slice(2);
    if (!isHostname(suffix)) throw new AllowRuleError(`egress rule "${rule}": not a valid host name`);
    return { kind: 'suffix', text: rule, suffix, port };
  }
  if (!isHostname(name)) throw new AllowRuleError(`egress rule "${rule}": not a valid host name or IP address`);
  return { kind: 'name', text: rule, name, port };
}

export function parseAllowRules(rules: readonly string[]): AllowRule[] {
  return rules.map(parseAllowRule);
}

// ---------------------------------------------------------------------------------------------
// Decisions

export interface EgressTarget {
  /** The URL's host: a name, an IPv4 literal or an IPv6 literal (bracketed or not). */
  host: string;
  port: number;
  /** Every address the name resolved to (or the literal itself). Empty before resolution. */
  addresses: readonly string[];
}

export type EgressDecision =
  | { allow: true; reason: string; rule?: string }
  | { allow: false; reason: string; address?: string; category?: AddressCategory };

function portMatches(rule: AllowRule, port: number): boolean {
  return rule.port === null || rule.port === port;
}

function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain';
}

export class EgressPolicy {
  readonly rules: readonly AllowRule[];

  constructor(rules: readonly (string | AllowRule)[] = []) {
    this.rules = rules.map((r) => (typeof r === 'string' ? parseAllowRule(r) : r));
  }

  /** The name rule allowing `host:port`, if any (such a name needs no address check). */
  nameRule(host: string, port: number): AllowRule | undefined {
    const h = normalizeHost(host);
    for (const rule of this.rules) {
      if (!portMatches(rule, port)) continue;
      if (rule.kind === 'name' && rule.name === h) return rule;
      if (rule.kind === 'suffix' && h.endsWith(`.${rule.suffix}`)) return rule;
    }
    return undefined;
  }

  /** The address rule allowing `address:port`, if any. */
  addressRule(address: IPAddress, port: number): AllowRule | undefined {
    for (const rule of this.rules) {
      if (rule.kind !== 'address' || !portMatches(rule, port)) continue;
      if (inRange(address.bytes, rule.range)) return rule;
      // An IPv4 rule also covers the IPv4-mapped form of the address.
      if (address.family === 6 && rule.family === 4 && inRange(address.bytes, V4_MAPPED) && inRange(address.bytes.slice(12), rule.range)) {
        return rule;
      }
    }
    return undefined;
  }

  /**
   * What can be decided before any DNS lookup: IP literals, names allowed by a rule, local names.
   * `undefined` means the name must be resolved and `decide` called with its addresses.
   */
  preflight(host: string, port: number): EgressDecision | undefined {
    const h = normalizeHost(host);
    const byName = this.nameRule(h, port);
    if (byName) return { allow: true, reason: `allowed by egress rule "${byName.text}"`, rule: byName.text };
    if (parseIP(h)) return this.decide({ host: h, port, addresses: [h] });
    if (isLocalName(h)) return { allow: false, reason: `${h} is a ${CATEGORY_TEXT['local-name']}`, category: 'local-name' };
    return undefined;
  }

  /** Allows only if the host is allowed by name, or EVERY address is public or allowed by a rule. */
  decide(target: EgressTarget): EgressDecision {
    const h = normalizeHost(target.host);
    const port = target.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { allow: false, reason: `invalid port ${port}` };
    const byName = this.nameRule(h, port);
    if (byName) return { allow: true, reason: `allowed by egress rule "${byName.text}"`, rule: byName.text };
    const literal = parseIP(h);
    if (!literal && isLocalName(h)) return { allow: false, reason: `${h} is a ${CATEGORY_TEXT['local-name']}`, category: 'local-name' };
    const addresses = literal ? [h] : target.addresses;
    if (addresses.length === 0) return { allow: false, reason: `${h} did not resolve to any address` };
    let rule: string | undefined;
    for (const text of addresses) {
      const ip = parseIP(text);
      if (!ip) return { allow: false, reason: `${text} is not an IP address`, address: text };
      const byAddress = this.addressRule(ip, port);
      if (byAddress) {
        rule ??= byAddress.text;
        continue;
      }
      const cls = classifyAddress(ip);
      if (cls) {
        const shown = formatIP(ip);
        const via = literal ? '' : ` (${h} resolved to it)`;
        return { allow: false, reason: `${shown} is a ${cls.description}${via}`, address: shown, category: cls.category };
      }
    }
    if (rule) return { allow: true, reason: `allowed by egress rule "${rule}"`, rule };
    return { allow: true, reason: 'public address' };
  }
}

/** `decide` with a policy built from `rules` (convenience for one-off checks). */
export function decide(target: EgressTarget, rules: readonly (string | AllowRule)[] = []): EgressDecision {
  return new EgressPolicy(rules).decide(target);
}
