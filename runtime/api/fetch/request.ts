// Request (https://fetch.spec.whatwg.org/#request-class).
//
// Differences from a browser, all deliberate for a server-side runtime (as in workerd and Deno):
// - There is no document: the API base URL is null unless the runtime sets one (setAPIBaseURL)
//   or the global scope has a `location` (see getAPIBaseURL), so relative URLs throw a TypeError.
// - There is no client origin, so a `referrer` URL is kept as given instead of being reset to
//   "client" for being cross-origin (what undici does in Node).
// - Forbidden request-headers are not dropped (see headers.ts).
// The Headers object and the AbortSignal are created on first access: both are unobservable
// until then, and an incoming request often never touches them.
import {
  ReflectGet, StringPrototypeToUpperCase, StringPrototypeToWellFormed, Symbol, TypeError, globalThisRef,
} from '../intrinsics.ts';
import { brandCheck, dictionary, finishInterface, isObject, toByteString, toDOMString, toEnum, toUSVString } from './idl.ts';
import {
  appendHeader, convertHeadersInit, createHeaders, fillHeadersFrom, hasHeader, type HeadersGuard, type HeadersState,
} from './headers.ts';
import { isHTTPToken } from './mime.ts';
import {
  bodyUnusable, cloneBody, convertBodyInit, extractBody, installBodyMixin, takeBody, type Body, type BodyState,
} from './body.ts';
import { includesCredentials, parseURLRecord, serializeURLRecord, type URLRecord } from '../url/parser.ts';
import { createAbortSignal, createDependentAbortSignal, isAbortSignal, type AbortSignal } from '../abort/index.ts';
import type { Headers } from './headers.ts';
import type { ReadableStream } from '../streams/index.ts';

export type RequestMode = 'navigate' | 'same-origin' | 'no-cors' | 'cors';
export type RequestCredentials = 'omit' | 'same-origin' | 'include';
export type RequestCache = 'default' | 'no-store' | 'reload' | 'no-cache' | 'force-cache' | 'only-if-cached';
export type RequestRedirect = 'follow' | 'error' | 'manual';
export type RequestPriority = 'high' | 'low' | 'auto';
export type ReferrerPolicy = '' | 'no-referrer' | 'no-referrer-when-downgrade' | 'same-origin' | 'origin' |
  'strict-origin' | 'origin-when-cross-origin' | 'strict-origin-when-cross-origin' | 'unsafe-url';

const MODES: readonly RequestMode[] = ['navigate', 'same-origin', 'no-cors', 'cors'];
const CREDENTIALS: readonly RequestCredentials[] = ['omit', 'same-origin', 'include'];
const CACHES: readonly RequestCache[] = ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'];
const REDIRECTS: readonly RequestRedirect[] = ['follow', 'error', 'manual'];
const PRIORITIES: readonly RequestPriority[] = ['high', 'low', 'auto'];
const DUPLEX: readonly 'half'[] = ['half'];
const REFERRER_POLICIES: readonly ReferrerPolicy[] = [
  '', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin',
  'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url',
];

export interface RequestState {
  method: string;
  /** Serialized current URL. */
  url: string;
  headers: HeadersState;
  headersObject: Headers | null;
  body: BodyState | null;
  /** The signal once created, or null. */
  signal: AbortSignal | null;
  /** The signal this request's signal follows (created lazily), or null. */
  signalParent: AbortSignal | null;
  /** "client", "no-referrer" or a serialized URL. */
  referrer: string;
  referrerPolicy: ReferrerPolicy;
  mode: RequestMode;
  credentials: RequestCredentials;
  cache: RequestCache;
  redirect: RequestRedirect;
  integrity: string;
  keepalive: boolean;
  priority: RequestPriority;
  reloadNavigation: boolean;
  historyNavigation: boolean;
}

let apiBaseURL: URLRecord | null = null;
let locationHref: string | null = null;
let locationRecord: URLRecord | null = null;

/** Sets the base URL relative request URLs resolve against (null: relative URLs throw). */
export function setAPIBaseURL(url: string | null): void {
  apiBaseURL = url === null ? null : parseURLRecord(url, null);
}

/**
 * The API base URL: the one the runtime set, else the href of a global `location` when the
 * global scope has one (a WorkerLocation, or what an embedder such as a test harness defines,
 * like Deno's --location), else null. Isle itself defines no `location`.
 */
export function getAPIBaseURL(): URLRecord | null {
  if (apiBaseURL !== null) return apiBaseURL;
  let href: unknown;
  try {
    const location = ReflectGet(globalThisRef, 'location') as unknown;
    if (location === undefined || location === null) return null;
    href = typeof location === 'object' ? ReflectGet(location, 'href') : location;
  } catch {
    return null;
  }
  if (typeof href !== 'string') return null;
  if (href !== locationHref) {
    locationHref = href;
    locationRecord = parseURLRecord(StringPrototypeToWellFormed(href), null);
  }
  return locationRecord;
}

const requestInternal: unique symbol = Symbol('Request internal') as never;

// Set by the class's static block: the only reader of the private slot outside the class.
let getState: (r: unknown) => RequestState | undefined;

// The Body members are installed by installBodyMixin (below the class).
export interface Request extends Body {}

export class Request {
  #state: RequestState;

  constructor(input: unknown, init: unknown = undefined) {
    if (input === requestInternal) {
      this.#state = init as RequestState;
      return;
    }
    if (arguments.length < 1) throw new TypeError('Request constructor: 1 argument required, but only 0 present');
    this.#state = constructRequest(input, init);
  }

  get method(): string { return stateOf(this, 'method').method; }
  get url(): string { return stateOf(this, 'url').url; }
  get headers(): Headers {
    const s = stateOf(this, 'headers');
    return s.headersObject ??= createHeaders(s.headers);
  }
  get destination(): string { stateOf(this, 'destination'); return ''; }
  get referrer(): string {
    const r = stateOf(this, 'referrer').referrer;
    if (r === 'no-referrer') return '';
    if (r === 'client') return 'about:client';
    return r;
  }
  get referrerPolicy(): ReferrerPolicy { return stateOf(this, 'referrerPolicy').referrerPolicy; }
  get mode(): RequestMode { return stateOf(this, 'mode').mode; }
  get credentials(): RequestCredentials { return stateOf(this, 'credentials').credentials; }
  get cache(): RequestCache { return stateOf(this, 'cache').cache; }
  get redirect(): RequestRedirect { return stateOf(this, 'redirect').redirect; }
  get integrity(): string { return stateOf(this, 'integrity').integrity; }
  get keepalive(): boolean { return stateOf(this, 'keepalive').keepalive; }
  get isReloadNavigation(): boolean { return stateOf(this, 'isReloadNavigation').reloadNavigation; }
  get isHistoryNavigation(): boolean { return stateOf(this, 'isHistoryNavigation').historyNavigation; }
  get signal(): AbortSignal { return requestSignal(stateOf(this, 'signal')); }
  get duplex(): 'half' { stateOf(this, 'duplex'); return 'half'; }

  clone(): Request {
    const s = stateOf(this, 'clone');
    if (bodyUnusable(s.body)) throw new TypeError('Request.clone: the body has already been used or is locked');
    return cloneRequest(s);
  }

  static {
    getState = (r: unknown) => (isObject(r) && #state in r ? (r as Request).#state : undefined);
  }
}


installBodyMixin(Request.prototype, 'Request', getState);
finishInterface(Request, 'Request');

const stateOf = brandCheck('Request', (v) => getState(v), '');


// ---------------------------------------------------------------------------------------------
// Runtime-facing helpers

export function isRequest(v: unknown): v is Request {
  return getState(v) !== undefined;
}

/** State of a brand-checked Request. */
export function requestState(r: Request): RequestState {
  return getState(r)!;
}

/** A Request over a ready state (no validation). */
export function createRequest(state: RequestState): Request {
  return new Request(requestInternal, state);
}

export function requestSignal(s: RequestState): AbortSignal {
  if (s.signal !== null) return s.signal;
  const parent = s.signalParent;
  s.signal = parent === null ? createAbortSignal() : createDependentAbortSignal([parent]);
  return s.signal;
}

function cloneRequest(s: RequestState): Request {
  const headers: HeadersState = { list: copyList(s.headers.list), guard: s.headers.guard, sorted: null };
  const clone: RequestState = {
    method: s.method, url: s.url, headers, headersObject: null,
    body: s.body === null ? null : cloneBody(s.body),
    signal: null,
    signalParent: s.signal ?? s.signalParent,
    referrer: s.referrer, referrerPolicy: s.referrerPolicy, mode: s.mode, credentials: s.credentials,
    cache: s.cache, redirect: s.redirect, integrity: s.integrity, keepalive: s.keepalive,
    priority: s.priority, reloadNavigation: s.reloadNavigation, historyNavigation: s.historyNavigation,
  };
  return createRequest(clone);
}

function copyList(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The constructor algorithm

/** Normalizes a method: DELETE, GET, HEAD, OPTIONS, POST, PUT are uppercased (not PATCH). */
export function normalizeMethod(m: string): string {
  const upper = StringPrototypeToUpperCase(m);
  switch (upper) {
    case 'DELETE': case 'GET': case 'HEAD': case 'OPTIONS': case 'POST': case 'PUT':
      return upper;
  }
  return m;
}

function isForbiddenMethod(m: string): boolean {
  const upper = StringPrototypeToUpperCase(m);
  return upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK';
}

interface ConvertedRequestInit {
  present: boolean;
  body?: unknown;
  hasBody: boolean;
  cache?: RequestCache;
  credentials?: RequestCredentials;
  duplex?: 'half';
  headers?: string[];
  integrity?: string;
  keepalive?: boolean;
  method?: string;
  mode?: RequestMode;
  priority?: RequestPriority;
  redirect?: RequestRedirect;
  referrer?: string;
  referrerPolicy?: ReferrerPolicy;
  signal?: AbortSignal | null;
  hasSignal: boolean;
  hasWindow: boolean;
  window?: unknown;
}

/** RequestInit members, read and converted in lexicographic order. */
function convertRequestInit(v: unknown): ConvertedRequestInit {
  const what = 'Request constructor';
  const d = dictionary(v, what);
  // Every member is an own property, so no lookup ever reaches Object.prototype.
  const out: ConvertedRequestInit = {
    present: false, body: undefined, hasBody: false, cache: undefined, credentials: undefined, duplex: undefined,
    headers: undefined, integrity: undefined, keepalive: undefined, method: undefined, mode: undefined, priority: undefined,
    redirect: undefined, referrer: undefined, referrerPolicy: undefined, signal: undefined, hasSignal: false,
    hasWindow: false, window: undefined,
  };
  if (d === undefined) return out;
  let x: unknown;
  x = d.body;
  if (x !== undefined) { out.hasBody = true; out.body = x === null ? null : convertBodyInit(x); out.present = true; }
  x = d.cache;
  if (x !== undefined) { out.cache = toEnum(x, CACHES, `${what}: cache`); out.present = true; }
  x = d.credentials;
  if (x !== undefined) { out.credentials = toEnum(x, CREDENTIALS, `${what}: credentials`); out.present = true; }
  x = d.duplex;
  if (x !== undefined) { out.duplex = toEnum(x, DUPLEX, `${what}: duplex`); out.present = true; }
  x = d.headers;
  if (x !== undefined) { out.headers = convertHeadersInit(x, what); out.present = true; }
  x = d.integrity;
  if (x !== undefined) { out.integrity = toDOMString(x); out.present = true; }
  x = d.keepalive;
  if (x !== undefined) { out.keepalive = !!x; out.present = true; }
  x = d.method;
  if (x !== undefined) { out.method = toByteString(x, `${what}: method`); out.present = true; }
  x = d.mode;
  if (x !== undefined) { out.mode = toEnum(x, MODES, `${what}: mode`); out.present = true; }
  x = d.priority;
  if (x !== undefined) { out.priority = toEnum(x, PRIORITIES, `${what}: priority`); out.present = true; }
  x = d.redirect;
  if (x !== undefined) { out.redirect = toEnum(x, REDIRECTS, `${what}: redirect`); out.present = true; }
  x = d.referrer;
  if (x !== undefined) { out.referrer = toUSVString(x); out.present = true; }
  x = d.referrerPolicy;
  if (x !== undefined) { out.referrerPolicy = toEnum(x, REFERRER_POLICIES, `${what}: referrerPolicy`); out.present = true; }
  x = d.signal;
  if (x !== undefined) {
    if (x !== null && !isAbortSignal(x)) throw new TypeError(`${what}: signal is not an AbortSignal`);
    out.signal = x as AbortSignal | null;
    out.hasSignal = true;
    out.present = true;
  }
  x = d.window;
  if (x !== undefined) { out.window = x; out.hasWindow = true; out.present = true; }
  return out;
}

function constructRequest(input: unknown, initArg: unknown): RequestState {
  const what = 'Request constructor';
  // Argument conversion: input is (Request or USVString), then the init dictionary.
  const inputState = getState(input);
  const inputURL = inputState === undefined ? toUSVString(input) : undefined;
  const init = convertRequestInit(initArg);

  const baseURL = getAPIBaseURL();
  let signal: AbortSignal | null = null;
  let fallbackMode: RequestMode | null = null;
  let url: string;
  let source: RequestState | null = null;
  if (inputURL !== undefined) {
    const parsed = parseURLRecord(inputURL, baseURL);
    if (parsed === null) throw new TypeError(`${what}: '${inputURL}' is not a valid URL`);
    if (includesCredentials(parsed)) throw new TypeError(`${what}: the URL '${inputURL}' includes credentials`);
    url = serializeURLRecord(parsed);
    fallbackMode = 'cors';
  } else {
    source = inputState!;
    url = source.url;
    signal = source.signal ?? source.signalParent;
  }

  if (init.hasWindow && init.window !== null) throw new TypeError(`${what}: window must be null`);

  const state: RequestState = {
    method: source === null ? 'GET' : source.method,
    url,
    headers: { list: source === null ? [] : copyList(source.headers.list), guard: 'request', sorted: null },
    headersObject: null,
    body: null,
    signal: null,
    signalParent: null,
    referrer: source === null ? 'client' : source.referrer,
    referrerPolicy: source === null ? '' : source.referrerPolicy,
    mode: source === null ? 'cors' : source.mode,
    credentials: source === null ? 'same-origin' : source.credentials,
    cache: source === null ? 'default' : source.cache,
    redirect: source === null ? 'follow' : source.redirect,
    integrity: source === null ? '' : source.integrity,
    keepalive: source === null ? false : source.keepalive,
    priority: source === null ? 'auto' : source.priority,
    reloadNavigation: source === null ? false : source.reloadNavigation,
    historyNavigation: source === null ? false : source.historyNavigation,
  };

  if (init.present) {
    if (state.mode === 'navigate') state.mode = 'same-origin';
    state.reloadNavigation = false;
    state.historyNavigation = false;
    state.referrer = 'client';
    state.referrerPolicy = '';
  }

  if (init.referrer !== undefined) {
    const referrer = init.referrer;
    if (referrer === '') {
      state.referrer = 'no-referrer';
    } else {
      const parsedReferrer = parseURLRecord(referrer, baseURL);
      if (parsedReferrer === null) throw new TypeError(`${what}: referrer '${referrer}' is not a valid URL`);
      const serialized = serializeURLRecord(parsedReferrer);
      state.referrer = serialized === 'about:client' ? 'client' : serialized;
    }
  }
  if (init.referrerPolicy !== undefined) state.referrerPolicy = init.referrerPolicy;

  const mode = init.mode !== undefined ? init.mode : fallbackMode;
  if (mode === 'navigate') throw new TypeError(`${what}: mode 'navigate' is not allowed`);
  if (mode !== null) state.mode = mode;
  if (init.credentials !== undefined) state.credentials = init.credentials;
  if (init.cache !== undefined) state.cache = init.cache;
  if (state.cache === 'only-if-cached' && state.mode !== 'same-origin') {
    throw new TypeError(`${what}: cache 'only-if-cached' requires mode 'same-origin'`);
  }
  if (init.redirect !== undefined) state.redirect = init.redirect;
  if (init.integrity !== undefined) state.integrity = init.integrity;
  if (init.keepalive !== undefined) state.keepalive = init.keepalive;
  if (init.method !== undefined) {
    const m = init.method;
    if (!isHTTPToken(m)) throw new TypeError(`${what}: '${m}' is not a valid HTTP method`);
    if (isForbiddenMethod(m)) throw new TypeError(`${what}: the method '${m}' is forbidden`);
    state.method = normalizeMethod(m);
  }
  if (init.hasSignal) signal = init.signal!;
  if (init.priority !== undefined) state.priority = init.priority;

  state.signalParent = signal;

  const headers = state.headers;
  if (state.mode === 'no-cors') {
    const m = state.method;
    if (m !== 'GET' && m !== 'HEAD' && m !== 'POST') {
      throw new TypeError(`${what}: mode 'no-cors' requires a CORS-safelisted method (GET, HEAD or POST)`);
    }
    headers.guard = 'request-no-cors';
  }
  if (init.present) {
    // Either init's headers or a copy of the input's, appended anew so the guard applies.
    const pairs = init.headers !== undefined ? init.headers : headers.list;
    headers.list = [];
    headers.sorted = null;
    fillHeadersFrom(headers, pairs, what);
  }

  const inputBody = source === null ? null : source.body;
  const initBodyGiven = init.hasBody && init.body !== null;
  if ((initBodyGiven || inputBody !== null) && (state.method === 'GET' || state.method === 'HEAD')) {
    throw new TypeError(`${what}: a ${state.method} request cannot have a body`);
  }
  let initBody: BodyState | null = null;
  if (initBodyGiven) {
    const extracted = extractBody(init.body, state.keepalive, what);
    initBody = extracted.body;
    if (extracted.type !== null && !hasHeader(headers, 'content-type')) {
      appendHeader(headers, 'content-type', extracted.type, what);
    }
  }
  const inputOrInitBody = initBody ?? inputBody;
  if (inputOrInitBody !== null && inputOrInitBody.fromStream) {
    if (initBody !== null && init.duplex === undefined) {
      throw new TypeError(`${what}: a ReadableStream body requires duplex: 'half'`);
    }
    if (state.mode !== 'same-origin' && state.mode !== 'cors') {
      throw new TypeError(`${what}: a ReadableStream body requires mode 'same-origin' or 'cors'`);
    }
  }
  let finalBody = inputOrInitBody;
  if (initBody === null && inputBody !== null) {
    if (bodyUnusable(inputBody)) throw new TypeError(`${what}: the input request's body has already been used or is locked`);
    finalBody = takeBody(inputBody);
  }
  state.body = finalBody;
  return state;
}
