// ReadableStreamTee: ReadableStreamDefaultTee and ReadableByteStreamTee
// (https://streams.spec.whatwg.org/#abstract-opdef-readablestreamtee).
import { enqueueMicrotask } from '../intrinsics.ts';
import {
  ByteController, byteControllerBYOBRequestView, byteControllerClose, byteControllerEnqueue, byteControllerError,
  byteControllerRespond, byteControllerRespondWithNewView,
} from './byte-controller.ts';
import {
  acquireBYOBReader, acquireDefaultReader, createReadableByteStream, createReadableStream, readableStreamBYOBReaderRead,
  readableStreamBYOBReaderRelease, readableStreamCancel, readableStreamDefaultControllerClose,
  readableStreamDefaultControllerEnqueue, readableStreamDefaultControllerError, readableStreamDefaultReaderRead,
  readableStreamDefaultReaderRelease, type BYOBReader, type DefaultController, type DefaultReader, type RStream,
} from './readable.ts';
import { adopt, cloneAsUint8Array, newDeferred, react, resolvedUndefined, viewInfo, type Deferred } from './util.ts';

/** Chunk cloning for branch 2 (StructuredClone of the chunk; only byte chunks need a copy here). */
export type CloneChunk = (chunk: unknown) => unknown;

/** The cancellation state both tees share (the spec's canceled1/2, reason1/2 and cancelPromise). */
interface TeeCancellation {
  canceled1: boolean;
  canceled2: boolean;
  reason1: unknown;
  reason2: unknown;
  promise: Deferred<unknown>;
}

function newTeeCancellation(): TeeCancellation {
  return { canceled1: false, canceled2: false, reason1: undefined, reason2: undefined, promise: newDeferred<unknown>() };
}

/**
 * cancel1Algorithm / cancel2Algorithm: record the branch's reason; once both branches are canceled,
 * cancel the source with both reasons. Either branch's cancel() waits for the tee's cancelPromise.
 */
function teeCancelAlgorithm(stream: RStream, t: TeeCancellation, second: boolean): (reason: unknown) => Promise<unknown> {
  return (reason) => {
    if (second) {
      t.canceled2 = true;
      t.reason2 = reason;
    } else {
      t.canceled1 = true;
      t.reason1 = reason;
    }
    if (t.canceled1 && t.canceled2) adopt(t.promise, readableStreamCancel(stream, [t.reason1, t.reason2]));
    return t.promise.promise;
  };
}

/** The source closed or errored: "if canceled1 is false or canceled2 is false, resolve cancelPromise". */
function resolveTeeCancelUnlessBothCanceled(t: TeeCancellation): void {
  if (!t.canceled1 || !t.canceled2) t.promise.resolve(undefined);
}

export function readableStreamTee(stream: RStream, cloneForBranch2: boolean | CloneChunk): [RStream, RStream] {
  if (stream.controller.byte) return readableByteStreamTee(stream);
  return readableStreamDefaultTee(stream, cloneForBranch2);
}

function readableStreamDefaultTee(stream: RStream, cloneForBranch2: boolean | CloneChunk): [RStream, RStream] {
  const reader = acquireDefaultReader(stream);
  let reading = false;
  let readAgain = false;
  let branch1: RStream;
  let branch2: RStream;
  const t = newTeeCancellation();

  const pullAlgorithm = (): Promise<undefined> => {
    if (reading) {
      readAgain = true;
      return resolvedUndefined();
    }
    reading = true;
    readableStreamDefaultReaderRead(reader, {
      chunk: (chunk) => {
        enqueueMicrotask(() => {
          readAgain = false;
          const chunk1 = chunk;
          let chunk2 = chunk;
          if (!t.canceled2 && typeof cloneForBranch2 === 'function') {
            try {
              chunk2 = cloneForBranch2(chunk2);
            } catch (cloneError) {
              readableStreamDefaultControllerError(branch1.controller as DefaultController, cloneError);
              readableStreamDefaultControllerError(branch2.controller as DefaultController, cloneError);
              adopt(t.promise, readableStreamCancel(stream, cloneError));
              return;
            }
          }
          if (!t.canceled1) readableStreamDefaultControllerEnqueue(branch1.controller as DefaultController, chunk1);
          if (!t.canceled2) readableStreamDefaultControllerEnqueue(branch2.controller as DefaultController, chunk2);
          reading = false;
          if (readAgain) pullAlgorithm();
        });
      },
      close: () => {
        reading = false;
        if (!t.canceled1) readableStreamDefaultControllerClose(branch1.controller as DefaultController);
        if (!t.canceled2) readableStreamDefaultControllerClose(branch2.controller as DefaultController);
        resolveTeeCancelUnlessBothCanceled(t);
      },
      error: () => {
        reading = false;
      },
    });
    return resolvedUndefined();
  };

  const cancel1Algorithm = teeCancelAlgorithm(stream, t, false);
  const cancel2Algorithm = teeCancelAlgorithm(stream, t, true);
  const startAlgorithm = () => undefined;
  branch1 = createReadableStream(startAlgorithm, pullAlgorithm, cancel1Algorithm);
  branch2 = createReadableStream(startAlgorithm, pullAlgorithm, cancel2Algorithm);
  react(reader.closed.promise, undefined, (r) => {
    readableStreamDefaultControllerError(branch1.controller as DefaultController, r);
    readableStreamDefaultControllerError(branch2.controller as DefaultController, r);
    resolveTeeCancelUnlessBothCanceled(t);
  });
  return [branch1, branch2];
}

function readableByteStreamTee(stream: RStream): [RStream, RStream] {
  let reader: DefaultReader | BYOBReader = acquireDefaultReader(stream);
  let reading = false;
  let readAgainForBranch1 = false;
  let readAgainForBranch2 = false;
  let branch1: RStream;
  let branch2: RStream;
  const t = newTeeCancellation();
  const c1 = () => branch1.controller as ByteController;
  const c2 = () => branch2.controller as ByteController;

  const forwardReaderError = (thisReader: DefaultReader | BYOBReader) => {
    react(thisReader.closed.promise, undefined, (r) => {
      if (thisReader !== reader) return;
      byteControllerError(c1(), r);
      byteControllerError(c2(), r);
      resolveTeeCancelUnlessBothCanceled(t);
    });
  };

  const pullWithDefaultReader = () => {
    if (reader.byob) {
      readableStreamBYOBReaderRelease(reader);
      reader = acquireDefaultReader(stream);
      forwardReaderError(reader);
    }
    readableStreamDefaultReaderRead(reader, {
      chunk: (chunk) => {
        enqueueMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const chunk1 = chunk as ArrayBufferView;
          let chunk2: ArrayBufferView = chunk as ArrayBufferView;
          if (!t.canceled1 && !t.canceled2) {
            try {
              chunk2 = cloneAsUint8Array(viewInfo(chunk)!);
            } catch (cloneError) {
              byteControllerError(c1(), cloneError);
              byteControllerError(c2(), cloneError);
              adopt(t.promise, readableStreamCancel(stream, cloneError));
              return;
            }
          }
          if (!t.canceled1) byteControllerEnqueue(c1(), viewInfo(chunk1)!);
          if (!t.canceled2) byteControllerEnqueue(c2(), viewInfo(chunk2)!);
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      close: () => {
        reading = false;
        if (!t.canceled1) byteControllerClose(c1());
        if (!t.canceled2) byteControllerClose(c2());
        if (c1().pendingPullIntos.size > 0) byteControllerRespond(c1(), 0);
        if (c2().pendingPullIntos.size > 0) byteControllerRespond(c2(), 0);
        resolveTeeCancelUnlessBothCanceled(t);
      },
      error: () => {
        reading = false;
      },
    });
  };

  const pullWithBYOBReader = (view: ArrayBufferView, forBranch2: boolean) => {
    if (!reader.byob) {
      readableStreamDefaultReaderRelease(reader);
      reader = acquireBYOBReader(stream);
      forwardReaderError(reader);
    }
    const byobBranch = forBranch2 ? branch2 : branch1;
    const otherBranch = forBranch2 ? branch1 : branch2;
    readableStreamBYOBReaderRead(reader, view, 1, {
      chunk: (chunk) => {
        enqueueMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const byobCanceled = forBranch2 ? t.canceled2 : t.canceled1;
          const otherCanceled = forBranch2 ? t.canceled1 : t.canceled2;
          if (!otherCanceled) {
            let clonedChunk: Uint8Array;
            try {
              clonedChunk = cloneAsUint8Array(viewInfo(chunk)!);
            } catch (cloneError) {
              byteControllerError(byobBranch.controller as ByteController, cloneError);
              byteControllerError(otherBranch.controller as ByteController, cloneError);
              adopt(t.promise, readableStreamCancel(stream, cloneError));
              return;
            }
            if (!byobCanceled) byteControllerRespondWithNewView(byobBranch.controller as ByteController, viewInfo(chunk)!);
            byteControllerEnqueue(otherBranch.controller as ByteController, viewInfo(clonedChunk)!);
          } else if (!byobCanceled) {
            byteControllerRespondWithNewView(byobBranch.controller as ByteController, viewInfo(chunk)!);
          }
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      close: (chunk) => {
        reading = false;
        const byobCanceled = forBranch2 ? t.canceled2 : t.canceled1;
        const otherCanceled = forBranch2 ? t.canceled1 : t.canceled2;
        if (!byobCanceled) byteControllerClose(byobBranch.controller as ByteController);
        if (!otherCanceled) byteControllerClose(otherBranch.controller as ByteController);
        if (chunk !== undefined) {
          if (!byobCanceled) byteControllerRespondWithNewView(byobBranch.controller as ByteController, viewInfo(chunk)!);
          const other = otherBranch.controller as ByteController;
          if (!otherCanceled && other.pendingPullIntos.size > 0) byteControllerRespond(other, 0);
        }
        resolveTeeCancelUnlessBothCanceled(t);
      },
      error: () => {
        reading = false;
      },
    });
  };

  const pull1Algorithm = (): Promise<undefined> => {
    if (reading) {
      readAgainForBranch1 = true;
      return resolvedUndefined();
    }
    reading = true;
    const view = byteControllerBYOBRequestView(c1());
    if (view === null) pullWithDefaultReader();
    else pullWithBYOBReader(view, false);
    return resolvedUndefined();
  };
  const pull2Algorithm = (): Promise<undefined> => {
    if (reading) {
      readAgainForBranch2 = true;
      return resolvedUndefined();
    }
    reading = true;
    const view = byteControllerBYOBRequestView(c2());
    if (view === null) pullWithDefaultReader();
    else pullWithBYOBReader(view, true);
    return resolvedUndefined();
  };
  const cancel1Algorithm = teeCancelAlgorithm(stream, t, false);
  const cancel2Algorithm = teeCancelAlgorithm(stream, t, true);
  const startAlgorithm = () => undefined;
  branch1 = createReadableByteStream(startAlgorithm, pull1Algorithm, cancel1Algorithm);
  branch2 = createReadableByteStream(startAlgorithm, pull2Algorithm, cancel2Algorithm);
  forwardReaderError(reader);
  return [branch1, branch2];
}
