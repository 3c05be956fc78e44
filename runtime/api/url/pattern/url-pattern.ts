// URLPattern (https://urlpattern.spec.whatwg.org/). Own implementation (the polyfill uses regexp
// literals and array/string prototype methods at request time, which tenants can patch).
// Matching uses the captured RegExp.prototype.exec on regular expressions built once per pattern.
import {
  NumberPrototypeToString, RegExp, RegExpPrototypeExec, StringFromCharCode, StringPrototypeCharCodeAt,
  StringPrototypeLastIndexOf, StringPrototypeSlice, TypeError,
} from '../../intrinsics.ts';
import { brandCheck, finishInterface, toUSVString } from '../idl.ts';
import {
  FRAGMENT, HOSTNAME, OPAQUE_PATH, PATH_START, PORT, QUERY, basicParse, isSpecialScheme, newURLRecord, serializePath,
  specialSchemePort, type URLRecord,
} from '../parser.ts';
import { USERINFO_SET, percentEncodeString } from '../percent.ts';
import {
  P_REGEXP, T_CHAR, T_CLOSE, T_END, T_ESCAPED, T_INVALID, T_NAME, T_OPEN, T_REGEXP, T_ASTERISK,
  escapePatternString, generatePatternString, generateRegexp, parsePatternString, tokenize,
  type EncodingCallback, type Options, type Token,
} from './parser.ts';

const COMPONENTS = ['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
type ComponentName = typeof COMPONENTS[number];

interface Init {
  protocol?: string; username?: string; password?: string; hostname?: string; port?: string;
  pathname?: string; search?: string; hash?: string; baseURL?: string;
}

interface Component {
  pattern: string;
  regexp: RegExp;
  names: string[];
  hasRegExpGroups: boolean;
}

const DEFAULT_OPTIONS: Options = { delimiter: '', prefix: '', ignoreCase: false };
const HOSTNAME_OPTIONS: Options = { delimiter: '.', prefix: '', ignoreCase: false };
const PATHNAME_OPTIONS: Options = { delimiter: '/', prefix: '/', ignoreCase: false };
const SPECIAL_SCHEMES = ['ftp', 'file', 'http', 'https', 'ws', 'wss'];

function fail(what: string): never {
  throw new TypeError(`Failed to construct 'URLPattern': ${what}`);
}

// --- Canonicalization (https://urlpattern.spec.whatwg.org/#canonicalization) ---------------------

/** "Create a dummy URL": the record of https://dummy.invalid/ (special, so hosts are domains). */
function dummyURL(): URLRecord {
  const url = newURLRecord();
  url.scheme = 'https';
  url.host = 'dummy.invalid';
  url.path = [''];
  return url;
}

function canonicalizeProtocol(value: string): string {
  if (value === '') return value;
  const url = basicParse(value + '://dummy.invalid/', null);
  if (url === null) fail(`invalid protocol '${value}'`);
  return url.scheme;
}

function canonicalizeUserinfo(value: string): string {
  return value === '' ? value : percentEncodeString(value, USERINFO_SET);
}

function isForbiddenHostCodePoint(c: number): boolean {
  switch (c) {
    case 0x00: case 0x09: case 0x0a: case 0x0d: case 0x20: case 0x23: case 0x2f: case 0x3a: case 0x3c:
    case 0x3e: case 0x3f: case 0x40: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x7c:
      return true;
  }
  return false;
}

/**
 * "Canonicalize a hostname". The hostname state of a special dummy URL (domain to ASCII, IPv4),
 * run the way WPT's urlpattern data expects (whatwg/urlpattern#252 is still open on the details):
 * tabs and newlines are removed, the text ends at "/", "?" or "#" like the host state, any other
 * forbidden host code point (including "\\") is an error, and a "%" that does not start a valid
 * percent-escape in otherwise plain ASCII text is kept as is.
 */
function canonicalizeHostname(value: string): string {
  if (value === '') return value;
  if (StringPrototypeCharCodeAt(value, 0) === 0x5b) {
    // An IPv6 address: the host parser validates it.
    const url = dummyURL();
    if (basicParse(value, null, url, HOSTNAME) === null) fail(`invalid hostname '${value}'`);
    return url.host ?? '';
  }
  let clean = '';
  let ascii = true;
  let percent = false;
  for (let i = 0; i < value.length; i++) {
    const c = StringPrototypeCharCodeAt(value, i);
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    if (isForbiddenHostCodePoint(c)) fail(`invalid hostname '${value}'`);
    if (c >= 0x80) ascii = false;
    if (c === 0x25) percent = true;
    clean += value[i]!;
  }
  if (clean === '') fail(`invalid hostname '${value}'`);
  const url = dummyURL();
  if (basicParse(clean, null, url, HOSTNAME) !== null) return url.host ?? '';
  if (ascii && percent) {
    // Only the stray "%" made the domain invalid: keep the text, ASCII-lowercased.
    let out = '';
    for (let i = 0; i < clean.length; i++) {
      const c = StringPrototypeCharCodeAt(clean, i);
      if (c !== 0x25 && (c <= 0x20 || c === 0x7f)) fail(`invalid hostname '${value}'`);
      out += StringFromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
    }
    return out;
  }
  fail(`invalid hostname '${value}'`);
}

function canonicalizeIPv6Hostname(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = StringPrototypeCharCodeAt(value, i);
    const lower = c | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66) || c === 0x5b || c === 0x5d || c === 0x3a)) {
      fail(`invalid IPv6 hostname '${value}'`);
    }
    out += StringFromCharCode(c >= 0x41 && c <= 0x46 ? lower : c);
  }
  return out;
}

function canonicalizePort(value: string, protocol?: string): string {
  if (value === '') return value;
  const url = dummyURL();
  if (protocol !== undefined) url.scheme = protocol;
  url.port = null;
  if (basicParse(value, null, url, PORT) === null) fail(`invalid port '${value}'`);
  return url.port === null ? '' : NumberPrototypeToString(url.port);
}

function canonicalizePathname(value: string): string {
  if (value === '') return value;
  const leadingSlash = StringPrototypeCharCodeAt(value, 0) === 0x2f;
  const url = dummyURL();
  url.path = [];
  if (basicParse(leadingSlash ? value : '/-' + value, null, url, PATH_START) === null) fail(`invalid pathname '${value}'`);
  const result = serializePath(url);
  return leadingSlash ? result : StringPrototypeSlice(result, 2);
}

function canonicalizeOpaquePathname(value: string): string {
  if (value === '') return value;
  const url = dummyURL();
  url.path = '';
  if (basicParse(value, null, url, OPAQUE_PATH) === null) fail(`invalid pathname '${value}'`);
  return serializePath(url);
}

function canonicalizeSearch(value: string): string {
  if (value === '') return value;
  const url = dummyURL();
  url.query = '';
  if (basicParse(value, null, url, QUERY) === null) fail(`invalid search '${value}'`);
  return url.query ?? '';
}

function canonicalizeHash(value: string): string {
  if (value === '') return value;
  const url = dummyURL();
  url.fragment = '';
  if (basicParse(value, null, url, FRAGMENT) === null) fail(`invalid hash '${value}'`);
  return url.fragment ?? '';
}

// --- Compiling components -------------------------------------------------------------------------

function compileComponent(input: string, encode: EncodingCallback, options: Options): Component {
  const parts = parsePatternString(input, options, encode);
  const { source, names } = generateRegexp(parts, options);
  let regexp: RegExp;
  try {
    regexp = new RegExp(source, options.ignoreCase ? 'vi' : 'v');
  } catch {
    fail(`invalid regular expression in '${input}'`);
  }
  let hasRegExpGroups = false;
  for (let i = 0; i < parts.length; i++) if (parts[i]!.type === P_REGEXP) { hasRegExpGroups = true; break; }
  return { pattern: generatePatternString(parts, options), regexp, names, hasRegExpGroups };
}

function matchesSpecialScheme(component: Component): boolean {
  for (let i = 0; i < SPECIAL_SCHEMES.length; i++) {
    if (RegExpPrototypeExec(component.regexp, SPECIAL_SCHEMES[i]!) !== null) return true;
  }
  return false;
}

// --- Processing a URLPatternInit ------------------------------------------------------------------

function processBaseURLString(input: string, isPattern: boolean): string {
  return isPattern ? escapePatternString(input) : input;
}

function isAbsolutePathname(input: string, isPattern: boolean): boolean {
  if (input === '') return false;
  const c0 = StringPrototypeCharCodeAt(input, 0);
  if (c0 === 0x2f) return true;
  if (!isPattern || input.length < 2) return false;
  const c1 = StringPrototypeCharCodeAt(input, 1);
  return (c0 === 0x5c || c0 === 0x7b) && c1 === 0x2f;
}

function stripLeading(value: string, c: number): string {
  return value.length > 0 && StringPrototypeCharCodeAt(value, 0) === c ? StringPrototypeSlice(value, 1) : value;
}

/** "Process a URLPatternInit" with type "pattern" (`isPattern`) or "url". */
function processInit(init: Init, isPattern: boolean, defaults: Init): Init {
  const result: Init = {
    protocol: defaults.protocol, username: defaults.username, password: defaults.password,
    hostname: defaults.hostname, port: defaults.port, pathname: defaults.pathname, search: defaults.search,
    hash: defaults.hash,
  };
  let baseURL: URLRecord | null = null;
  if (init.baseURL !== undefined) {
    baseURL = basicParse(init.baseURL, null);
    if (baseURL === null) throw new TypeError(`URLPattern: invalid baseURL '${init.baseURL}'`);
    const b = baseURL;
    const has = (...names: (keyof Init)[]) => {
      for (let i = 0; i < names.length; i++) if (init[names[i]!] !== undefined) return true;
      return false;
    };
    if (init.protocol === undefined) result.protocol = processBaseURLString(b.scheme, isPattern);
    if (!isPattern && !has('protocol', 'hostname', 'port', 'username')) {
      result.username = processBaseURLString(b.username, isPattern);
    }
    if (!isPattern && !has('protocol', 'hostname', 'port', 'username', 'password')) {
      result.password = processBaseURLString(b.password, isPattern);
    }
    if (!has('protocol', 'hostname')) result.hostname = processBaseURLString(b.host ?? '', isPattern);
    if (!has('protocol', 'hostname', 'port')) result.port = b.port === null ? '' : NumberPrototypeToString(b.port);
    if (!has('protocol', 'hostname', 'port', 'pathname')) result.pathname = processBaseURLString(serializePath(b), isPattern);
    if (!has('protocol', 'hostname', 'port', 'pathname', 'search')) result.search = processBaseURLString(b.query ?? '', isPattern);
    if (!has('protocol', 'hostname', 'port', 'pathname', 'search', 'hash')) {
      result.hash = processBaseURLString(b.fragment ?? '', isPattern);
    }
  }
  if (init.protocol !== undefined) {
    const v = init.protocol;
    const stripped = v.length > 0 && StringPrototypeCharCodeAt(v, v.length - 1) === 0x3a ? StringPrototypeSlice(v, 0, -1) : v;
    result.protocol = isPattern ? stripped : canonicalizeProtocol(stripped);
  }
  if (init.username !== undefined) result.username = isPattern ? init.username : canonicalizeUserinfo(init.username);
  if (init.password !== undefined) result.password = isPattern ? init.password : canonicalizeUserinfo(init.password);
  if (init.hostname !== undefined) result.hostname = isPattern ? init.hostname : canonicalizeHostname(init.hostname);
  if (init.port !== undefined) result.port = isPattern ? init.port : canonicalizePort(init.port, result.protocol);
  if (init.pathname !== undefined) {
    let pathname = init.pathname;
    if (baseURL !== null && typeof baseURL.path !== 'string' && !isAbsolutePathname(pathname, isPattern)) {
      const basePath = processBaseURLString(serializePath(baseURL), isPattern);
      const slash = StringPrototypeLastIndexOf(basePath, '/');
      if (slash !== -1) pathname = StringPrototypeSlice(basePath, 0, slash + 1) + pathname;
    }
    if (!isPattern) {
      const protocol = result.protocol;
      pathname = protocol === undefined || protocol === '' || isSpecialScheme(protocol)
        ? canonicalizePathname(pathname) : canonicalizeOpaquePathname(pathname);
    }
    result.pathname = pathname;
  }
  if (init.search !== undefined) {
    const v = stripLeading(init.search, 0x3f);
    result.search = isPattern ? v : canonicalizeSearch(v);
  }
  if (init.hash !== undefined) {
    const v = stripLeading(init.hash, 0x23);
    result.hash = isPattern ? v : canonicalizeHash(v);
  }
  return result;
}

// --- Parsing a constructor string (https://urlpattern.spec.whatwg.org/#constructor-string-parsing) --

const S_INIT = 0;
const S_PROTOCOL = 1;
const S_AUTHORITY = 2;
const S_USERNAME = 3;
const S_PASSWORD = 4;
const S_HOSTNAME = 5;
const S_PORT = 6;
const S_PATHNAME = 7;
const S_SEARCH = 8;
const S_HASH = 9;
const S_DONE = 10;
const STATE_KEYS: (keyof Init | null)[] = [
  null, 'protocol', null, 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash', null,
];

function parseConstructorString(input: string): Init {
  const tokens = tokenize(input, true);
  const result: Init = {};
  let componentStart = 0;
  let tokenIndex = 0;
  let tokenIncrement = 1;
  let groupDepth = 0;
  let ipv6Depth = 0;
  let protocolIsSpecial = false;
  let state = S_INIT;

  const safeToken = (i: number): Token => (i < tokens.length ? tokens[i]! : tokens[tokens.length - 1]!);
  const isNonSpecialPatternChar = (i: number, value: string): boolean => {
    const t = safeToken(i);
    return t.value === value && (t.type === T_CHAR || t.type === T_ESCAPED || t.type === T_INVALID);
  };
  const isSearchPrefix = (): boolean => {
    if (isNonSpecialPatternChar(tokenIndex, '?')) return true;
    if (tokens[tokenIndex]!.value !== '?') return false;
    if (tokenIndex - 1 < 0) return true;
    const previous = safeToken(tokenIndex - 1);
    return !(previous.type === T_NAME || previous.type === T_REGEXP || previous.type === T_CLOSE || previous.type === T_ASTERISK);
  };
  const makeComponentString = (): string => {
    const token = tokens[tokenIndex]!;
    return StringPrototypeSlice(input, safeToken(componentStart).index, token.index);
  };
  const rewind = () => {
    tokenIndex = componentStart;
    tokenIncrement = 0;
  };
  const changeState = (newState: number, skip: number) => {
    const key = STATE_KEYS[state];
    if (key !== null && key !== undefined) result[key] = makeComponentString();
    if (state !== S_INIT && newState !== S_DONE) {
      if (state <= S_PASSWORD && newState >= S_PORT && newState <= S_HASH && result.hostname === undefined) {
        result.hostname = '';
      }
      if (state <= S_PORT && (newState === S_SEARCH || newState === S_HASH) && result.pathname === undefined) {
        result.pathname = protocolIsSpecial ? '/' : '';
      }
      if (state <= S_PATHNAME && newState === S_HASH && result.search === undefined) result.search = '';
    }
    state = newState;
    tokenIndex += skip;
    componentStart = tokenIndex;
    tokenIncrement = 0;
  };

  while (tokenIndex < tokens.length) {
    tokenIncrement = 1;
    const token = tokens[tokenIndex]!;
    if (token.type === T_END) {
      if (state === S_INIT) {
        rewind();
        if (isNonSpecialPatternChar(tokenIndex, '#')) changeState(S_HASH, 1);
        else if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else changeState(S_PATHNAME, 0);
        tokenIndex += tokenIncrement;
        continue;
      }
      if (state === S_AUTHORITY) {
        rewind();
        state = S_HOSTNAME;
        tokenIndex += tokenIncrement;
        continue;
      }
      changeState(S_DONE, 0);
      break;
    }
    if (token.type === T_OPEN) {
      groupDepth++;
      tokenIndex += tokenIncrement;
      continue;
    }
    if (groupDepth > 0) {
      if (token.type === T_CLOSE) {
        groupDepth--;
      } else {
        tokenIndex += tokenIncrement;
        continue;
      }
    }
    switch (state) {
      case S_INIT:
        if (isNonSpecialPatternChar(tokenIndex, ':')) {
          rewind();
          state = S_PROTOCOL;
        }
        break;
      case S_PROTOCOL:
        if (isNonSpecialPatternChar(tokenIndex, ':')) {
          const protocol = compileComponent(makeComponentString(), canonicalizeProtocol, DEFAULT_OPTIONS);
          protocolIsSpecial = matchesSpecialScheme(protocol);
          let next = S_PATHNAME;
          let skip = 1;
          if (isNonSpecialPatternChar(tokenIndex + 1, '/') && isNonSpecialPatternChar(tokenIndex + 2, '/')) {
            next = S_AUTHORITY;
            skip = 3;
          } else if (protocolIsSpecial) {
            next = S_AUTHORITY;
          }
          changeState(next, skip);
        }
        break;
      case S_AUTHORITY:
        if (isNonSpecialPatternChar(tokenIndex, '@')) {
          rewind();
          state = S_USERNAME;
        } else if (isNonSpecialPatternChar(tokenIndex, '/') || isSearchPrefix() || isNonSpecialPatternChar(tokenIndex, '#')) {
          rewind();
          state = S_HOSTNAME;
        }
        break;
      case S_USERNAME:
        if (isNonSpecialPatternChar(tokenIndex, ':')) changeState(S_PASSWORD, 1);
        else if (isNonSpecialPatternChar(tokenIndex, '@')) changeState(S_HOSTNAME, 1);
        break;
      case S_PASSWORD:
        if (isNonSpecialPatternChar(tokenIndex, '@')) changeState(S_HOSTNAME, 1);
        break;
      case S_HOSTNAME:
        if (isNonSpecialPatternChar(tokenIndex, '[')) ipv6Depth++;
        else if (isNonSpecialPatternChar(tokenIndex, ']')) ipv6Depth--;
        else if (isNonSpecialPatternChar(tokenIndex, ':') && ipv6Depth === 0) changeState(S_PORT, 1);
        else if (isNonSpecialPatternChar(tokenIndex, '/')) changeState(S_PATHNAME, 0);
        else if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else if (isNonSpecialPatternChar(tokenIndex, '#')) changeState(S_HASH, 1);
        break;
      case S_PORT:
        if (isNonSpecialPatternChar(tokenIndex, '/')) changeState(S_PATHNAME, 0);
        else if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else if (isNonSpecialPatternChar(tokenIndex, '#')) changeState(S_HASH, 1);
        break;
      case S_PATHNAME:
        if (isSearchPrefix()) changeState(S_SEARCH, 1);
        else if (isNonSpecialPatternChar(tokenIndex, '#')) changeState(S_HASH, 1);
        break;
      case S_SEARCH:
        if (isNonSpecialPatternChar(tokenIndex, '#')) changeState(S_HASH, 1);
        break;
    }
    tokenIndex += tokenIncrement;
  }
  if (result.hostname !== undefined && result.port === undefined) result.port = '';
  return result;
}

// --- WebIDL conversions ---------------------------------------------------------------------------

// URLPatternInit members, in the (lexicographic) order WebIDL reads them.
const INIT_MEMBERS: (keyof Init)[] = ['baseURL', 'hash', 'hostname', 'password', 'pathname', 'port', 'protocol', 'search', 'username'];

function toInit(v: unknown): Init {
  const init: Init = {};
  if (v === undefined || v === null) return init;
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError('URLPattern: input is not a URLPatternInit');
  for (let i = 0; i < INIT_MEMBERS.length; i++) {
    const key = INIT_MEMBERS[i]!;
    const value = (v as Record<string, unknown>)[key];
    if (value !== undefined) init[key] = toUSVString(value);
  }
  return init;
}

/** URLPatternInput: a string, or a URLPatternInit for objects, null and undefined. */
function toInput(v: unknown): string | Init {
  if (v === undefined || v === null || typeof v === 'object' || typeof v === 'function') return toInit(v);
  return toUSVString(v);
}

function toIgnoreCase(options: unknown): boolean {
  if (options === undefined || options === null) return false;
  if (typeof options !== 'object' && typeof options !== 'function') throw new TypeError('URLPattern: options is not an object');
  return !!(options as { ignoreCase?: unknown }).ignoreCase;
}

function initToObject(init: Init): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < INIT_MEMBERS.length; i++) {
    const key = INIT_MEMBERS[i]!;
    if (init[key] !== undefined) out[key] = init[key]!;
  }
  return out;
}

// --- The interface --------------------------------------------------------------------------------

type Components = Record<ComponentName, Component>;
let componentsOf: (self: unknown, member: string) => Components;

function create(input: string | Init, baseURL: string | undefined, ignoreCase: boolean): Components {
  let init: Init;
  if (typeof input === 'string') {
    init = parseConstructorString(input);
    if (baseURL === undefined && init.protocol === undefined) {
      fail('relative constructor string without a baseURL');
    }
    if (baseURL !== undefined) init.baseURL = baseURL;
  } else {
    if (baseURL !== undefined) fail('baseURL is not allowed with a URLPatternInit');
    init = input;
  }
  const p = processInit(init, true, {});
  for (let i = 0; i < COMPONENTS.length; i++) {
    const name = COMPONENTS[i]!;
    if (p[name] === undefined) p[name] = '*';
  }
  const defaultPort = isSpecialScheme(p.protocol!) ? specialSchemePort(p.protocol!) : undefined;
  if (typeof defaultPort === 'number' && p.port === NumberPrototypeToString(defaultPort)) p.port = '';

  const protocol = compileComponent(p.protocol!, canonicalizeProtocol, DEFAULT_OPTIONS);
  const hostname = p.hostname!;
  const ipv6 = hostname.length >= 2 && (hostname[0] === '[' || ((hostname[0] === '{' || hostname[0] === '\\') && hostname[1] === '['));
  const caseOptions: Options = { delimiter: '', prefix: '', ignoreCase };
  const special = matchesSpecialScheme(protocol);
  return {
    protocol,
    username: compileComponent(p.username!, canonicalizeUserinfo, DEFAULT_OPTIONS),
    password: compileComponent(p.password!, canonicalizeUserinfo, DEFAULT_OPTIONS),
    hostname: compileComponent(hostname, ipv6 ? canonicalizeIPv6Hostname : canonicalizeHostname, HOSTNAME_OPTIONS),
    port: compileComponent(p.port!, canonicalizePort, DEFAULT_OPTIONS),
    pathname: special
      ? compileComponent(p.pathname!, canonicalizePathname, { delimiter: '/', prefix: '/', ignoreCase })
      : compileComponent(p.pathname!, canonicalizeOpaquePathname, caseOptions),
    search: compileComponent(p.search!, canonicalizeSearch, caseOptions),
    hash: compileComponent(p.hash!, canonicalizeHash, caseOptions),
  };
}

interface ComponentResult { input: string; groups: Record<string, string | undefined> }
type PatternResult = Record<ComponentName, ComponentResult> & { inputs: unknown[] };

/** "Match": the URLPatternResult, or null. */
function match(components: Components, input: string | Init, baseURL: string | undefined): PatternResult | null {
  const values: Record<ComponentName, string> = {
    protocol: '', username: '', password: '', hostname: '', port: '', pathname: '', search: '', hash: '',
  };
  let inputs: unknown[];
  if (typeof input !== 'string') {
    if (baseURL !== undefined) throw new TypeError("Failed to execute 'exec' on 'URLPattern': baseURL is not allowed with a URLPatternInit");
    inputs = [initToObject(input)];
    let applied: Init;
    try {
      applied = processInit(input, false, values);
    } catch {
      return null;
    }
    for (let i = 0; i < COMPONENTS.length; i++) values[COMPONENTS[i]!] = applied[COMPONENTS[i]!]!;
  } else {
    inputs = [input];
    let base: URLRecord | null = null;
    if (baseURL !== undefined) {
      base = basicParse(baseURL, null);
      if (base === null) return null;
      inputs[1] = baseURL;
    }
    const url = basicParse(input, base);
    if (url === null) return null;
    values.protocol = url.scheme;
    values.username = url.username;
    values.password = url.password;
    values.hostname = url.host ?? '';
    values.port = url.port === null ? '' : NumberPrototypeToString(url.port);
    values.pathname = serializePath(url);
    values.search = url.query ?? '';
    values.hash = url.fragment ?? '';
  }
  const execs: (RegExpExecArray | null)[] = [];
  for (let i = 0; i < COMPONENTS.length; i++) {
    const r = RegExpPrototypeExec(components[COMPONENTS[i]!].regexp, values[COMPONENTS[i]!]);
    if (r === null) return null;
    execs[i] = r;
  }
  const result = {} as PatternResult;
  // Dictionary members in lexicographic order, as WebIDL converts URLPatternResult.
  const order = [7, 3, -1, 2, 5, 4, 0, 6, 1];
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (i === -1) { result.inputs = inputs; continue; }
    const name = COMPONENTS[i]!;
    const exec = execs[i]!;
    const names = components[name].names;
    const groups: Record<string, string | undefined> = {};
    for (let g = 1; g < exec.length; g++) groups[names[g - 1]!] = exec[g];
    result[name] = { groups, input: values[name] };
  }
  return result;
}

function resolveArgs(args: IArguments | unknown[]): { input: string | Init; baseURL: string | undefined; ignoreCase: boolean } {
  // Overloads: (input, baseURL, options) and (input = {}, options = {}); a non-object second
  // argument (other than undefined/null) selects the first.
  const a1 = args[1];
  if (args.length >= 3 || (args.length === 2 && a1 !== undefined && a1 !== null && typeof a1 !== 'object' && typeof a1 !== 'function')) {
    const input = toInput(args[0]);
    return { input, baseURL: toUSVString(a1), ignoreCase: toIgnoreCase(args[2]) };
  }
  return { input: toInput(args[0]), baseURL: undefined, ignoreCase: toIgnoreCase(a1) };
}

export class URLPattern {
  #components: Components;

  constructor(input: unknown = undefined, baseURL: unknown = undefined, options: unknown = undefined) {
    void input; void baseURL; void options;
    const { input: i, baseURL: b, ignoreCase } = resolveArgs(arguments);
    this.#components = create(i, b, ignoreCase);
  }

  test(input: unknown = undefined, baseURL: unknown = undefined): boolean {
    const c = componentsOf(this, 'test');
    return match(c, toInput(input), baseURL === undefined ? undefined : toUSVString(baseURL)) !== null;
  }

  exec(input: unknown = undefined, baseURL: unknown = undefined): PatternResult | null {
    const c = componentsOf(this, 'exec');
    return match(c, toInput(input), baseURL === undefined ? undefined : toUSVString(baseURL));
  }

  get protocol(): string { return componentsOf(this, 'protocol').protocol.pattern; }
  get username(): string { return componentsOf(this, 'username').username.pattern; }
  get password(): string { return componentsOf(this, 'password').password.pattern; }
  get hostname(): string { return componentsOf(this, 'hostname').hostname.pattern; }
  get port(): string { return componentsOf(this, 'port').port.pattern; }
  get pathname(): string { return componentsOf(this, 'pathname').pathname.pattern; }
  get search(): string { return componentsOf(this, 'search').search.pattern; }
  get hash(): string { return componentsOf(this, 'hash').hash.pattern; }

  get hasRegExpGroups(): boolean {
    const c = componentsOf(this, 'hasRegExpGroups');
    for (let i = 0; i < COMPONENTS.length; i++) if (c[COMPONENTS[i]!].hasRegExpGroups) return true;
    return false;
  }

  static {
    componentsOf = brandCheck('URLPattern', (v) =>
      (typeof v === 'object' && v !== null && #components in v ? (v as URLPattern).#components : undefined), '');
  }
}

finishInterface(URLPattern, 'URLPattern');
