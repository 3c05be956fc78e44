// Types for Isle workers: the global scope of an Isle isolate (ECMAScript built-ins come from the
// "lib" you choose, ES2023 or later; the web APIs from ./web.d.ts) and the handler shapes.
//
// Use it instead of the DOM or WebWorker libs, and without Node's types:
//   // tsconfig.json
//   { "compilerOptions": { "lib": ["ES2023"], "types": ["isle/types"], … } }
//
//   export interface Env { GREETING: string; API_KEY: string }
//   export default {
//     async fetch(request, env, ctx) { return new Response(env.GREETING); },
//   } satisfies ExportedHandler<Env>;

/// <reference path="./web.d.ts" />

// --- Module workers: `export default { fetch, scheduled }` ----------------------------------------

/** The third argument of every handler: work that may outlive the response. */
interface ExecutionContext {
  /**
   * Keeps the request's isolate alive until `promise` settles, after the response was sent (bounded
   * by the wall-clock limit). A rejection is logged; it does not change the response.
   */
  waitUntil(promise: Promise<unknown>): void;
  /**
   * Accepted so that Cloudflare code runs unchanged. Isle has no origin to fall back to: an
   * exception still produces a 500.
   */
  passThroughOnException(): void;
}

/** The first argument of `scheduled()`: which cron trigger fired, and when. */
interface ScheduledController {
  /** Milliseconds since the epoch at which the trigger was scheduled. */
  readonly scheduledTime: number;
  /** The cron expression (from isle.json `triggers.crons`) that fired. */
  readonly cron: string;
  /** Accepted for compatibility; Isle does not retry scheduled events. */
  noRetry(): void;
}

type ExportedHandlerFetchHandler<Env = unknown> = (
  request: Request,
  env: Env,
  ctx: ExecutionContext,
) => Response | Promise<Response>;

type ExportedHandlerScheduledHandler<Env = unknown> = (
  controller: ScheduledController,
  env: Env,
  ctx: ExecutionContext,
) => void | Promise<void>;

/**
 * The default export of a module worker. `Env` describes `env`: isle.json "vars", secrets and
 * .dev.vars entries (strings, or the JSON values written in "vars").
 */
interface ExportedHandler<Env = unknown> {
  fetch?: ExportedHandlerFetchHandler<Env>;
  scheduled?: ExportedHandlerScheduledHandler<Env>;
}

// --- Service workers: `addEventListener('fetch', …)` ----------------------------------------------

/** Dispatched on the global scope for each request in a service-worker-syntax worker. */
interface FetchEvent extends Event {
  readonly type: 'fetch';
  readonly request: Request;
  /** Answers the request. Must be called synchronously in the listener, at most once. */
  respondWith(response: Response | Promise<Response>): void;
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

/** Dispatched on the global scope when a cron trigger fires, in a service-worker-syntax worker. */
interface ScheduledEvent extends Event {
  readonly type: 'scheduled';
  readonly scheduledTime: number;
  readonly cron: string;
  waitUntil(promise: Promise<unknown>): void;
  noRetry(): void;
}

interface WorkerGlobalScopeEventMap {
  fetch: FetchEvent;
  scheduled: ScheduledEvent;
  error: ErrorEvent;
  unhandledrejection: PromiseRejectionEvent;
  rejectionhandled: PromiseRejectionEvent;
}

declare function addEventListener<K extends keyof WorkerGlobalScopeEventMap>(
  type: K,
  listener: (this: typeof globalThis, ev: WorkerGlobalScopeEventMap[K]) => any,
  options?: boolean | AddEventListenerOptions,
): void;
declare function addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
declare function removeEventListener<K extends keyof WorkerGlobalScopeEventMap>(
  type: K,
  listener: (this: typeof globalThis, ev: WorkerGlobalScopeEventMap[K]) => any,
  options?: boolean | EventListenerOptions,
): void;
declare function removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
declare function dispatchEvent(event: Event): boolean;

/** The global scope itself (an EventTarget). */
declare var self: typeof globalThis;
declare var onerror: ((this: typeof globalThis, ev: ErrorEvent) => any) | null;
declare var onunhandledrejection: ((this: typeof globalThis, ev: PromiseRejectionEvent) => any) | null;
declare var onrejectionhandled: ((this: typeof globalThis, ev: PromiseRejectionEvent) => any) | null;

// --- Navigator -------------------------------------------------------------------------------------

interface Navigator {
  /** "Isle". */
  readonly userAgent: string;
}
declare var Navigator: {
  prototype: Navigator;
};
declare var navigator: Navigator;

// --- URLPattern (WHATWG URL Pattern) ----------------------------------------------------------------

interface URLPatternInit {
  protocol?: string;
  username?: string;
  password?: string;
  hostname?: string;
  port?: string;
  pathname?: string;
  search?: string;
  hash?: string;
  baseURL?: string;
}

type URLPatternInput = string | URLPatternInit;

interface URLPatternOptions {
  ignoreCase?: boolean;
}

interface URLPatternComponentResult {
  input: string;
  groups: Record<string, string | undefined>;
}

interface URLPatternResult {
  inputs: URLPatternInput[];
  protocol: URLPatternComponentResult;
  username: URLPatternComponentResult;
  password: URLPatternComponentResult;
  hostname: URLPatternComponentResult;
  port: URLPatternComponentResult;
  pathname: URLPatternComponentResult;
  search: URLPatternComponentResult;
  hash: URLPatternComponentResult;
}

interface URLPattern {
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  readonly hasRegExpGroups: boolean;
  test(input?: URLPatternInput, baseURL?: string): boolean;
  exec(input?: URLPatternInput, baseURL?: string): URLPatternResult | null;
}
declare var URLPattern: {
  prototype: URLPattern;
  new (input: URLPatternInput, baseURL: string, options?: URLPatternOptions): URLPattern;
  new (input?: URLPatternInput, options?: URLPatternOptions): URLPattern;
};

// --- Where Isle has more than TypeScript's lib declares -----------------------------------------------

interface RequestInit {
  /** Required ('half') when `body` is a ReadableStream: the request body is sent half-duplex. */
  duplex?: 'half';
}
interface Request {
  readonly duplex: 'half';
}
interface MessagePort {
  onclose: ((this: MessagePort, ev: Event) => any) | null;
}
