// The abort area's internal API for other areas (fetch, streams, events).
export { AbortSignal, createAbortSignal, createDependentAbortSignal, signalAbort } from './abort-signal.ts';
export { AbortController } from './abort-controller.ts';
export { abortReason, addAbortAlgorithm, isAbortSignal, isAborted, removeAbortAlgorithm } from './state.ts';
