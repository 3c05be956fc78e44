// Every host op module. Add a module here to make its ops callable from isolates.
import type { AsyncOp, OpModule, SendOp, SyncOp } from './types.ts';
import { consoleOps } from './console.ts';

const modules: OpModule[] = [consoleOps];

export const syncOps = new Map<string, SyncOp>();
export const asyncOps = new Map<string, AsyncOp>();
export const sendOps = new Map<string, SendOp>();
for (const m of modules) {
  for (const [name, fn] of Object.entries(m.sync ?? {})) syncOps.set(name, fn);
  for (const [name, fn] of Object.entries(m.async ?? {})) asyncOps.set(name, fn);
  for (const [name, fn] of Object.entries(m.send ?? {})) sendOps.set(name, fn);
}
