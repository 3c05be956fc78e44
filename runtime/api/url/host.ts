// Host parsing and serialization (https://url.spec.whatwg.org/#host-parsing).
// Hosts are kept serialized: a domain, an opaque host, "[ipv6]" or dotted IPv4.
// Pure-ASCII domains are handled here; only non-ASCII or "xn--" domains reach the host's IDNA
// (UTS #46) machinery through the `url.domainToASCII` op, so no Unicode tables live in the prelude.
import { NumberPrototypeToString, StringPrototypeCharCodeAt, StringPrototypeSlice } from '../intrinsics.ts';
import { hostSync } from '../bridge/host.ts';
import { C0_SET, percentDecodeString, percentEncodeString } from './percent.ts';

/** Forbidden host code point (https://url.spec.whatwg.org/#forbidden-host-code-point). */
function isForbiddenHost(c: number): boolean {
  switch (c) {
    case 0x00: case 0x09: case 0x0a: case 0x0d: case 0x20: case 0x23: case 0x2f: case 0x3a: case 0x3c:
    case 0x3e: case 0x3f: case 0x40: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x7c:
      return true;
  }
  return false;
}

/** Forbidden domain code point: forbidden host code points, C0 controls, `%` and DEL. */
function isForbiddenDomain(c: number): boolean {
  return c <= 0x1f || c === 0x25 || c === 0x7f || isForbiddenHost(c);
}

/** The host parser. Returns the serialized host, or null on failure. */
export function parseHost(input: string, isOpaque: boolean): string | null {
  const n = input.length;
  if (n > 0 && StringPrototypeCharCodeAt(input, 0) === 0x5b) {
    if (StringPrototypeCharCodeAt(input, n - 1) !== 0x5d) return null;
    const pieces = parseIPv6(input, 1, n - 1);
    return pieces === null ? null : '[' + serializeIPv6(pieces) + ']';
  }
  if (isOpaque) return parseOpaqueHost(input);
  const domain = percentDecodeString(input);
  const ascii = domainToASCII(domain);
  if (ascii === null) return null;
  if (endsInANumber(ascii)) {
    const v4 = parseIPv4(ascii);
    return v4 < 0 ? null : serializeIPv4(v4);
  }
  return ascii;
}

function parseOpaqueHost(input: string): string | null {
  for (let i = 0; i < input.length; i++) {
    if (isForbiddenHost(StringPrototypeCharCodeAt(input, i))) return null;
  }
  return percentEncodeString(input, C0_SET);
}

/**
 * Domain to ASCII with beStrict = false. ASCII input without any "xn--" label is just lowercased
 * (the spec's own shortcut); anything else goes through UTS #46 ToASCII on the host.
 */
export function domainToASCII(domain: string): string | null {
  const n = domain.length;
  let simple = true;
  let lower = '';
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(domain, i);
    if (c >= 0x80) { simple = false; break; }
    if ((i === 0 || StringPrototypeCharCodeAt(domain, i - 1) === 0x2e) && i + 3 < n &&
        (c | 0x20) === 0x78 && (StringPrototypeCharCodeAt(domain, i + 1) | 0x20) === 0x6e &&
        StringPrototypeCharCodeAt(domain, i + 2) === 0x2d && StringPrototypeCharCodeAt(domain, i + 3) === 0x2d) {
      simple = false;
      break;
    }
    if (isForbiddenDomain(c)) return null;
    if (c >= 0x41 && c <= 0x5a) {
      if (runStart < i) lower += StringPrototypeSlice(domain, runStart, i);
      lower += ASCII_LOWER[c - 0x41]!;
      runStart = i + 1;
    }
  }
  let result: string;
  if (simple) {
    result = runStart === 0 ? domain : lower + StringPrototypeSlice(domain, runStart);
  } else {
    // An ASCII forbidden domain code point survives UTS #46 mapping unchanged, so such input fails
    // without asking the host (and the host never sees URL delimiters or `%`).
    for (let i = 0; i < n; i++) {
      const c = StringPrototypeCharCodeAt(domain, i);
      if (c < 0x80 && isForbiddenDomain(c)) return null;
    }
    const r = hostSync<string | null>('url.domainToASCII', domain);
    if (typeof r !== 'string') return null;
    result = r;
    for (let i = 0; i < result.length; i++) {
      const c = StringPrototypeCharCodeAt(result, i);
      if (c >= 0x80 || isForbiddenDomain(c)) return null;
    }
  }
  return result.length === 0 ? null : result;
}

const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** "Ends in a number" (https://url.spec.whatwg.org/#ends-in-a-number-checker). */
function endsInANumber(s: string): boolean {
  let end = s.length;
  if (end > 0 && StringPrototypeCharCodeAt(s, end - 1) === 0x2e) {
    end--;
    if (end === 0) return false; // a single empty part
  }
  let start = end;
  while (start > 0 && StringPrototypeCharCodeAt(s, start - 1) !== 0x2e) start--;
  if (start === end) return false;
  let allDigits = true;
  for (let i = start; i < end; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c < 0x30 || c > 0x39) { allDigits = false; break; }
  }
  if (allDigits) return true;
  return parseIPv4Number(s, start, end) >= 0;
}

/** The IPv4 number parser over s[start, end): the value, or -1 on failure. */
function parseIPv4Number(s: string, start: number, end: number): number {
  if (start === end) return -1;
  let radix = 10;
  if (end - start >= 2 && StringPrototypeCharCodeAt(s, start) === 0x30) {
    const x = StringPrototypeCharCodeAt(s, start + 1) | 0x20;
    if (x === 0x78) { radix = 16; start += 2; } else { radix = 8; start += 1; }
  }
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (radix === 16 && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x57;
    else return -1;
    if (d >= radix) return -1;
    value = value * radix + d;
  }
  return value;
}

/** The IPv4 parser: the address as a number, or -1 on failure. */
function parseIPv4(s: string): number {
  const numbers: number[] = [];
  let count = 0;
  let end = s.length;
  if (end > 0 && StringPrototypeCharCodeAt(s, end - 1) === 0x2e) end--; // "1.2.3.4." is fine
  let start = 0;
  for (let i = 0; i <= end; i++) {
    if (i === end || StringPrototypeCharCodeAt(s, i) === 0x2e) {
      if (count === 4) return -1;
      const v = parseIPv4Number(s, start, i);
      if (v < 0) return -1;
      numbers[count++] = v;
      start = i + 1;
    }
  }
  for (let i = 0; i < count - 1; i++) if (numbers[i]! > 255) return -1;
  const last = numbers[count - 1]!;
  if (last >= 256 ** (5 - count)) return -1;
  let ipv4 = last;
  for (let i = 0; i < count - 1; i++) ipv4 += numbers[i]! * 256 ** (3 - i);
  return ipv4;
}

function serializeIPv4(address: number): string {
  let out = '';
  let n = address;
  for (let i = 0; i < 4; i++) {
    out = NumberPrototypeToString(n % 256) + (i === 0 ? '' : '.') + out;
    n = (n - (n % 256)) / 256;
  }
  return out;
}

/** The IPv6 parser over s[start, end): eight 16-bit pieces, or null on failure. */
function parseIPv6(s: string, start: number, end: number): number[] | null {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0;
  let compress = -1;
  let p = start;
  const at = (i: number) => (i < end ? StringPrototypeCharCodeAt(s, i) : -1);
  if (at(p) === 0x3a) {
    if (at(p + 1) !== 0x3a) return null;
    p += 2;
    compress = ++pieceIndex;
  }
  while (at(p) !== -1) {
    if (pieceIndex === 8) return null;
    if (at(p) === 0x3a) {
      if (compress !== -1) return null;
      p++;
      compress = ++pieceIndex;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && isHex(at(p))) {
      value = value * 16 + hexDigit(at(p));
      p++;
      length++;
    }
    if (at(p) === 0x2e) {
      if (length === 0) return null;
      p -= length;
      if (pieceIndex > 6) return null;
      let numbersSeen = 0;
      while (at(p) !== -1) {
        let ipv4Piece = -1;
        if (numbersSeen > 0) {
          if (at(p) === 0x2e && numbersSeen < 4) p++;
          else return null;
        }
        if (!isDigit(at(p))) return null;
        while (isDigit(at(p))) {
          const number = at(p) - 0x30;
          if (ipv4Piece === -1) ipv4Piece = number;
          else if (ipv4Piece === 0) return null;
          else ipv4Piece = ipv4Piece * 10 + number;
          if (ipv4Piece > 255) return null;
          p++;
        }
        address[pieceIndex] = address[pieceIndex]! * 0x100 + ipv4Piece;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (at(p) === 0x3a) {
      p++;
      if (at(p) === -1) return null;
    } else if (at(p) !== -1) {
      return null;
    }
    address[pieceIndex] = value;
    pieceIndex++;
  }
  if (compress !== -1) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const t = address[pieceIndex]!;
      address[pieceIndex] = address[compress + swaps - 1]!;
      address[compress + swaps - 1] = t;
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex !== 8) {
    return null;
  }
  return address;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isHex(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}
function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

function serializeIPv6(address: number[]): string {
  // The first longest run of two or more zero pieces is compressed.
  let compress = -1;
  let best = 1;
  for (let i = 0; i < 8;) {
    if (address[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && address[j] === 0) j++;
    if (j - i > best) { best = j - i; compress = i; }
    i = j;
  }
  let out = '';
  let ignore0 = false;
  for (let i = 0; i < 8; i++) {
    if (ignore0 && address[i] === 0) continue;
    ignore0 = false;
    if (compress === i) {
      out += i === 0 ? '::' : ':';
      ignore0 = true;
      continue;
    }
    out += NumberPrototypeToString(address[i]!, 16);
    if (i !== 7) out += ':';
  }
  return out;
}
