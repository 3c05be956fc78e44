// Response (https://fetch.spec.whatwg.org/#response-class).
import {
  JSONStringify, ReflectApply, StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypeSlice,
  Symbol, TypeError, RangeError,
} from '../intrinsics.ts';
import { brandCheck, dictionary, finishInterface, isObject, toByteString, toUnsignedShort, toUSVString } from './idl.ts';
import {
  appendHeaderUnchecked, convertHeadersInit, createHeaders, fillHeadersFrom, hasHeader, type Headers, type HeadersState,
} from './headers.ts';
import {
  bodyUnusable, cloneBody, convertBodyInit, extractBody, installBodyMixin, type Body, type BodyState,
} from './body.ts';
import { parseURLRecord, serializeURLRecord } from '../url/parser.ts';
import { getAPIBaseURL } from './request.ts';
import type { ReadableStream } from '../streams/index.ts';

export type ResponseType = 'basic' | 'cors' | 'default' | 'error' | 'opaque' | 'opaqueredirect';

export interface ResponseState {
  type: ResponseType;
  status: number;
  statusText: string;
  headers: HeadersState;
  headersObject: Headers | null;
  body: BodyState | null;
  /** Serialized URLs, oldest first. */
  urlList: string[];
  /** Explicit redirected flag (network responses), else derived from urlList. */
  redirected: boolean;
}

const responseInternal: unique symbol = Symbol('Response internal') as never;

// Set by the class's static block: the only reader of the private slot outside the class.
let getState: (r: unknown) => ResponseState | undefined;

// The Body members are installed by installBodyMixin (below the class).
export interface Response extends Body {}

export class Response {
  #state: ResponseState;

  constructor(body: unknown = null, init: unknown = undefined) {
    if (body === responseInternal) {
      this.#state = init as ResponseState;
      return;
    }
    const what = 'Response constructor';
    const converted = body === null || body === undefined ? null : convertBodyInit(body);
    const i = convertResponseInit(init, what);
    const state = newResponseState('response');
    const extracted = converted === null ? null : extractBody(converted, false, what);
    initializeResponse(state, i, extracted, what);
    this.#state = state;
  }

  static error(): Response {
    const state = newResponseState('immutable');
    state.type = 'error';
    state.status = 0;
    return new Response(responseInternal, state);
  }

  static redirect(url: unknown, status: unknown = undefined): Response {
    if (arguments.length < 1) throw new TypeError('Response.redirect: 1 argument required, but only 0 present');
    const u = toUSVString(url);
    const s = status === undefined ? 302 : toUnsignedShort(status);
    const parsed = parseURLRecord(u, getAPIBaseURL());
    if (parsed === null) throw new TypeError(`Response.redirect: '${u}' is not a valid URL`);
    if (s !== 301 && s !== 302 && s !== 303 && s !== 307 && s !== 308) {
      throw new RangeError(`Response.redirect: ${s} is not a redirect status`);
    }
    const state = newResponseState('immutable');
    state.status = s;
    appendHeaderUnchecked(state.headers, 'location', serializeURLRecord(parsed));
    return new Response(responseInternal, state);
  }

  static json(data: unknown, init: unknown = undefined): Response {
    if (arguments.length < 1) throw new TypeError('Response.json: 1 argument required, but only 0 present');
    const what = 'Response.json';
    const i = convertResponseInit(init, what);
    const text = ReflectApply(JSONStringify, undefined, [data]) as string | undefined;
    if (text === undefined) throw new TypeError(`${what}: the data cannot be serialized to JSON`);
    const extracted = extractBody(text, false, what);
    extracted.type = 'application/json';
    const state = newResponseState('response');
    initializeResponse(state, i, extracted, what);
    return new Response(responseInternal, state);
  }

  get type(): ResponseType { return stateOf(this, 'type').type; }
  get url(): string {
    const list = stateOf(this, 'url').urlList;
    if (list.length === 0) return '';
    const u = list[list.length - 1]!;
    const hash = StringPrototypeIndexOf(u, '#');
    return hash === -1 ? u : StringPrototypeSlice(u, 0, hash);
  }
  get redirected(): boolean {
    const s = stateOf(this, 'redirected');
    return s.redirected || s.urlList.length > 1;
  }
  get status(): number { return stateOf(this, 'status').status; }
  get ok(): boolean {
    const status = stateOf(this, 'ok').status;
    return status >= 200 && status <= 299;
  }
  get statusText(): string { return stateOf(this, 'statusText').statusText; }
  get headers(): Headers {
    const s = stateOf(this, 'headers');
    return s.headersObject ??= createHeaders(s.headers);
  }

  clone(): Response {
    const s = stateOf(this, 'clone');
    if (bodyUnusable(s.body)) throw new TypeError('Response.clone: the body has already been used or is locked');
    const clone: ResponseState = {
      type: s.type, status: s.status, statusText: s.statusText,
      headers: { list: copyList(s.headers.list), guard: s.headers.guard, sorted: null }, headersObject: null,
      body: s.body === null ? null : cloneBody(s.body),
      urlList: copyList(s.urlList), redirected: s.redirected,
    };
    return new Response(responseInternal, clone);
  }

  static {
    getState = (r: unknown) => (isObject(r) && #state in r ? (r as Response).#state : undefined);
  }
}


installBodyMixin(Response.prototype, 'Response', getState);
finishInterface(Response, 'Response');

const stateOf = brandCheck('Response', (v) => getState(v), '');


function copyList(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  return out;
}

function newResponseState(guard: 'response' | 'immutable'): ResponseState {
  return {
    type: 'default', status: 200, statusText: '', headers: { list: [], guard, sorted: null }, headersObject: null,
    body: null, urlList: [], redirected: false,
  };
}

interface ConvertedResponseInit {
  headers: string[] | undefined;
  status: number;
  statusText: string;
}

/** ResponseInit members in lexicographic order: headers, status, statusText. */
function convertResponseInit(v: unknown, what: string): ConvertedResponseInit {
  const d = dictionary(v, what);
  const out: ConvertedResponseInit = { headers: undefined, status: 200, statusText: '' };
  if (d === undefined) return out;
  const h = d.headers;
  if (h !== undefined) out.headers = convertHeadersInit(h, what);
  const s = d.status;
  if (s !== undefined) out.status = toUnsignedShort(s);
  const t = d.statusText;
  if (t !== undefined) out.statusText = toByteString(t, `${what}: statusText`);
  return out;
}

/** reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
function isReasonPhrase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff))) return false;
  }
  return true;
}

export function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}

/** "Initialize a response". */
function initializeResponse(
  state: ResponseState, init: ConvertedResponseInit, body: { body: BodyState; type: string | null } | null, what: string,
): void {
  if (init.status < 200 || init.status > 599) throw new RangeError(`${what}: status ${init.status} is not in the range 200 to 599`);
  if (!isReasonPhrase(init.statusText)) throw new TypeError(`${what}: statusText is not a valid reason phrase`);
  state.status = init.status;
  state.statusText = init.statusText;
  if (init.headers !== undefined) fillHeadersFrom(state.headers, init.headers, what);
  if (body !== null) {
    if (isNullBodyStatus(state.status)) throw new TypeError(`${what}: a response with status ${state.status} cannot have a body`);
    state.body = body.body;
    if (body.type !== null && !hasHeader(state.headers, 'content-type')) {
      appendHeaderUnchecked(state.headers, 'content-type', body.type);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime-facing helpers

export function isResponse(v: unknown): v is Response {
  return getState(v) !== undefined;
}

export function responseState(r: Response): ResponseState {
  return getState(r)!;
}

export function createResponse(state: ResponseState): Response {
  return new Response(responseInternal, state);
}
