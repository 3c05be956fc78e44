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
import { adopt, cloneAsUint8Array, newDeferred, react, resolvedUndefined, viewInfo } from './util.ts';

/** Chunk cloning for branch 2 (StructuredClone of the chunk; only byte chunks need a copy here). */
export type CloneChunk = (chunk: unknown) => unknown;

export function readableStreamTee(stream: RStream, cloneForBranch2: boolean | CloneChunk): [RStream, RStream] {
  if (stream.controller.byte) return readableByteStreamTee(stream);
  return readableStreamDefaultTee(stream, cloneForBranch2);
}

function readableStreamDefaultTee(stream: RStream, cloneForBranch2: boolean | CloneChunk): [RStream, RStream] {
  const reader = acquireDefaultReader(stream);
  let reading = false;
  let readAgain = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1: unknown;
  let reason2: unknown;
  let branch1: RStream;
  let branch2: RStream;
  const cancelPromise = newDeferred<unknown>();

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
          if (!canceled2 && typeof cloneForBranch2 === 'function') {
            try {
              chunk2 = cloneForBranch2(chunk2);
            } catch (cloneError) {
              readableStreamDefaultControllerError(branch1.controller as DefaultController, cloneError);
              readableStreamDefaultControllerError(branch2.controller as DefaultController, cloneError);
              adopt(cancelPromise, readableStreamCancel(stream, cloneError));
              return;
            }
          }
          if (!canceled1) readableStreamDefaultControllerEnqueue(branch1.controller as DefaultController, chunk1);
          if (!canceled2) readableStreamDefaultControllerEnqueue(branch2.controller as DefaultController, chunk2);
          reading = false;
          if (readAgain) pullAlgorithm();
        });
      },
      close: () => {
        reading = false;
        if (!canceled1) readableStreamDefaultControllerClose(branch1.controller as DefaultController);
        if (!canceled2) readableStreamDefaultControllerClose(branch2.controller as DefaultController);
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
      },
      error: () => {
        reading = false;
      },
    });
    return resolvedUndefined();
  };

  const cancel1Algorithm = (reason: unknown): Promise<unknown> => {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) adopt(cancelPromise, readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  };
  const cancel2Algorithm = (reason: unknown): Promise<unknown> => {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) adopt(cancelPromise, readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  };
  const startAlgorithm = () => undefined;
  branch1 = createReadableStream(startAlgorithm, pullAlgorithm, cancel1Algorithm);
  branch2 = createReadableStream(startAlgorithm, pullAlgorithm, cancel2Algorithm);
  react(reader.closed.promise, undefined, (r) => {
    readableStreamDefaultControllerError(branch1.controller as DefaultController, r);
    readableStreamDefaultControllerError(branch2.controller as DefaultController, r);
    if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
  });
  return [branch1, branch2];
}

function readableByteStreamTee(stream: RStream): [RStream, RStream] {
  let reader: DefaultReader | BYOBReader = acquireDefaultReader(stream);
  let reading = false;
  let readAgainForBranch1 = false;
  let readAgainForBranch2 = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1: unknown;
  let reason2: unknown;
  let branch1: RStream;
  let branch2: RStream;
  const cancelPromise = newDeferred<unknown>();
  const c1 = () => branch1.controller as ByteController;
  const c2 = () => branch2.controller as ByteController;

  const forwardReaderError = (thisReader: DefaultReader | BYOBReader) => {
    react(thisReader.closed.promise, undefined, (r) => {
      if (thisReader !== reader) return;
      byteControllerError(c1(), r);
      byteControllerError(c2(), r);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
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
          if (!canceled1 && !canceled2) {
            try {
              chunk2 = cloneAsUint8Array(viewInfo(chunk)!);
            } catch (cloneError) {
              byteControllerError(c1(), cloneError);
              byteControllerError(c2(), cloneError);
              adopt(cancelPromise, readableStreamCancel(stream, cloneError));
              return;
            }
          }
          if (!canceled1) byteControllerEnqueue(c1(), viewInfo(chunk1)!);
          if (!canceled2) byteControllerEnqueue(c2(), viewInfo(chunk2)!);
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      close: () => {
        reading = false;
        if (!canceled1) byteControllerClose(c1());
        if (!canceled2) byteControllerClose(c2());
        if (c1().pendingPullIntos.size > 0) byteControllerRespond(c1(), 0);
        if (c2().pendingPullIntos.size > 0) byteControllerRespond(c2(), 0);
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
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
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!otherCanceled) {
            let clonedChunk: Uint8Array;
            try {
              clonedChunk = cloneAsUint8Array(viewInfo(chunk)!);
            } catch (cloneError) {
              byteControllerError(byobBranch.controller as ByteController, cloneError);
              byteControllerError(otherBranch.controller as ByteController, cloneError);
              adopt(cancelPromise, readableStreamCancel(stream, cloneError));
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
        const byobCanceled = forBranch2 ? canceled2 : canceled1;
        const otherCanceled = forBranch2 ? canceled1 : canceled2;
        if (!byobCanceled) byteControllerClose(byobBranch.controller as ByteController);
        if (!otherCanceled) byteControllerClose(otherBranch.controller as ByteController);
        if (chunk !== undefined) {
          if (!byobCanceled) byteControllerRespondWithNewView(byobBranch.controller as ByteController, viewInfo(chunk)!);
          const other = otherBranch.controller as ByteController;
          if (!otherCanceled && other.pendingPullIntos.size > 0) byteControllerRespond(other, 0);
        }
        if (!byobCanceled || !otherCanceled) cancelPromise.resolve(undefined);
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
  const cancel1Algorithm = (reason: unknown): Promise<unknown> => {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) adopt(cancelPromise, readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  };
  const cancel2Algorithm = (reason: unknown): Promise<unknown> => {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) adopt(cancelPromise, readableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  };
  const startAlgorithm = () => undefined;
  branch1 = createReadableByteStream(startAlgorithm, pull1Algorithm, cancel1Algorithm);
  branch2 = createReadableByteStream(startAlgorithm, pull2Algorithm, cancel2Algorithm);
  forwardReaderError(reader);
  return [branch1, branch2];
}
