// The data: URL processor (https://fetch.spec.whatwg.org/#data-url-processor): fetch() answers
// data: URLs inside the isolate, no host involved.
import {
  StringFromCharCode, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeToLowerCase, TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength,
  Uint8Array,
} from '../intrinsics.ts';
import { forgivingBase64Decode } from '../encoding/base64.ts';
import { serializeURL, type URLRecord } from '../url/index.ts';
import { parseMIMEType, serializeMIMEType } from './mime.ts';

export interface DataURLResult {
  /** The serialized MIME type (text/plain;charset=US-ASCII when the URL's does not parse). */
  mimeType: string;
  body: Uint8Array;
}

function isASCIIWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * "Percent-decode" of the string's bytes. The serialized URL is ASCII (the URL parser
 * percent-encodes everything else in paths and queries), so each code unit is one byte; any
 * wider code unit would be UTF-8 encoded first by the spec and is handled the same way here.
 */
function percentDecodeToBytes(s: string, start: number): Uint8Array {
  const out = new Uint8Array((s.length - start) * 3);
  let n = 0;
  const put = (b: number) => {
    out[n++] = b;
  };
  for (let i = start; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0x25 && i + 2 < s.length) {
      const h = hexValue(StringPrototypeCharCodeAt(s, i + 1));
      const l = hexValue(StringPrototypeCharCodeAt(s, i + 2));
      if (h >= 0 && l >= 0) {
        put((h << 4) | l);
        i += 2;
        continue;
      }
    }
    if (c < 0x80) {
      put(c);
    } else if (c < 0x800) {
      put(0xc0 | (c >> 6));
      put(0x80 | (c & 0x3f));
    } else {
      // Lone surrogates cannot occur: URL serialization output is ASCII.
      put(0xe0 | (c >> 12));
      put(0x80 | ((c >> 6) & 0x3f));
      put(0x80 | (c & 0x3f));
    }
  }
  // A view of the decoded prefix (no %TypedArray%.prototype.slice: it looks up a species).
  return new Uint8Array(TypedArrayPrototypeGetBuffer(out), 0, n);
}

function isomorphicDecode(bytes: Uint8Array): string {
  let s = '';
  const length = TypedArrayPrototypeGetLength(bytes);
  for (let i = 0; i < length; i++) s += StringFromCharCode(bytes[i]!);
  return s;
}

/** Runs the data: URL processor; null is the spec's failure. */
export function processDataURL(url: URLRecord): DataURLResult | null {
  // 1–3. Serialize without the fragment and drop the leading "data:".
  const input = serializeURL(url, true);
  let position = 5;
  // 4–5. Collect everything up to the first ",".
  const start = position;
  while (position < input.length && StringPrototypeCharCodeAt(input, position) !== 0x2c) position++;
  // 6. Strip leading and trailing ASCII whitespace.
  let mimeStart = start;
  let mimeEnd = position;
  while (mimeStart < mimeEnd && isASCIIWhitespace(StringPrototypeCharCodeAt(input, mimeStart))) mimeStart++;
  while (mimeEnd > mimeStart && isASCIIWhitespace(StringPrototypeCharCodeAt(input, mimeEnd - 1))) mimeEnd--;
  let mimeType = StringPrototypeSlice(input, mimeStart, mimeEnd);
  // 7. No comma: failure.
  if (position >= input.length) return null;
  // 8–10. The rest, percent-decoded.
  let body = percentDecodeToBytes(input, position + 1);
  // 11. ";" then zero or more U+0020 then "base64" (ASCII case-insensitive) at the end.
  const m = mimeType.length;
  if (m >= 6 && StringPrototypeToLowerCase(StringPrototypeSlice(mimeType, m - 6)) === 'base64') {
    let i = m - 6;
    while (i > 0 && StringPrototypeCharCodeAt(mimeType, i - 1) === 0x20) i--;
    if (i > 0 && StringPrototypeCharCodeAt(mimeType, i - 1) === 0x3b) {
      const decoded = forgivingBase64Decode(isomorphicDecode(body));
      if (decoded === null) return null;
      body = decoded;
      // Remove "base64", the spaces before it, then the ";".
      mimeType = StringPrototypeSlice(mimeType, 0, i - 1);
    }
  }
  // 12. A type starting with ";" is text/plain with those parameters.
  if (mimeType.length > 0 && StringPrototypeCharCodeAt(mimeType, 0) === 0x3b) mimeType = `text/plain${mimeType}`;
  // 13–14. Parse; fall back to text/plain;charset=US-ASCII.
  const record = parseMIMEType(mimeType);
  return { mimeType: record === null ? 'text/plain;charset=US-ASCII' : serializeMIMEType(record), body };
}
