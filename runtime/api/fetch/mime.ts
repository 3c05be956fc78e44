// MIME types (https://mimesniff.spec.whatwg.org/#parsing-a-mime-type) and the Fetch Standard's
// "extract a MIME type" / "get, decode, and split" over header values.
import {
  Map, MapPrototypeGet, MapPrototypeHas, MapPrototypeSet, MapPrototypeForEach, StringPrototypeCharCodeAt,
  StringPrototypeSlice, StringPrototypeToLowerCase, StringFromCharCode, Uint8Array,
} from '../intrinsics.ts';

export interface MIMEType {
  type: string;
  subtype: string;
  /** Lowercased names → values, in insertion order. */
  parameters: Map<string, string>;
}

// Character classes for U+0000–U+007F: bit 1 = HTTP token code point.
const TOKEN = new Uint8Array(128);
{
  const extra = "!#$%&'*+-.^_`|~";
  for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
  for (let i = 0; i < extra.length; i++) TOKEN[extra.charCodeAt(i)] = 1;
}

/** Is every code unit of `s` an HTTP token code point (and `s` non-empty)? */
export function isHTTPToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

function isHTTPQuotedStringTokenCodePoints(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return false;
  }
  return true;
}

export function isHTTPWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Removes leading and trailing HTTP whitespace (tab, LF, CR, space). */
export function trimHTTPWhitespace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isHTTPWhitespace(StringPrototypeCharCodeAt(s, start))) start++;
  while (end > start && isHTTPWhitespace(StringPrototypeCharCodeAt(s, end - 1))) end--;
  return start === 0 && end === s.length ? s : StringPrototypeSlice(s, start, end);
}

/**
 * Collects an HTTP quoted string starting at `pos` (which holds `"`). Returns the value (unescaped
 * when `extract`, else the raw text including quotes) and the position after it.
 */
export function collectHTTPQuotedString(input: string, pos: number, extract: boolean): { value: string; pos: number } {
  const start = pos;
  let value = '';
  pos++;
  for (;;) {
    const runStart = pos;
    while (pos < input.length) {
      const c = StringPrototypeCharCodeAt(input, pos);
      if (c === 0x22 || c === 0x5c) break;
      pos++;
    }
    value += StringPrototypeSlice(input, runStart, pos);
    if (pos >= input.length) break;
    const quoteOrBackslash = StringPrototypeCharCodeAt(input, pos);
    pos++;
    if (quoteOrBackslash === 0x5c) {
      if (pos >= input.length) {
        value += '\\';
        break;
      }
      value += input[pos];
      pos++;
    } else {
      break;
    }
  }
  return { value: extract ? value : StringPrototypeSlice(input, start, pos), pos };
}

/** Parses a MIME type; null on failure. */
export function parseMIMEType(input: string): MIMEType | null {
  input = trimHTTPWhitespace(input);
  const len = input.length;
  let pos = 0;
  while (pos < len && StringPrototypeCharCodeAt(input, pos) !== 0x2f) pos++;
  const type = StringPrototypeSlice(input, 0, pos);
  if (!isHTTPToken(type) || pos >= len) return null;
  pos++;
  const subStart = pos;
  while (pos < len && StringPrototypeCharCodeAt(input, pos) !== 0x3b) pos++;
  let subEnd = pos;
  while (subEnd > subStart && isHTTPWhitespace(StringPrototypeCharCodeAt(input, subEnd - 1))) subEnd--;
  const subtype = StringPrototypeSlice(input, subStart, subEnd);
  if (!isHTTPToken(subtype)) return null;
  const mime: MIMEType = {
    type: StringPrototypeToLowerCase(type),
    subtype: StringPrototypeToLowerCase(subtype),
    parameters: new Map(),
  };
  while (pos < len) {
    pos++; // ';'
    while (pos < len && isHTTPWhitespace(StringPrototypeCharCodeAt(input, pos))) pos++;
    const nameStart = pos;
    while (pos < len) {
      const c = StringPrototypeCharCodeAt(input, pos);
      if (c === 0x3b || c === 0x3d) break;
      pos++;
    }
    const name = StringPrototypeToLowerCase(StringPrototypeSlice(input, nameStart, pos));
    if (pos < len) {
      if (StringPrototypeCharCodeAt(input, pos) === 0x3b) continue;
      pos++; // '='
    }
    if (pos >= len) break;
    let value: string;
    if (StringPrototypeCharCodeAt(input, pos) === 0x22) {
      const r = collectHTTPQuotedString(input, pos, true);
      value = r.value;
      pos = r.pos;
      while (pos < len && StringPrototypeCharCodeAt(input, pos) !== 0x3b) pos++;
    } else {
      const valueStart = pos;
      while (pos < len && StringPrototypeCharCodeAt(input, pos) !== 0x3b) pos++;
      let valueEnd = pos;
      while (valueEnd > valueStart && isHTTPWhitespace(StringPrototypeCharCodeAt(input, valueEnd - 1))) valueEnd--;
      value = StringPrototypeSlice(input, valueStart, valueEnd);
      if (value.length === 0) continue;
    }
    if (isHTTPToken(name) && isHTTPQuotedStringTokenCodePoints(value) && !MapPrototypeHas(mime.parameters, name)) {
      MapPrototypeSet(mime.parameters, name, value);
    }
  }
  return mime;
}

export function mimeEssence(m: MIMEType): string {
  return `${m.type}/${m.subtype}`;
}

/** Serializes a MIME type record. */
export function serializeMIMEType(m: MIMEType): string {
  let out = `${m.type}/${m.subtype}`;
  MapPrototypeForEach(m.parameters, (value: string, name: string) => {
    out += `;${name}=`;
    if (value.length === 0 || !isHTTPToken(value)) {
      let quoted = '"';
      for (let i = 0; i < value.length; i++) {
        const c = StringPrototypeCharCodeAt(value, i);
        if (c === 0x22 || c === 0x5c) quoted += '\\';
        quoted += StringFromCharCode(c);
      }
      out += `${quoted}"`;
    } else {
      out += value;
    }
  });
  return out;
}

/** Fetch "get, decode, and split" applied to an already combined header value. */
export function splitHeaderValue(value: string): string[] {
  const values: string[] = [];
  let n = 0;
  let pos = 0;
  const len = value.length;
  let temporary = '';
  for (;;) {
    const start = pos;
    while (pos < len) {
      const c = StringPrototypeCharCodeAt(value, pos);
      if (c === 0x22 || c === 0x2c) break;
      pos++;
    }
    temporary += StringPrototypeSlice(value, start, pos);
    if (pos < len && StringPrototypeCharCodeAt(value, pos) === 0x22) {
      const r = collectHTTPQuotedString(value, pos, false);
      temporary += r.value;
      pos = r.pos;
      if (pos < len) continue;
    }
    let a = 0;
    let b = temporary.length;
    while (a < b) {
      const c = StringPrototypeCharCodeAt(temporary, a);
      if (c !== 0x20 && c !== 0x09) break;
      a++;
    }
    while (b > a) {
      const c = StringPrototypeCharCodeAt(temporary, b - 1);
      if (c !== 0x20 && c !== 0x09) break;
      b--;
    }
    values[n++] = StringPrototypeSlice(temporary, a, b);
    temporary = '';
    if (pos >= len) return values;
    pos++; // ','
  }
}

/** Fetch "extract a MIME type" from a combined Content-Type value (null header → null). */
export function extractMIMEType(contentType: string | null): MIMEType | null {
  if (contentType === null) return null;
  const values = splitHeaderValue(contentType);
  let charset: string | null = null;
  let essence: string | null = null;
  let mimeType: MIMEType | null = null;
  for (let i = 0; i < values.length; i++) {
    const temporary = parseMIMEType(values[i]!);
    if (temporary === null) continue;
    const e = mimeEssence(temporary);
    if (e === '*/*') continue;
    mimeType = temporary;
    if (e !== essence) {
      charset = null;
      const c = MapPrototypeGet(mimeType.parameters, 'charset');
      if (c !== undefined) charset = c;
      essence = e;
    } else if (!MapPrototypeHas(mimeType.parameters, 'charset') && charset !== null) {
      MapPrototypeSet(mimeType.parameters, 'charset', charset);
    }
  }
  return mimeType;
}
