// Host operations: what code inside an isolate may ask of the host, by name.
// Each op receives the calling isolate's OpContext first; arguments and results are copies.
import type { Logger, LogLevel } from '../log.ts';

export interface OpContext {
  /** Request id (or isolate id in tenant isolation) for log lines. */
  readonly id: string;
  readonly log: Logger;
  /** Per-isolate state of one op module, created on first use and dropped with the isolate. */
  state<T>(key: symbol, init: () => T): T;
  /** Runs when the isolate is disposed (cancel timers, sockets, release keys…). */
  onDispose(fn: () => void): void;
  /** Host → isolate call (returns the isolate function's promise result, copied). */
  callIsolate(kind: string, ...args: unknown[]): Promise<unknown>;
  /** Tenant-level configuration the ops need (limits, egress rules, …). */
  readonly config: OpConfig;
  readonly disposed: boolean;
  /** Maps bundle positions in a stack trace to the tenant's source files. */
  mapStack(stack: string): string;
}

export interface OpConfig {
  /** Outbound fetch budget per request (Cloudflare's default: 50 on free, 1000 on paid). */
  subrequestLimit: number;
  /** Extra egress allow rules (HOST[:PORT]) granted by the operator. */
  allowEgress: string[];
  /** The tenant (serve): the egress broker applies the grants the admin gave that tenant. */
  tenant?: string;
}

export type SyncOp = (ctx: OpContext, ...args: any[]) => unknown;
export type AsyncOp = (ctx: OpContext, ...args: any[]) => Promise<unknown> | unknown;
export type SendOp = (ctx: OpContext, ...args: any[]) => void;

/** A module of ops; modules are listed in ops/index.ts. */
export interface OpModule {
  sync?: Record<string, SyncOp>;
  async?: Record<string, AsyncOp>;
  send?: Record<string, SendOp>;
}

export type { LogLevel };

/**
 * An op result whose bytes the op hands over: the host gives up the memory and it moves into the
 * isolate without a copy (large streamed bodies would otherwise double their footprint until the
 * next GC). The op must not touch `bytes` afterwards.
 */
export class TransferredBytes {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}
