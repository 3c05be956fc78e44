// Public entry of the `isle` package for Node code: the programmatic API.
export { createWorker, type CreateWorkerOptions, type IsleWorker } from './create-worker.ts';
export type { Limits } from '../config/limits.ts';
export type { LogRecord } from '../host/log.ts';
