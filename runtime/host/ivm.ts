// The one place the host loads isolated-vm (a native addon; needs Node 24 started with
// --no-node-snapshot, which cli/bin/worker.js and the test config arrange).
import { createRequire } from 'node:module';
import type ivmTypes from 'isolated-vm';

// Loaded through require: it is a CommonJS addon, and bundlers' ESM interop differs on its default.
export const ivm = createRequire(import.meta.url)('isolated-vm') as typeof ivmTypes;
export type Isolate = ivmTypes.Isolate;
export type Context = ivmTypes.Context;
export type Reference<T = unknown> = ivmTypes.Reference<T>;
export type ExternalCopy<T = unknown> = ivmTypes.ExternalCopy<T>;
