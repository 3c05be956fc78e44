// The basic URL parser and URL serializer (https://url.spec.whatwg.org/#url-parsing).
// One state machine over UTF-16 code units: `c` is the code point at `pointer` (a surrogate pair
// is read as one code point and `step` is 2), and the spec's "decrease pointer by 1" is
// `pointer -= step`, so the loop's `pointer += step` revisits the same code point.
import {
  ArrayPrototypePop, ArrayPrototypePush, NumberPrototypeToString,
  StringFromCharCode, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeToWellFormed,
} from '../intrinsics.ts';
import { parseHost } from './host.ts';
import {
  C0_SET, FRAGMENT_SET, PATH_SET, QUERY_SET, SPECIAL_QUERY_SET, USERINFO_SET, codePointAt, encodeCodePoint,
  percentEncodeString,
} from './percent.ts';

/** A URL record. `path` is a string when the URL has an opaque path, else a list of segments. */
export interface URLRecord {
  scheme: string;
  username: string;
  password: string;
  /** Serialized host, or null. */
  host: string | null;
  port: number | null;
  path: string[] | string;
  query: string | null;
  fragment: string | null;
}

// Parser states.
export const SCHEME_START = 1;
export const SCHEME = 2;
const NO_SCHEME = 3;
const SPECIAL_RELATIVE_OR_AUTHORITY = 4;
const PATH_OR_AUTHORITY = 5;
const RELATIVE = 6;
const RELATIVE_SLASH = 7;
const SPECIAL_AUTHORITY_SLASHES = 8;
const SPECIAL_AUTHORITY_IGNORE_SLASHES = 9;
const AUTHORITY = 10;
export const HOST = 11;
export const HOSTNAME = 12;
export const PORT = 13;
const FILE = 14;
const FILE_SLASH = 15;
const FILE_HOST = 16;
export const PATH_START = 17;
const PATH = 18;
export const OPAQUE_PATH = 19;
export const QUERY = 20;
export const FRAGMENT = 21;

const EOF = -1;

/** The default port of a special scheme, null for "file", undefined for non-special schemes. */
export function specialSchemePort(scheme: string): number | null | undefined {
  switch (scheme) {
    case 'http': case 'ws': return 80;
    case 'https': case 'wss': return 443;
    case 'ftp': return 21;
    case 'file': return null;
  }
  return undefined;
}

export function isSpecialScheme(scheme: string): boolean {
  return specialSchemePort(scheme) !== undefined;
}

export function newURLRecord(): URLRecord {
  return { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null };
}

export function includesCredentials(url: URLRecord): boolean {
  return url.username !== '' || url.password !== '';
}

export function cannotHaveUsernamePasswordPort(url: URLRecord): boolean {
  return url.host === null || url.host === '' || url.scheme === 'file';
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Is s[i, i+2) a Windows drive letter (normalized: second code point is ':')? */
function isDriveLetterAt(s: string, i: number, normalizedOnly: boolean): boolean {
  if (i + 2 > s.length) return false;
  const b = StringPrototypeCharCodeAt(s, i + 1);
  return isAlpha(StringPrototypeCharCodeAt(s, i)) && (b === 0x3a || (!normalizedOnly && b === 0x7c));
}

function isWindowsDriveLetter(s: string, normalizedOnly: boolean): boolean {
  return s.length === 2 && isDriveLetterAt(s, 0, normalizedOnly);
}

/** "starts with a Windows drive letter", for s[i, end). */
function startsWithDriveLetter(s: string, i: number): boolean {
  if (!isDriveLetterAt(s, i, false)) return false;
  if (s.length - i === 2) return true;
  const c = StringPrototypeCharCodeAt(s, i + 2);
  return c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23;
}

function shortenPath(url: URLRecord): void {
  const path = url.path as string[];
  if (url.scheme === 'file' && path.length === 1 && isWindowsDriveLetter(path[0]!, true)) return;
  ArrayPrototypePop(path);
}

function isSingleDot(s: string): boolean {
  if (s === '.') return true;
  return s.length === 3 && s[0] === '%' && s[1] === '2' && (s[2] === 'e' || s[2] === 'E');
}

function isDoubleDot(s: string): boolean {
  switch (s.length) {
    case 2: return s === '..';
    case 4: return (s[0] === '.' && isSingleDot(StringPrototypeSlice(s, 1))) ||
      (s[3] === '.' && isSingleDot(StringPrototypeSlice(s, 0, 3)));
    case 6: return isSingleDot(StringPrototypeSlice(s, 0, 3)) && isSingleDot(StringPrototypeSlice(s, 3));
  }
  return false;
}

function isC0OrSpace(c: number): boolean {
  return c <= 0x20;
}

/** Removes leading/trailing C0 control or space and every ASCII tab or newline. */
function cleanInput(input: string, trim: boolean): string {
  let start = 0;
  let end = input.length;
  if (trim) {
    while (start < end && isC0OrSpace(StringPrototypeCharCodeAt(input, start))) start++;
    while (end > start && isC0OrSpace(StringPrototypeCharCodeAt(input, end - 1))) end--;
  }
  let out = '';
  let runStart = start;
  for (let i = start; i < end; i++) {
    const c = StringPrototypeCharCodeAt(input, i);
    if (c === 0x09 || c === 0x0a || c === 0x0d) {
      if (runStart < i) out += StringPrototypeSlice(input, runStart, i);
      runStart = i + 1;
    }
  }
  if (runStart === 0 && end === input.length) return input;
  return out + StringPrototypeSlice(input, runStart, end);
}

function cloneRecord(r: URLRecord): URLRecord {
  return {
    scheme: r.scheme, username: r.username, password: r.password, host: r.host, port: r.port,
    path: typeof r.path === 'string' ? r.path : copyPath(r.path), query: r.query, fragment: r.fragment,
  };
}

/**
 * The basic URL parser. Without `url`/`stateOverride` returns a new record or null (failure).
 * With them, modifies `url` in place (the setters' "state override" mode) and returns null only on
 * failure. `input` must be a scalar value string (USVString).
 */
export function basicParse(
  rawInput: string, base: URLRecord | null, url?: URLRecord, stateOverride = 0,
): URLRecord | null {
  const override = stateOverride !== 0;
  const input = cleanInput(rawInput, url === undefined);
  if (url === undefined) url = newURLRecord();
  let state = override ? stateOverride : SCHEME_START;
  let buffer = '';
  let atSignSeen = false;
  let insideBrackets = false;
  let passwordTokenSeen = false;
  const len = input.length;
  let pointer = 0;
  let special = isSpecialScheme(url.scheme);

  for (;;) {
    let c: number;
    let step = 1;
    if (pointer >= len) {
      c = EOF;
    } else {
      c = StringPrototypeCharCodeAt(input, pointer);
      if (c >= 0xd800 && c <= 0xdfff) {
        c = codePointAt(input, pointer);
        if (c > 0xffff) step = 2;
      }
    }
    switch (state) {
      case SCHEME_START:
        if (isAlpha(c)) {
          buffer += StringFromCharCode(c | 0x20);
          state = SCHEME;
        } else if (!override) {
          state = NO_SCHEME;
          pointer -= step;
        } else {
          return null;
        }
        break;

      case SCHEME:
        if (isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) {
          buffer += StringFromCharCode(isAlpha(c) ? c | 0x20 : c);
        } else if (c === 0x3a) {
          if (override) {
            const bufferSpecial = isSpecialScheme(buffer);
            if (special !== bufferSpecial) return url;
            if ((includesCredentials(url) || url.port !== null) && buffer === 'file') return url;
            if (url.scheme === 'file' && url.host === '') return url;
          }
          url.scheme = buffer;
          special = isSpecialScheme(buffer);
          if (override) {
            if (url.port === specialSchemePort(url.scheme)) url.port = null;
            return url;
          }
          buffer = '';
          if (url.scheme === 'file') {
            state = FILE;
          } else if (special && base !== null && base.scheme === url.scheme) {
            state = SPECIAL_RELATIVE_OR_AUTHORITY;
          } else if (special) {
            state = SPECIAL_AUTHORITY_SLASHES;
          } else if (pointer + 1 < len && StringPrototypeCharCodeAt(input, pointer + 1) === 0x2f) {
            state = PATH_OR_AUTHORITY;
            pointer++;
          } else {
            url.path = '';
            state = OPAQUE_PATH;
          }
        } else if (!override) {
          buffer = '';
          state = NO_SCHEME;
          pointer = -step; // start over from the first code point
        } else {
          return null;
        }
        break;

      case NO_SCHEME:
        if (base === null || (typeof base.path === 'string' && c !== 0x23)) return null;
        if (typeof base.path === 'string' && c === 0x23) {
          url.scheme = base.scheme;
          special = isSpecialScheme(url.scheme);
          url.path = base.path;
          url.query = base.query;
          url.fragment = '';
          state = FRAGMENT;
        } else if (base.scheme !== 'file') {
          state = RELATIVE;
          pointer -= step;
        } else {
          state = FILE;
          pointer -= step;
        }
        break;

      case SPECIAL_RELATIVE_OR_AUTHORITY:
        if (c === 0x2f && pointer + 1 < len && StringPrototypeCharCodeAt(input, pointer + 1) === 0x2f) {
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          pointer++;
        } else {
          state = RELATIVE;
          pointer -= step;
        }
        break;

      case PATH_OR_AUTHORITY:
        if (c === 0x2f) {
          state = AUTHORITY;
        } else {
          state = PATH;
          pointer -= step;
        }
        break;

      case RELATIVE: {
        const b = base!;
        url.scheme = b.scheme;
        special = isSpecialScheme(url.scheme);
        if (c === 0x2f || (special && c === 0x5c)) {
          state = RELATIVE_SLASH;
        } else {
          url.username = b.username;
          url.password = b.password;
          url.host = b.host;
          url.port = b.port;
          url.path = copyPath(b.path as string[]);
          url.query = b.query;
          if (c === 0x3f) {
            url.query = '';
            state = QUERY;
          } else if (c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          } else if (c !== EOF) {
            url.query = null;
            shortenPath(url);
            state = PATH;
            pointer -= step;
          }
        }
        break;
      }

      case RELATIVE_SLASH:
        if (special && (c === 0x2f || c === 0x5c)) {
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        } else if (c === 0x2f) {
          state = AUTHORITY;
        } else {
          const b = base!;
          url.username = b.username;
          url.password = b.password;
          url.host = b.host;
          url.port = b.port;
          state = PATH;
          pointer -= step;
        }
        break;

      case SPECIAL_AUTHORITY_SLASHES:
        state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        if (c === 0x2f && pointer + 1 < len && StringPrototypeCharCodeAt(input, pointer + 1) === 0x2f) {
          pointer++;
        } else {
          pointer -= step;
        }
        break;

      case SPECIAL_AUTHORITY_IGNORE_SLASHES:
        if (c !== 0x2f && c !== 0x5c) {
          state = AUTHORITY;
          pointer -= step;
        }
        break;

      case AUTHORITY:
        if (c === 0x40) {
          if (atSignSeen) buffer = '%40' + buffer;
          atSignSeen = true;
          // Split the buffer at its first ':' into username and password, each percent-encoded.
          let colon = -1;
          if (!passwordTokenSeen) {
            for (let i = 0; i < buffer.length; i++) {
              if (StringPrototypeCharCodeAt(buffer, i) === 0x3a) { colon = i; break; }
            }
          }
          if (passwordTokenSeen) {
            url.password += percentEncodeString(buffer, USERINFO_SET);
          } else if (colon === -1) {
            url.username += percentEncodeString(buffer, USERINFO_SET);
          } else {
            passwordTokenSeen = true;
            url.username += percentEncodeString(StringPrototypeSlice(buffer, 0, colon), USERINFO_SET);
            url.password += percentEncodeString(StringPrototypeSlice(buffer, colon + 1), USERINFO_SET);
          }
          buffer = '';
        } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
          if (atSignSeen && buffer === '') return null;
          pointer -= buffer.length + 1;
          buffer = '';
          state = HOST;
        } else {
          buffer += cpString(c);
        }
        break;

      case HOST:
      case HOSTNAME:
        if (override && url.scheme === 'file') {
          pointer -= step;
          state = FILE_HOST;
        } else if (c === 0x3a && !insideBrackets) {
          if (buffer === '') return null;
          if (stateOverride === HOSTNAME) return null;
          const host = parseHost(buffer, !special);
          if (host === null) return null;
          url.host = host;
          buffer = '';
          state = PORT;
        } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
          pointer -= step;
          if (special && buffer === '') return null;
          if (override && buffer === '' && (includesCredentials(url) || url.port !== null)) return null;
          const host = parseHost(buffer, !special);
          if (host === null) return null;
          url.host = host;
          buffer = '';
          state = PATH_START;
          if (override) return url;
        } else {
          if (c === 0x5b) insideBrackets = true;
          if (c === 0x5d) insideBrackets = false;
          buffer += cpString(c);
        }
        break;

      case PORT:
        if (isDigit(c)) {
          buffer += StringFromCharCode(c);
        } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c) || override) {
          if (buffer !== '') {
            let port = 0;
            for (let i = 0; i < buffer.length; i++) {
              port = port * 10 + (StringPrototypeCharCodeAt(buffer, i) - 0x30);
              if (port > 65535) return null;
            }
            url.port = port === specialSchemePort(url.scheme) ? null : port;
            buffer = '';
            if (override) return url;
          }
          if (override) return null;
          state = PATH_START;
          pointer -= step;
        } else {
          return null;
        }
        break;

      case FILE:
        url.scheme = 'file';
        special = true;
        url.host = '';
        if (c === 0x2f || c === 0x5c) {
          state = FILE_SLASH;
        } else if (base !== null && base.scheme === 'file') {
          url.host = base.host;
          url.path = copyPath(base.path as string[]);
          url.query = base.query;
          if (c === 0x3f) {
            url.query = '';
            state = QUERY;
          } else if (c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          } else if (c !== EOF) {
            url.query = null;
            if (!startsWithDriveLetter(input, pointer)) shortenPath(url);
            else url.path = [];
            state = PATH;
            pointer -= step;
          }
        } else {
          state = PATH;
          pointer -= step;
        }
        break;

      case FILE_SLASH:
        if (c === 0x2f || c === 0x5c) {
          state = FILE_HOST;
        } else {
          if (base !== null && base.scheme === 'file') {
            url.host = base.host;
            const bp = base.path as string[];
            if (!startsWithDriveLetter(input, pointer) && bp.length > 0 && isWindowsDriveLetter(bp[0]!, true)) {
              ArrayPrototypePush(url.path as string[], bp[0]!);
            }
          }
          state = PATH;
          pointer -= step;
        }
        break;

      case FILE_HOST:
        if (c === EOF || c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) {
          pointer -= step;
          if (!override && isWindowsDriveLetter(buffer, false)) {
            // The buffer is kept and becomes the first path segment.
            state = PATH;
          } else if (buffer === '') {
            url.host = '';
            if (override) return url;
            state = PATH_START;
          } else {
            let host = parseHost(buffer, false);
            if (host === null) return null;
            if (host === 'localhost') host = '';
            url.host = host;
            if (override) return url;
            buffer = '';
            state = PATH_START;
          }
        } else {
          buffer += cpString(c);
        }
        break;

      case PATH_START:
        if (special) {
          state = PATH;
          if (c !== 0x2f && c !== 0x5c) pointer -= step;
        } else if (!override && c === 0x3f) {
          url.query = '';
          state = QUERY;
        } else if (!override && c === 0x23) {
          url.fragment = '';
          state = FRAGMENT;
        } else if (c !== EOF) {
          state = PATH;
          if (c !== 0x2f) pointer -= step;
        } else if (override && url.host === null) {
          ArrayPrototypePush(url.path as string[], '');
        }
        break;

      case PATH:
        if (c === EOF || c === 0x2f || (special && c === 0x5c) || (!override && (c === 0x3f || c === 0x23))) {
          const slash = c === 0x2f || (special && c === 0x5c);
          const path = url.path as string[];
          if (isDoubleDot(buffer)) {
            shortenPath(url);
            if (!slash) ArrayPrototypePush(path, '');
          } else if (isSingleDot(buffer)) {
            if (!slash) ArrayPrototypePush(path, '');
          } else {
            if (url.scheme === 'file' && path.length === 0 && isWindowsDriveLetter(buffer, false)) {
              buffer = StringPrototypeSlice(buffer, 0, 1) + ':';
            }
            ArrayPrototypePush(path, buffer);
          }
          buffer = '';
          if (c === 0x3f) {
            url.query = '';
            state = QUERY;
          } else if (c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          }
        } else {
          buffer += encodeCodePoint(c, PATH_SET);
        }
        break;

      case OPAQUE_PATH:
        if (c === 0x3f) {
          url.query = '';
          state = QUERY;
        } else if (c === 0x23) {
          url.fragment = '';
          state = FRAGMENT;
        } else if (c === 0x20) {
          // A space right before the query or fragment is encoded, so an opaque path never ends in
          // a bare space (whatwg/url#844).
          const next = pointer + 1 < len ? StringPrototypeCharCodeAt(input, pointer + 1) : EOF;
          url.path += next === 0x3f || next === 0x23 ? '%20' : ' ';
        } else if (c !== EOF) {
          url.path += encodeCodePoint(c, C0_SET);
        }
        break;

      case QUERY:
        if ((!override && c === 0x23) || c === EOF) {
          if (buffer !== '') {
            url.query += percentEncodeString(buffer, special ? SPECIAL_QUERY_SET : QUERY_SET);
            buffer = '';
          }
          if (c === 0x23) {
            url.fragment = '';
            state = FRAGMENT;
          }
        } else {
          // Collect the run up to '#' (or the end) and encode it in one go.
          let end = pointer;
          while (end < len && (override || StringPrototypeCharCodeAt(input, end) !== 0x23)) end++;
          buffer += StringPrototypeSlice(input, pointer, end);
          step = end - pointer;
        }
        break;

      case FRAGMENT:
        if (c !== EOF) {
          url.fragment += percentEncodeString(StringPrototypeSlice(input, pointer), FRAGMENT_SET);
          step = len - pointer;
        }
        break;
    }
    // "If after a run pointer points to the EOF code point, go to the next step."
    if (pointer >= len) break;
    pointer += step;
  }
  return url;
}

/** A copy of a path list (an index loop: `slice` would consult a tenant-reachable species). */
function copyPath(path: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) out[i] = path[i]!;
  return out;
}

function cpString(c: number): string {
  if (c <= 0xffff) return StringFromCharCode(c);
  c -= 0x10000;
  return StringFromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
}

/** Parses `input` against an optional base (both scalar value strings). */
export function parseURLRecord(input: string, base: URLRecord | null): URLRecord | null {
  return basicParse(input, base);
}

/** The URL serializer. */
export function serializeURLRecord(url: URLRecord, excludeFragment = false): string {
  let out = url.scheme + ':';
  if (url.host !== null) {
    out += '//';
    if (includesCredentials(url)) {
      out += url.username;
      if (url.password !== '') out += ':' + url.password;
      out += '@';
    }
    out += url.host;
    if (url.port !== null) out += ':' + NumberPrototypeToString(url.port);
  }
  const path = url.path;
  if (typeof path === 'string') {
    out += path;
  } else {
    if (url.host === null && path.length > 1 && path[0] === '') out += '/.';
    for (let i = 0; i < path.length; i++) out += '/' + path[i]!;
  }
  if (url.query !== null) out += '?' + url.query;
  if (!excludeFragment && url.fragment !== null) out += '#' + url.fragment;
  return out;
}

/** The URL path serializer. */
export function serializePath(url: URLRecord): string {
  const path = url.path;
  if (typeof path === 'string') return path;
  let out = '';
  for (let i = 0; i < path.length; i++) out += '/' + path[i]!;
  return out;
}

/** The ASCII serialization of the URL's origin ("null" for opaque origins). */
export function serializeOrigin(url: URLRecord): string {
  switch (url.scheme) {
    case 'blob': {
      const inner = basicParse(StringPrototypeToWellFormed(serializePath(url)), null);
      if (inner !== null && (inner.scheme === 'http' || inner.scheme === 'https')) return serializeOrigin(inner);
      return 'null';
    }
    case 'ftp': case 'http': case 'https': case 'ws': case 'wss':
      return url.scheme + '://' + url.host! + (url.port === null ? '' : ':' + NumberPrototypeToString(url.port));
  }
  return 'null';
}

export { cloneRecord };
