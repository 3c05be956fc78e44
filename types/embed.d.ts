// Types of Isle's programmatic API (`import { createWorker } from 'isle'`), for Node code: tests and
// embedding. The implementation is runtime/embed/index.ts; test/tenant/types.test.ts checks that
// these declarations and the implementation agree.
//
// Request, Response, RequestInit and URL are whatever the importing program has as globals (Node's
// fetch types, or Isle's own from `isle/types`), so this file imports nothing.

/** Per-request limits (the defaults follow Cloudflare Workers). */
export interface Limits {
  /** CPU time per request (ms). Default 30000. */
  cpuMs: number;
  /** Wall-clock time per request, including waitUntil work after the response (ms). Default 30000. */
  wallMs: number;
  /** Heap limit per isolate (MB). Default 128. */
  memoryMb: number;
  /** Outbound fetch() calls per request. Default 1000. */
  subrequests: number;
  /** Time the bundle's top level may take to evaluate (ms). Default 1000. */
  startupMs: number;
  /** Largest request body accepted (bytes). Default 100 MiB. */
  maxRequestBodyBytes: number;
}

export type LogLevel = 'debug' | 'info' | 'log' | 'warn' | 'error';

/** One line of worker output: console output (`tenant`), a request (`access`) or the runtime (`system`). */
export interface LogRecord {
  time: number;
  kind: 'tenant' | 'access' | 'system';
  level: LogLevel;
  message: string;
  requestId?: string;
  tenant?: string;
  access?: { method: string; path: string; status: number; wallMs: number; cpuMs: number; outcome: string };
}

/** How a request or scheduled event ended. */
export type Outcome = 'ok' | 'exception' | 'startup' | 'cpu' | 'wall' | 'memory' | 'client-abort' | 'internal';

export type Isolation = 'request' | 'tenant';

export interface CreateWorkerOptions {
  /** Entry file, relative to `root` (default: "main" of the nearest isle.json). */
  entry?: string;
  /** Or the worker's source code itself (a TypeScript or JavaScript module). */
  script?: string;
  /** Project directory (default: the directory of the nearest isle.json, or the working directory). */
  root?: string;
  /** `env` of the worker; merged over isle.json "vars". */
  env?: Record<string, unknown>;
  limits?: Partial<Limits>;
  /** A fresh isolate per request (default, like production) or one isolate for every request. */
  isolation?: Isolation;
  /** Private or loopback hosts the worker may fetch (`HOST[:PORT]`). */
  allowEgress?: string[];
  /** Development-style error responses (message and stack in the body). Default true. */
  dev?: boolean;
  /** Receives console output and access lines; by default console output goes to stderr. */
  onLog?: (record: LogRecord) => void;
}

export interface IsleWorker {
  /** Sends one request through the worker's fetch handler, in a fresh isolate. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Fires the worker's scheduled handler, as a cron trigger would. */
  scheduled(cron?: string, scheduledTime?: number): Promise<Outcome>;
  /** Releases the worker's isolates and temporary files. */
  dispose(): Promise<void>;
}

/** Bundles the worker (as `worker dev` does) and returns a handle that runs it in real Isle isolates. */
export declare function createWorker(options?: CreateWorkerOptions): Promise<IsleWorker>;
