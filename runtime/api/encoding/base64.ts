// Forgiving-base64 (https://infra.spec.whatwg.org/#forgiving-base64) and the HTML `atob` / `btoa`
// global functions (https://html.spec.whatwg.org/multipage/webappapis.html#atob).
import {
  Int8Array, ReflectApply, StringFromCharCode, StringPrototypeCharCodeAt, TypeError, TypedArrayPrototypeGetLength,
  Uint8Array,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { toDOMString } from '../streams/idl.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Code unit → 6-bit value, or -1 (not in the alphabet), or -2 (ASCII whitespace). Built at load.
const DECODE = new Int8Array(128);
for (let i = 0; i < 128; i++) DECODE[i] = -1;
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE[0x09] = DECODE[0x0a] = DECODE[0x0c] = DECODE[0x0d] = DECODE[0x20] = -2;
const ENCODE: number[] = [];
for (let i = 0; i < 64; i++) ENCODE[i] = ALPHABET.charCodeAt(i);

/**
 * Forgiving-base64 decode: the bytes `s` encodes, or null on failure. ASCII whitespace anywhere is
 * ignored; up to two trailing `=` are allowed when the length is a multiple of 4; leftover bits are
 * discarded.
 */
export function forgivingBase64Decode(s: string): Uint8Array | null {
  const n = s.length;
  // Pass 1: count significant characters and validate, tracking trailing '=' padding.
  let count = 0;
  let padding = 0;
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c >= 128) return null;
    const v = DECODE[c]!;
    if (v === -2) continue;
    if (c === 0x3d /* = */) {
      padding++;
      continue;
    }
    if (v === -1 || padding > 0) return null; // '=' may only end the data
    count++;
  }
  if (padding > 0) {
    // Only allowed when the whole (whitespace-free) length is a multiple of 4 and at most 2.
    if (padding > 2 || (count + padding) % 4 !== 0) return null;
  }
  if (count % 4 === 1) return null;
  const out = new Uint8Array((count * 3) >> 2);
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    const v = DECODE[c]!;
    if (v < 0) continue; // whitespace or '=' (already validated)
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

/** Base64 encoding (with padding) of `bytes`. */
export function base64Encode(bytes: Uint8Array, length: number = TypedArrayPrototypeGetLength(bytes)): string {
  let result = '';
  let units: number[] = [];
  let u = 0;
  let i = 0;
  const flush = () => {
    result += ReflectApply(StringFromCharCode, undefined, units) as string;
    units = [];
    u = 0;
  };
  for (; i + 2 < length; i += 3) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    units[u++] = ENCODE[triple >> 18]!;
    units[u++] = ENCODE[(triple >> 12) & 63]!;
    units[u++] = ENCODE[(triple >> 6) & 63]!;
    units[u++] = ENCODE[triple & 63]!;
    if (u >= 8192) flush();
  }
  const rest = length - i;
  if (rest === 1) {
    const b = bytes[i]!;
    units[u++] = ENCODE[b >> 2]!;
    units[u++] = ENCODE[(b & 3) << 4]!;
    units[u++] = 0x3d;
    units[u++] = 0x3d;
  } else if (rest === 2) {
    const b = (bytes[i]! << 8) | bytes[i + 1]!;
    units[u++] = ENCODE[b >> 10]!;
    units[u++] = ENCODE[(b >> 4) & 63]!;
    units[u++] = ENCODE[(b & 15) << 2]!;
    units[u++] = 0x3d;
  }
  if (u > 0) flush();
  return result;
}

/** Bytes (each ≤ 0xFF) as a string of the same code units ("isomorphic decode"). */
export function isomorphicDecode(bytes: Uint8Array, length: number = TypedArrayPrototypeGetLength(bytes)): string {
  let result = '';
  for (let start = 0; start < length; start += 8192) {
    const end = start + 8192 < length ? start + 8192 : length;
    const units: number[] = [];
    for (let j = start; j < end; j++) units[j - start] = bytes[j]!;
    result += ReflectApply(StringFromCharCode, undefined, units) as string;
  }
  return result;
}

function requireArgument(count: number, name: string): void {
  if (count < 1) throw new TypeError(`Failed to execute '${name}': 1 argument required, but only 0 present.`);
}

// Named function expressions through an object literal so `atob.name === 'atob'`, length 1.
export const atob = {
  atob(data: unknown): string {
    requireArgument(arguments.length, 'atob');
    const s = toDOMString(data);
    const bytes = forgivingBase64Decode(s);
    if (bytes === null) throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    return isomorphicDecode(bytes);
  },
}.atob;

export const btoa = {
  btoa(data: unknown): string {
    requireArgument(arguments.length, 'btoa');
    const s = toDOMString(data);
    const n = s.length;
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = StringPrototypeCharCodeAt(s, i);
      if (c > 0xff) throw new DOMException('The string to be encoded contains characters outside of the Latin1 range.', 'InvalidCharacterError');
      bytes[i] = c;
    }
    return base64Encode(bytes, n);
  },
}.btoa;
