// The URL interface (https://url.spec.whatwg.org/#url-class).
// No URL.createObjectURL / revokeObjectURL: workers have no blob URL store to resolve them against.
import { NumberPrototypeToString, StringPrototypeCharCodeAt, StringPrototypeSlice, TypeError } from '../intrinsics.ts';
import { finishInterface, requireArgs, toUSVString } from './idl.ts';
import {
  FRAGMENT, HOST, HOSTNAME, PATH_START, PORT, QUERY, SCHEME_START, basicParse, cannotHaveUsernamePasswordPort,
  parseURLRecord, serializeOrigin, serializePath, serializeURLRecord, type URLRecord,
} from './parser.ts';
import { USERINFO_SET, percentEncodeString } from './percent.ts';
import { URLSearchParams, newSearchParamsForURL, setSearchParamsList } from './search-params.ts';
import { parseUrlencoded } from './urlencoded.ts';

/** Lets the statics build a URL around an already parsed record; never reachable by tenants. */
const FROM_RECORD: unique symbol = Symbol('URL record') as never;

function invalid(input: string, base?: string): TypeError {
  return new TypeError(base === undefined ? `Invalid URL: '${input}'` : `Invalid URL: '${input}' with base '${base}'`);
}

/** Parses `url` against an optional `base` (already USVStrings); null on failure of either. */
function parseWithBase(url: string, base: string | undefined): URLRecord | null {
  let baseRecord: URLRecord | null = null;
  if (base !== undefined) {
    baseRecord = parseURLRecord(base, null);
    if (baseRecord === null) return null;
  }
  return parseURLRecord(url, baseRecord);
}

let recordOf: (self: unknown, member: string) => URLRecord;

function stripPrefix(s: string, c: number): string {
  return s.length > 0 && StringPrototypeCharCodeAt(s, 0) === c ? StringPrototypeSlice(s, 1) : s;
}

export class URL {
  #url: URLRecord;
  #query: URLSearchParams | null = null;

  constructor(url: unknown, base: unknown = undefined) {
    if ((url as unknown) === FROM_RECORD) {
      this.#url = base as URLRecord;
      return;
    }
    requireArgs(arguments.length, 1, "Failed to construct 'URL'");
    const u = toUSVString(url);
    const b = base === undefined ? undefined : toUSVString(base);
    const record = parseWithBase(u, b);
    if (record === null) throw invalid(u, b);
    this.#url = record;
  }

  static parse(url: unknown, base: unknown = undefined): URL | null {
    requireArgs(arguments.length, 1, "Failed to execute 'parse' on 'URL'");
    const record = parseWithBase(toUSVString(url), base === undefined ? undefined : toUSVString(base));
    return record === null ? null : new URL(FROM_RECORD, record);
  }

  static canParse(url: unknown, base: unknown = undefined): boolean {
    requireArgs(arguments.length, 1, "Failed to execute 'canParse' on 'URL'");
    return parseWithBase(toUSVString(url), base === undefined ? undefined : toUSVString(base)) !== null;
  }

  get href(): string {
    return serializeURLRecord(recordOf(this, 'href'));
  }
  set href(value: unknown) {
    const url = recordOf(this, 'href');
    requireArgs(arguments.length, 1, "Failed to set the 'href' property on 'URL'");
    const v = toUSVString(value);
    const parsed = parseURLRecord(v, null);
    if (parsed === null) throw invalid(v);
    // Updated in place: the query object holds this same record.
    url.scheme = parsed.scheme;
    url.username = parsed.username;
    url.password = parsed.password;
    url.host = parsed.host;
    url.port = parsed.port;
    url.path = parsed.path;
    url.query = parsed.query;
    url.fragment = parsed.fragment;
    const query = this.#query;
    if (query !== null) setSearchParamsList(query, parsed.query === null ? [] : parseUrlencoded(parsed.query));
  }

  get origin(): string {
    return serializeOrigin(recordOf(this, 'origin'));
  }

  get protocol(): string {
    return recordOf(this, 'protocol').scheme + ':';
  }
  set protocol(value: unknown) {
    const url = recordOf(this, 'protocol');
    requireArgs(arguments.length, 1, "Failed to set the 'protocol' property on 'URL'");
    basicParse(toUSVString(value) + ':', null, url, SCHEME_START);
  }

  get username(): string {
    return recordOf(this, 'username').username;
  }
  set username(value: unknown) {
    const url = recordOf(this, 'username');
    requireArgs(arguments.length, 1, "Failed to set the 'username' property on 'URL'");
    const v = toUSVString(value);
    if (cannotHaveUsernamePasswordPort(url)) return;
    url.username = percentEncodeString(v, USERINFO_SET);
  }

  get password(): string {
    return recordOf(this, 'password').password;
  }
  set password(value: unknown) {
    const url = recordOf(this, 'password');
    requireArgs(arguments.length, 1, "Failed to set the 'password' property on 'URL'");
    const v = toUSVString(value);
    if (cannotHaveUsernamePasswordPort(url)) return;
    url.password = percentEncodeString(v, USERINFO_SET);
  }

  get host(): string {
    const url = recordOf(this, 'host');
    if (url.host === null) return '';
    return url.port === null ? url.host : url.host + ':' + NumberPrototypeToString(url.port);
  }
  set host(value: unknown) {
    const url = recordOf(this, 'host');
    requireArgs(arguments.length, 1, "Failed to set the 'host' property on 'URL'");
    const v = toUSVString(value);
    if (typeof url.path === 'string') return;
    basicParse(v, null, url, HOST);
  }

  get hostname(): string {
    return recordOf(this, 'hostname').host ?? '';
  }
  set hostname(value: unknown) {
    const url = recordOf(this, 'hostname');
    requireArgs(arguments.length, 1, "Failed to set the 'hostname' property on 'URL'");
    const v = toUSVString(value);
    if (typeof url.path === 'string') return;
    basicParse(v, null, url, HOSTNAME);
  }

  get port(): string {
    const port = recordOf(this, 'port').port;
    return port === null ? '' : NumberPrototypeToString(port);
  }
  set port(value: unknown) {
    const url = recordOf(this, 'port');
    requireArgs(arguments.length, 1, "Failed to set the 'port' property on 'URL'");
    const v = toUSVString(value);
    if (cannotHaveUsernamePasswordPort(url)) return;
    if (v === '') url.port = null;
    else basicParse(v, null, url, PORT);
  }

  get pathname(): string {
    return serializePath(recordOf(this, 'pathname'));
  }
  set pathname(value: unknown) {
    const url = recordOf(this, 'pathname');
    requireArgs(arguments.length, 1, "Failed to set the 'pathname' property on 'URL'");
    const v = toUSVString(value);
    if (typeof url.path === 'string') return;
    url.path = [];
    basicParse(v, null, url, PATH_START);
  }

  get search(): string {
    const query = recordOf(this, 'search').query;
    return query === null || query === '' ? '' : '?' + query;
  }
  set search(value: unknown) {
    const url = recordOf(this, 'search');
    requireArgs(arguments.length, 1, "Failed to set the 'search' property on 'URL'");
    const v = toUSVString(value);
    const query = this.#query;
    if (v === '') {
      url.query = null;
      if (query !== null) setSearchParamsList(query, []);
      return;
    }
    const input = stripPrefix(v, 0x3f);
    url.query = '';
    basicParse(input, null, url, QUERY);
    if (query !== null) setSearchParamsList(query, parseUrlencoded(input));
  }

  get searchParams(): URLSearchParams {
    const url = recordOf(this, 'searchParams');
    return (this.#query ??= newSearchParamsForURL(url));
  }

  get hash(): string {
    const fragment = recordOf(this, 'hash').fragment;
    return fragment === null || fragment === '' ? '' : '#' + fragment;
  }
  set hash(value: unknown) {
    const url = recordOf(this, 'hash');
    requireArgs(arguments.length, 1, "Failed to set the 'hash' property on 'URL'");
    const v = toUSVString(value);
    if (v === '') {
      url.fragment = null;
      return;
    }
    url.fragment = '';
    basicParse(stripPrefix(v, 0x23), null, url, FRAGMENT);
  }

  toJSON(): string {
    return serializeURLRecord(recordOf(this, 'toJSON'));
  }

  toString(): string {
    return serializeURLRecord(recordOf(this, 'toString'));
  }

  static {
    recordOf = (self, member) => {
      if (typeof self !== 'object' || self === null || !(#url in self)) {
        throw new TypeError(`Illegal invocation: URL.prototype.${member} accessed on an object that is not a URL`);
      }
      return (self as URL).#url;
    };
  }
}

finishInterface(URL, 'URL');

/** The URL record behind a URL object (for other areas; the record is live, do not mutate). */
export function urlRecordOf(url: URL): URLRecord {
  return recordOf(url, 'record');
}
