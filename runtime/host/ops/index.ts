// Every host op module. Each area owns one file; add a module here to make its ops callable.
import type { AsyncOp, OpModule, SendOp, SyncOp } from './types.ts';
import { bodyOps } from './body.ts';
import { compressionOps } from './compression.ts';
import { consoleOps } from './console.ts';
import { cryptoOps } from './crypto.ts';
import { encodingOps } from './encoding.ts';
import { outboundFetchOps } from './outbound-fetch.ts';
import { performanceOps } from './performance.ts';
import { timersOps } from './timers.ts';
import { urlOps } from './url.ts';
import { workerOps } from './worker.ts';

const modules: OpModule[] = [
  bodyOps, compressionOps, consoleOps, cryptoOps, encodingOps, outboundFetchOps, performanceOps, timersOps, urlOps, workerOps,
];

export const syncOps = new Map<string, SyncOp>();
export const asyncOps = new Map<string, AsyncOp>();
export const sendOps = new Map<string, SendOp>();
for (const m of modules) {
  for (const [name, fn] of Object.entries(m.sync ?? {})) syncOps.set(name, fn);
  for (const [name, fn] of Object.entries(m.async ?? {})) asyncOps.set(name, fn);
  for (const [name, fn] of Object.entries(m.send ?? {})) sendOps.set(name, fn);
}
