// Host ops for the URL area.
// - url.domainToASCII(domain) → string | null: UTS #46 ToASCII as the URL Standard's "domain to
//   ASCII" uses it (CheckHyphens=false, CheckBidi=true, CheckJoiners=true, UseSTD3ASCIIRules=false,
//   Transitional_Processing=false, VerifyDnsLength=false); null is failure. The isolate only asks
//   for domains that are not plain ASCII or that have an "xn--" label, already percent-decoded and
//   free of ASCII forbidden domain code points; it checks the result again itself.
//
// Node's WHATWG machinery (ada) does the mapping, normalization and validation. It does not
// validate labels that are already Punycode ("xn--…"), which UTS #46 requires (decode, then the
// decoded label must be non-ASCII and valid), so those are decoded here and the whole domain must
// round-trip through ToASCII unchanged.
import { domainToASCII as nodeDomainToASCII } from 'node:url';
import type { OpModule } from './types.ts';

/** Longest domain accepted (far beyond any DNS name; bounds host work per call). */
const MAX_DOMAIN_LENGTH = 1 << 16;

export function domainToASCII(domain: unknown): string | null {
  if (typeof domain !== 'string' || domain.length === 0 || domain.length > MAX_DOMAIN_LENGTH) return null;
  const ascii = nodeDomainToASCII(domain);
  if (ascii === '') return null;
  const labels = ascii.split('.');
  let punycode = false;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!label.startsWith('xn--')) continue;
    punycode = true;
    const decoded = punycodeDecode(label.slice(4));
    if (decoded === null || isASCII(decoded)) return null;
    labels[i] = decoded;
  }
  if (punycode && nodeDomainToASCII(labels.join('.')) !== ascii) return null;
  return ascii;
}

function isASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

// RFC 3492 Punycode decoding.
const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const MAXINT = 0x7fffffff;

function adapt(delta: number, numPoints: number, first: boolean): number {
  delta = first ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 22;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61;
  return BASE;
}

export function punycodeDecode(input: string): string | null {
  const output: number[] = [];
  let basic = input.lastIndexOf('-');
  if (basic < 0) basic = 0;
  for (let j = 0; j < basic; j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) return null;
    output.push(c);
  }
  let n = 128;
  let i = 0;
  let bias = 72;
  for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
    const oldi = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (index >= input.length) return null;
      const digit = digitValue(input.charCodeAt(index++));
      if (digit >= BASE || digit > Math.floor((MAXINT - i) / w)) return null;
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(MAXINT / (BASE - t))) return null;
      w *= BASE - t;
    }
    const out = output.length + 1;
    bias = adapt(i - oldi, out, oldi === 0);
    if (Math.floor(i / out) > MAXINT - n) return null;
    n += Math.floor(i / out);
    i %= out;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}

export const urlOps: OpModule = {
  sync: {
    'url.domainToASCII': (_ctx, domain: unknown) => domainToASCII(domain),
  },
};
