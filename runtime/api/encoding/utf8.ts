// UTF-8 encoding of JavaScript strings (https://encoding.spec.whatwg.org/#utf-8-encoder), with the
// WebIDL USVString conversion folded in: lone surrogates become U+FFFD (EF BF BD).
import { StringPrototypeCharCodeAt, Uint8Array } from '../intrinsics.ts';

/** Number of UTF-8 bytes `s` encodes to (lone surrogates counting as U+FFFD). */
export function utf8Length(s: string): number {
  const n = s.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = StringPrototypeCharCodeAt(s, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Writes the UTF-8 encoding of `s` into `dest` from offset 0, stopping before a character that
 * does not fit in `capacity` bytes. The code units read and bytes written are stored in `out`.
 */
export function utf8EncodeInto(s: string, dest: Uint8Array, capacity: number, out: { read: number; written: number }): void {
  const n = s.length;
  let i = 0;
  let o = 0;
  while (i < n) {
    let c = StringPrototypeCharCodeAt(s, i);
    if (c < 0x80) {
      if (o >= capacity) break;
      dest[o++] = c;
      i++;
      continue;
    }
    if (c < 0x800) {
      if (o + 2 > capacity) break;
      dest[o++] = 0xc0 | (c >> 6);
      dest[o++] = 0x80 | (c & 0x3f);
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < n) {
        const d = StringPrototypeCharCodeAt(s, i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          if (o + 4 > capacity) break;
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          dest[o++] = 0xf0 | (cp >> 18);
          dest[o++] = 0x80 | ((cp >> 12) & 0x3f);
          dest[o++] = 0x80 | ((cp >> 6) & 0x3f);
          dest[o++] = 0x80 | (cp & 0x3f);
          i += 2;
          continue;
        }
      }
      c = 0xfffd; // lone surrogate
    }
    if (o + 3 > capacity) break;
    dest[o++] = 0xe0 | (c >> 12);
    dest[o++] = 0x80 | ((c >> 6) & 0x3f);
    dest[o++] = 0x80 | (c & 0x3f);
    i++;
  }
  out.read = i;
  out.written = o;
}

const scratch = { read: 0, written: 0 };

/** Encoding Standard "UTF-8 encode" of a (USV)string: a new Uint8Array. */
export function utf8Encode(s: string): Uint8Array {
  const length = utf8Length(s);
  const bytes = new Uint8Array(length);
  utf8EncodeInto(s, bytes, length, scratch);
  return bytes;
}
