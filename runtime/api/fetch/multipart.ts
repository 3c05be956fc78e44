// multipart/form-data: the encoding algorithm (HTML "multipart/form-data encoding algorithm", as
// used by Fetch's "extract a body" for FormData) and the parser used by Body.formData().
import {
  MathFloor, MathRandom, StringFromCharCode, StringPrototypeCharCodeAt, StringPrototypeSlice,
  StringPrototypeToLowerCase, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetLength, TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray, Uint8Array,
} from '../intrinsics.ts';
import { utf8Encode } from '../encoding/utf8.ts';
import { fillRandom } from '../crypto/random.ts';
import { utf8DecodeWithoutBOM } from '../encoding/decoders.ts';
import { blobBytes, blobState, createBlob } from '../file/blob.ts';
import { createFile, fileName, type File } from '../file/file.ts';
import { extractMIMEType, isHTTPToken, serializeMIMEType } from './mime.ts';

const BOUNDARY_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A fresh boundary: 44 bytes of [0-9A-Za-z-], random from the host's CSPRNG. */
export function createBoundary(): string {
  let out = '----IsleFormBoundary';
  let bytes: Uint8Array | undefined = new Uint8Array(24);
  try {
    fillRandom(bytes);
  } catch {
    bytes = undefined; // no host yet (snapshot time): Math.random is enough for a boundary
  }
  for (let i = 0; i < 24; i++) {
    const r = bytes !== undefined ? bytes[i]! % 62 : MathFloor(MathRandom() * 62);
    out += BOUNDARY_CHARS[r];
  }
  return out;
}

/** Escapes LF, CR and `"` in a name or filename (%0A, %0D, %22). */
function escapeName(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    let rep: string | undefined;
    if (c === 0x0a) rep = '%0A';
    else if (c === 0x0d) rep = '%0D';
    else if (c === 0x22) rep = '%22';
    if (rep !== undefined) {
      out += StringPrototypeSlice(s, start, i) + rep;
      start = i + 1;
    }
  }
  return start === 0 ? s : out + StringPrototypeSlice(s, start);
}

/** Converts lone CR, lone LF and CRLF to CRLF. */
export function normalizeNewlines(s: string): string {
  let out = '';
  let start = 0;
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0x0d) {
      if (i + 1 < s.length && StringPrototypeCharCodeAt(s, i + 1) === 0x0a) {
        i++;
        continue;
      }
      out += `${StringPrototypeSlice(s, start, i)}\r\n`;
      start = i + 1;
      changed = true;
    } else if (c === 0x0a) {
      out += `${StringPrototypeSlice(s, start, i)}\r\n`;
      start = i + 1;
      changed = true;
    }
  }
  return changed ? out + StringPrototypeSlice(s, start) : s;
}

/** Serializes a flat FormData entry list with `boundary` into one byte array. */
export function serializeMultipart(entries: readonly (string | File)[], boundary: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let n = 0;
  let size = 0;
  let text = '';
  const flushText = (): void => {
    if (text.length === 0) return;
    const bytes = utf8Encode(text);
    chunks[n++] = bytes;
    size += TypedArrayPrototypeGetByteLength(bytes);
    text = '';
  };
  for (let i = 0; i < entries.length; i += 2) {
    const name = escapeName(normalizeNewlines(entries[i] as string));
    const value = entries[i + 1]!;
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`;
    if (typeof value === 'string') {
      text += `\r\n\r\n${normalizeNewlines(value)}\r\n`;
    } else {
      const type = blobState(value).type;
      text += `; filename="${escapeName(fileName(value))}"\r\nContent-Type: ${type.length === 0 ? 'application/octet-stream' : type}\r\n\r\n`;
      flushText();
      const bytes = blobBytes(value);
      const len = TypedArrayPrototypeGetByteLength(bytes);
      if (len > 0) {
        chunks[n++] = bytes;
        size += len;
      }
      text = '\r\n';
    }
  }
  text += `--${boundary}--\r\n`;
  flushText();
  const out = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    TypedArrayPrototypeSet(out, chunks[i]!, offset);
    offset += TypedArrayPrototypeGetByteLength(chunks[i]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

function isPadding(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Does `bytes` hold `pattern` at `pos`? */
function matchAt(bytes: Uint8Array, pos: number, pattern: Uint8Array): boolean {
  const len = TypedArrayPrototypeGetLength(pattern);
  if (pos + len > TypedArrayPrototypeGetLength(bytes)) return false;
  for (let i = 0; i < len; i++) if (bytes[pos + i] !== pattern[i]) return false;
  return true;
}

/** Position of the next CRLF "--" boundary at or after `from`, or -1. */
function findDelimiter(bytes: Uint8Array, from: number, delimiter: Uint8Array): number {
  let pos = from;
  for (;;) {
    const cr = TypedArrayPrototypeIndexOf(bytes, CR, pos);
    if (cr === -1) return -1;
    if (matchAt(bytes, cr, delimiter)) return cr;
    pos = cr + 1;
  }
}

/**
 * After a delimiter ending at `pos`: returns the position after the CRLF that ends the delimiter
 * line, -2 for a valid close delimiter (rest is the epilogue), or -1 on failure.
 */
function afterDelimiter(bytes: Uint8Array, pos: number): number {
  const len = TypedArrayPrototypeGetLength(bytes);
  if (pos + 1 < len && bytes[pos] === DASH && bytes[pos + 1] === DASH) {
    pos += 2;
    while (pos < len && isPadding(bytes[pos]!)) pos++;
    if (pos === len) return -2;
    if (pos + 1 < len && bytes[pos] === CR && bytes[pos + 1] === LF) return -2;
    return -1;
  }
  while (pos < len && isPadding(bytes[pos]!)) pos++;
  if (pos + 1 < len && bytes[pos] === CR && bytes[pos + 1] === LF) return pos + 2;
  return -1;
}

interface PartHeaders {
  name: string | null;
  filename: string | null;
  contentType: string | null;
}

/** Parses a Content-Disposition value: `form-data` then `;`-separated parameters. */
function parseContentDisposition(value: string, out: PartHeaders): boolean {
  const len = value.length;
  let pos = 0;
  while (pos < len && StringPrototypeCharCodeAt(value, pos) !== 0x3b) pos++;
  let typeEnd = pos;
  while (typeEnd > 0 && isPadding(StringPrototypeCharCodeAt(value, typeEnd - 1))) typeEnd--;
  if (StringPrototypeToLowerCase(StringPrototypeSlice(value, 0, typeEnd)) !== 'form-data') return false;
  let name: string | null = null;
  let filename: string | null = null;
  while (pos < len) {
    pos++; // ';'
    while (pos < len && isPadding(StringPrototypeCharCodeAt(value, pos))) pos++;
    const keyStart = pos;
    while (pos < len) {
      const c = StringPrototypeCharCodeAt(value, pos);
      if (c === 0x3d || c === 0x3b) break;
      pos++;
    }
    let keyEnd = pos;
    while (keyEnd > keyStart && isPadding(StringPrototypeCharCodeAt(value, keyEnd - 1))) keyEnd--;
    const key = StringPrototypeToLowerCase(StringPrototypeSlice(value, keyStart, keyEnd));
    if (pos >= len || StringPrototypeCharCodeAt(value, pos) === 0x3b) continue;
    pos++; // '='
    while (pos < len && isPadding(StringPrototypeCharCodeAt(value, pos))) pos++;
    let v: string;
    if (pos < len && StringPrototypeCharCodeAt(value, pos) === 0x22) {
      // Browsers do not backslash-escape (they percent-encode " and newlines): the quoted string
      // runs to the next quote.
      const start = pos + 1;
      let end = start;
      while (end < len && StringPrototypeCharCodeAt(value, end) !== 0x22) end++;
      if (end >= len) return false;
      v = StringPrototypeSlice(value, start, end);
      pos = end + 1;
      while (pos < len && StringPrototypeCharCodeAt(value, pos) !== 0x3b) pos++;
    } else {
      const start = pos;
      while (pos < len && StringPrototypeCharCodeAt(value, pos) !== 0x3b) pos++;
      let end = pos;
      while (end > start && isPadding(StringPrototypeCharCodeAt(value, end - 1))) end--;
      v = StringPrototypeSlice(value, start, end);
    }
    if (key === 'name' && name === null) name = v;
    else if (key === 'filename' && filename === null) filename = v;
  }
  if (name === null) return false;
  out.name = name;
  out.filename = filename;
  return true;
}

/**
 * Parses the header block of a part starting at `pos`. Returns the position after the blank line
 * or -1 on failure; fills `out`.
 */
function parsePartHeaders(bytes: Uint8Array, pos: number, out: PartHeaders): number {
  const len = TypedArrayPrototypeGetLength(bytes);
  let sawDisposition = false;
  for (;;) {
    // One line: up to CRLF; a bare CR or LF is malformed.
    const start = pos;
    while (pos < len && bytes[pos] !== CR && bytes[pos] !== LF) pos++;
    if (pos + 1 >= len || bytes[pos] !== CR || bytes[pos + 1] !== LF) return -1;
    const end = pos;
    pos += 2;
    if (end === start) break; // blank line: end of headers
    let s = start;
    while (s < end && isPadding(bytes[s]!)) s++;
    let colon = s;
    while (colon < end && bytes[colon] !== 0x3a) colon++;
    if (colon === end) return -1;
    let nameEnd = colon;
    while (nameEnd > s && isPadding(bytes[nameEnd - 1]!)) nameEnd--;
    let headerName = '';
    for (let i = s; i < nameEnd; i++) headerName += StringFromCharCode(bytes[i]!);
    if (!isHTTPToken(headerName)) return -1;
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isPadding(bytes[vs]!)) vs++;
    while (ve > vs && isPadding(bytes[ve - 1]!)) ve--;
    for (let i = vs; i < ve; i++) if (bytes[i] === 0) return -1;
    const lower = StringPrototypeToLowerCase(headerName);
    if (lower === 'content-disposition') {
      const value = utf8DecodeWithoutBOM(TypedArrayPrototypeSubarray(bytes, vs, ve));
      if (!parseContentDisposition(value, out)) return -1;
      sawDisposition = true;
    } else if (lower === 'content-type') {
      let value = '';
      for (let i = vs; i < ve; i++) value += StringFromCharCode(bytes[i]!);
      out.contentType = out.contentType === null ? value : `${out.contentType}, ${value}`;
    }
  }
  return sawDisposition ? pos : -1;
}

/**
 * Parses a multipart/form-data body; returns the flat entry list or null on failure.
 * File parts share the body's bytes (the caller hands over a buffer it owns).
 */
export function parseMultipart(bytes: Uint8Array, boundary: string): (string | File)[] | null {
  if (boundary.length === 0) return null;
  const boundaryBytes = utf8Encode(boundary);
  const blen = TypedArrayPrototypeGetLength(boundaryBytes);
  const delimiter = new Uint8Array(blen + 4);
  delimiter[0] = CR;
  delimiter[1] = LF;
  delimiter[2] = DASH;
  delimiter[3] = DASH;
  TypedArrayPrototypeSet(delimiter, boundaryBytes, 4);
  // The body starts with the first delimiter (no CRLF before it, no preamble).
  const dashBoundary = TypedArrayPrototypeSubarray(delimiter, 2);
  if (!matchAt(bytes, 0, dashBoundary)) return null;
  let pos = afterDelimiter(bytes, TypedArrayPrototypeGetLength(dashBoundary));
  const entries: (string | File)[] = [];
  let n = 0;
  while (pos !== -2) {
    if (pos === -1) return null;
    const headers: PartHeaders = { name: null, filename: null, contentType: null };
    const bodyStart = parsePartHeaders(bytes, pos, headers);
    if (bodyStart === -1) return null;
    // The body may be empty: the delimiter's CRLF can directly follow the blank line.
    const next = findDelimiter(bytes, bodyStart - 2, delimiter);
    if (next === -1) return null;
    const bodyEnd = next < bodyStart ? bodyStart : next;
    const body = TypedArrayPrototypeSubarray(bytes, bodyStart, bodyEnd);
    const name = headers.name!;
    entries[n++] = name;
    if (headers.filename !== null) {
      let type = 'text/plain';
      if (headers.contentType !== null) {
        const mime = extractMIMEType(headers.contentType);
        type = mime === null ? '' : serializeMIMEType(mime);
      }
      const size = TypedArrayPrototypeGetByteLength(body);
      const blob = createBlob(size === 0 ? [] : [body], size, type);
      entries[n++] = createFile(blobState(blob), headers.filename, 0);
    } else {
      entries[n++] = utf8DecodeWithoutBOM(body);
    }
    pos = afterDelimiter(bytes, next + TypedArrayPrototypeGetLength(delimiter));
  }
  return entries;
}
