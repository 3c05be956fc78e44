// The web classes the dispatcher drives, captured from the global right after the prelude
// installed them (so before any tenant code): the dispatcher uses these captures only, never the
// tenant-visible globals or prototypes.
import { ObjectGetOwnPropertyDescriptor, TypeError, globalThisRef, uncurryThis } from '../intrinsics.ts';

type AnyFn = (...args: any[]) => any;
interface Captured {
  AbortController: new () => object;
  abort: (controller: object, reason?: unknown) => void;
  controllerSignal: (controller: object) => object;
  ReadableStream: new (source: object, strategy?: object) => object;
  getReader: (stream: object, options?: object) => object;
  readerRead: (reader: object) => Promise<{ done: boolean; value: unknown }>;
  readerCancel: (reader: object, reason?: unknown) => Promise<void>;
  byteControllerEnqueue: (controller: object, chunk: Uint8Array) => void;
  byteControllerClose: (controller: object) => void;
  byteControllerError: (controller: object, e: unknown) => void;
  byobRequest: (controller: object) => object | null;
  byobRequestRespond: (request: object, bytesWritten: number) => void;
  Event: (new (type: string, init?: object) => object) | undefined;
  /** Number of listeners for a type on a target (events area's internal query), when available. */
  listenerCount: ((target: object, type: string) => number) | undefined;
}

let captured: Captured | undefined;

function method(proto: object | undefined, name: string): AnyFn {
  const d = proto && ObjectGetOwnPropertyDescriptor(proto, name);
  const fn = d && (d.value ?? d.get);
  if (typeof fn !== 'function') {
    // Only reachable while an API area is unfinished; failing at use keeps the rest of the prelude usable.
    return () => {
      throw new TypeError(`runtime is missing ${name}`);
    };
  }
  return uncurryThis(fn as AnyFn);
}

let listenerCount: Captured['listenerCount'];
/** The events area registers its listener query here (it owns EventTarget's internals). */
export function provideListenerCount(fn: (target: object, type: string) => number): void {
  listenerCount = fn;
  if (captured) captured.listenerCount = fn;
}

/** Called once at prelude load, after every area installed its globals. */
export function captureWebClasses(): void {
  const g = globalThisRef as unknown as Record<string, any>;
  const byteController = g.ReadableByteStreamController?.prototype;
  captured = {
    AbortController: g.AbortController,
    abort: method(g.AbortController?.prototype, 'abort'),
    controllerSignal: method(g.AbortController?.prototype, 'signal'),
    ReadableStream: g.ReadableStream,
    getReader: method(g.ReadableStream?.prototype, 'getReader'),
    readerRead: method(g.ReadableStreamDefaultReader?.prototype, 'read'),
    readerCancel: method(g.ReadableStreamDefaultReader?.prototype, 'cancel'),
    byteControllerEnqueue: method(byteController, 'enqueue'),
    byteControllerClose: method(byteController, 'close'),
    byteControllerError: method(byteController, 'error'),
    byobRequest: method(byteController, 'byobRequest'),
    byobRequestRespond: method(g.ReadableStreamBYOBRequest?.prototype, 'respond'),
    Event: g.Event,
    listenerCount,
  };
}

export function web(): Captured {
  if (captured === undefined) throw new TypeError('runtime web classes are not available');
  return captured;
}
