// Percent-encoding and UTF-8 helpers of the URL Standard (https://url.spec.whatwg.org/#percent-encoded-bytes).
// Char-code loops only: no regular expressions (each literal costs a compile per isolate).
import {
  ReflectApply, StringFromCharCode, StringPrototypeCharCodeAt, StringPrototypeSlice, Uint8Array,
} from '../intrinsics.ts';

// Percent-encode sets, as bits in a 128-entry table. Every set contains the C0 control
// percent-encode set (C0 controls and everything above U+007E), handled outside the table.
export const C0_SET = 0;
export const FRAGMENT_SET = 1;
export const QUERY_SET = 2;
export const SPECIAL_QUERY_SET = 4;
export const PATH_SET = 8;
export const USERINFO_SET = 16;
export const COMPONENT_SET = 32;
export const FORM_SET = 64;

const table = new Uint8Array(128);
function mark(chars: string, bits: number): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= bits;
}
// Module top level runs at snapshot time, before tenant code: plain method calls are fine here.
mark(' "<>`', FRAGMENT_SET);
mark(' "#<>', QUERY_SET | SPECIAL_QUERY_SET | PATH_SET | USERINFO_SET | COMPONENT_SET | FORM_SET);
mark("'", SPECIAL_QUERY_SET);
mark('?^`{}', PATH_SET | USERINFO_SET | COMPONENT_SET | FORM_SET);
mark('/:;=@[\\]^|', USERINFO_SET | COMPONENT_SET | FORM_SET);
mark('$%&+,', COMPONENT_SET | FORM_SET);
mark("!'()~", FORM_SET);

const HEX = '0123456789ABCDEF';
const byteHex: string[] = [];
for (let b = 0; b < 256; b++) byteHex[b] = '%' + HEX[b >> 4]! + HEX[b & 15]!;

/** Percent-encodes one byte as `%XX` (upper-case hex). */
export function percentByte(b: number): string {
  return byteHex[b]!;
}

function inSet(c: number, set: number): boolean {
  return c < 0x20 || c > 0x7e || (table[c]! & set) !== 0;
}

/** UTF-8 percent-encodes the code point `cp` (a scalar value) with `set` (one of the *_SET bits). */
export function encodeCodePoint(cp: number, set: number): string {
  if (cp < 0x80) return inSet(cp, set) ? byteHex[cp]! : StringFromCharCode(cp);
  if (cp < 0x800) return byteHex[0xc0 | (cp >> 6)]! + byteHex[0x80 | (cp & 63)]!;
  if (cp < 0x10000) {
    return byteHex[0xe0 | (cp >> 12)]! + byteHex[0x80 | ((cp >> 6) & 63)]! + byteHex[0x80 | (cp & 63)]!;
  }
  return byteHex[0xf0 | (cp >> 18)]! + byteHex[0x80 | ((cp >> 12) & 63)]! +
    byteHex[0x80 | ((cp >> 6) & 63)]! + byteHex[0x80 | (cp & 63)]!;
}

/** The code point at `i` of `s` (lone surrogates read as U+FFFD), and its length in code units via `cpLen`. */
export function codePointAt(s: string, i: number): number {
  const c = StringPrototypeCharCodeAt(s, i);
  if (c < 0xd800 || c > 0xdfff) return c;
  if (c <= 0xdbff && i + 1 < s.length) {
    const d = StringPrototypeCharCodeAt(s, i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return 0xfffd;
}

/**
 * UTF-8 percent-encodes every code point of `s` in `set`. With `spaceAsPlus` (the
 * application/x-www-form-urlencoded serializer) U+0020 becomes `+`.
 */
export function percentEncodeString(s: string, set: number, spaceAsPlus = false): string {
  const n = s.length;
  let i = 0;
  // Fast path: nothing to encode.
  for (; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (inSet(c, set)) break;
  }
  if (i === n) return s;
  let out = StringPrototypeSlice(s, 0, i);
  let runStart = i;
  while (i < n) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (!inSet(c, set)) { i++; continue; }
    if (runStart < i) out += StringPrototypeSlice(s, runStart, i);
    if (c === 0x20 && spaceAsPlus) {
      out += '+';
      i++;
    } else {
      const cp = codePointAt(s, i);
      out += encodeCodePoint(cp, set);
      i += cp > 0xffff ? 2 : 1;
    }
    runStart = i;
  }
  if (runStart < n) out += StringPrototypeSlice(s, runStart, n);
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Appends the UTF-8 bytes of code point `cp` to `out` at `n`; returns the new length. */
function pushUTF8(out: number[], n: number, cp: number): number {
  if (cp < 0x80) {
    out[n++] = cp;
  } else if (cp < 0x800) {
    out[n++] = 0xc0 | (cp >> 6); out[n++] = 0x80 | (cp & 63);
  } else if (cp < 0x10000) {
    out[n++] = 0xe0 | (cp >> 12); out[n++] = 0x80 | ((cp >> 6) & 63); out[n++] = 0x80 | (cp & 63);
  } else {
    out[n++] = 0xf0 | (cp >> 18); out[n++] = 0x80 | ((cp >> 12) & 63);
    out[n++] = 0x80 | ((cp >> 6) & 63); out[n++] = 0x80 | (cp & 63);
  }
  return n;
}

/**
 * "Percent-decode" the UTF-8 encoding of `s[start, end)` and UTF-8 decode it (without BOM, with
 * replacement). With `plusAsSpace`, `+` is read as a space first (form-urlencoded).
 */
export function percentDecodeString(s: string, plusAsSpace = false, start = 0, end = s.length): string {
  let simple = true;
  for (let i = start; i < end; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0x25 || (c === 0x2b && plusAsSpace) || (c >= 0xd800 && c <= 0xdfff)) { simple = false; break; }
  }
  if (simple) return StringPrototypeSlice(s, start, end);
  const bytes: number[] = [];
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0x25 && i + 2 < end) {
      const h = hexValue(StringPrototypeCharCodeAt(s, i + 1));
      const l = hexValue(StringPrototypeCharCodeAt(s, i + 2));
      if (h >= 0 && l >= 0) {
        bytes[n++] = (h << 4) | l;
        i += 2;
        continue;
      }
    }
    if (c === 0x2b && plusAsSpace) { bytes[n++] = 0x20; continue; }
    if (c < 0x80) { bytes[n++] = c; continue; }
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++;
    n = pushUTF8(bytes, n, cp);
  }
  return utf8Decode(bytes, 0, n);
}

/** The same over bytes (form-urlencoded bodies): `+` as space, `%XX` decoded, then UTF-8 decoded. */
export function percentDecodeBytes(src: Uint8Array, start: number, end: number, plusAsSpace: boolean): string {
  const bytes: number[] = [];
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c === 0x25 && i + 2 < end) {
      const h = hexValue(src[i + 1]!);
      const l = hexValue(src[i + 2]!);
      if (h >= 0 && l >= 0) {
        bytes[n++] = (h << 4) | l;
        i += 2;
        continue;
      }
    }
    bytes[n++] = c === 0x2b && plusAsSpace ? 0x20 : c;
  }
  return utf8Decode(bytes, 0, n);
}

/** WHATWG "UTF-8 decode without BOM" (replacement mode) of `bytes[start, end)`. */
export function utf8Decode(bytes: ArrayLike<number>, start: number, end: number): string {
  let units: number[] = [];
  let n = 0;
  let out = '';
  let cp = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (needed === 0) {
      if (b < 0x80) { units[n++] = b; }
      else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2; cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3; cp = b & 0x7;
      } else { units[n++] = 0xfffd; }
    } else if (b < lower || b > upper) {
      // Invalid continuation: emit U+FFFD and reprocess this byte.
      cp = needed = seen = 0; lower = 0x80; upper = 0xbf;
      units[n++] = 0xfffd;
      i--;
    } else {
      lower = 0x80; upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        if (cp > 0xffff) {
          cp -= 0x10000;
          units[n++] = 0xd800 + (cp >> 10);
          units[n++] = 0xdc00 + (cp & 0x3ff);
        } else {
          units[n++] = cp;
        }
        cp = needed = seen = 0;
      }
    }
    if (n >= 8192) {
      out += ReflectApply(StringFromCharCode, undefined, units);
      units = [];
      n = 0;
    }
  }
  if (needed !== 0) units[n++] = 0xfffd;
  if (n > 0) out += ReflectApply(StringFromCharCode, undefined, units);
  return out;
}

/** UTF-8 encodes a string (lone surrogates become U+FFFD). */
export function utf8Encode(s: string): Uint8Array {
  const bytes: number[] = [];
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c < 0x80) { bytes[n++] = c; continue; }
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++;
    n = pushUTF8(bytes, n, cp);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[i]!;
  return out;
}
