// ReadableStreamPipeTo (https://streams.spec.whatwg.org/#readable-stream-pipe-to).
import { TypeError } from '../intrinsics.ts';
import { addAbortAlgorithm, signalAborted, signalReason } from './abort.ts';
import {
  acquireDefaultReader, readableStreamCancel, readableStreamDefaultReaderRead, readableStreamDefaultReaderRelease,
  type RStream,
} from './readable.ts';
import { newDeferred, react, resolvedUndefined, resolvedWith, setHandled, transform, waitForAll } from './util.ts';
import {
  acquireWritableStreamDefaultWriter, writableStreamAbort, writableStreamCloseQueuedOrInFlight,
  writableStreamDefaultWriterCloseWithErrorPropagation, writableStreamDefaultWriterRelease,
  writableStreamDefaultWriterWrite, type WStream,
} from './writable.ts';

export function readableStreamPipeTo(
  source: RStream, dest: WStream, preventClose: boolean, preventAbort: boolean, preventCancel: boolean,
  signal: object | undefined,
): Promise<undefined> {
  const reader = acquireDefaultReader(source);
  const writer = acquireWritableStreamDefaultWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  let currentWrite: Promise<unknown> = resolvedUndefined();
  const promise = newDeferred<undefined>();
  let removeAbortAlgorithm: (() => void) | undefined;

  const finalize = (isError: boolean, error?: unknown) => {
    writableStreamDefaultWriterRelease(writer);
    readableStreamDefaultReaderRelease(reader);
    if (removeAbortAlgorithm !== undefined) removeAbortAlgorithm();
    if (isError) promise.reject(error);
    else promise.resolve(undefined);
  };

  const waitForWritesToFinish = (): Promise<unknown> => {
    const oldCurrentWrite = currentWrite;
    return transform(currentWrite, () => (oldCurrentWrite !== currentWrite ? waitForWritesToFinish() : undefined));
  };

  const shutdownWithAnAction = (action: () => Promise<unknown>, originalIsError: boolean, originalError?: unknown) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const doTheRest = () => {
      let p: Promise<unknown>;
      try {
        p = action();
      } catch (e) {
        finalize(true, e);
        return;
      }
      react(p, () => finalize(originalIsError, originalError), (newError) => finalize(true, newError));
    };
    if (dest.state === 'writable' && !writableStreamCloseQueuedOrInFlight(dest)) react(waitForWritesToFinish(), doTheRest);
    else doTheRest();
  };

  const shutdown = (isError: boolean, error?: unknown) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (dest.state === 'writable' && !writableStreamCloseQueuedOrInFlight(dest)) {
      react(waitForWritesToFinish(), () => finalize(isError, error));
    } else {
      finalize(isError, error);
    }
  };

  if (signal !== undefined) {
    const abortAlgorithm = () => {
      const error = signalReason(signal);
      const actions: (() => Promise<unknown>)[] = [];
      let n = 0;
      if (!preventAbort) {
        actions[n++] = () => (dest.state === 'writable' ? writableStreamAbort(dest, error) : resolvedUndefined());
      }
      if (!preventCancel) {
        actions[n++] = () => (source.state === 'readable' ? readableStreamCancel(source, error) : resolvedUndefined());
      }
      shutdownWithAnAction(() => {
        const promises: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) promises[i] = actions[i]!();
        return waitForAll(promises, n);
      }, true, error);
    };
    if (signalAborted(signal)) {
      abortAlgorithm();
      return promise.promise;
    }
    removeAbortAlgorithm = addAbortAlgorithm(signal, abortAlgorithm);
  }

  // The loop: wait for the writer to be ready, read one chunk, write it (without waiting).
  const pipeStep = (): Promise<boolean> => {
    if (shuttingDown) return resolvedWith(true);
    return transform(writer.ready.promise, () => {
      const read = newDeferred<boolean>();
      readableStreamDefaultReaderRead(reader, {
        chunk: (chunk) => {
          currentWrite = transform(writableStreamDefaultWriterWrite(writer, chunk), undefined, () => {});
          read.resolve(false);
        },
        close: () => read.resolve(true),
        error: (e) => read.reject(e),
      });
      return read.promise;
    });
  };
  const pipeLoop = (): Promise<undefined> => {
    const loop = newDeferred<undefined>();
    const next = (done: boolean): void => {
      if (done) loop.resolve(undefined);
      else react(pipeStep(), next, (e) => loop.reject(e));
    };
    next(false);
    return loop.promise;
  };

  // Errors must be propagated forward.
  if (source.state === 'errored') {
    sourceErrored(source.storedError);
  } else {
    react(reader.closed.promise, undefined, sourceErrored);
  }
  function sourceErrored(storedError: unknown): void {
    if (!preventAbort) shutdownWithAnAction(() => writableStreamAbort(dest, storedError), true, storedError);
    else shutdown(true, storedError);
  }

  // Errors must be propagated backward.
  if (dest.state === 'errored') {
    destErrored(dest.storedError);
  } else {
    react(writer.closed.promise, undefined, destErrored);
  }
  function destErrored(storedError: unknown): void {
    if (!preventCancel) shutdownWithAnAction(() => readableStreamCancel(source, storedError), true, storedError);
    else shutdown(true, storedError);
  }

  // Closing must be propagated forward.
  if (source.state === 'closed') {
    sourceClosed();
  } else {
    react(reader.closed.promise, sourceClosed);
  }
  function sourceClosed(): void {
    if (!preventClose) shutdownWithAnAction(() => writableStreamDefaultWriterCloseWithErrorPropagation(writer), false);
    else shutdown(false);
  }

  // Closing must be propagated backward.
  if (writableStreamCloseQueuedOrInFlight(dest) || dest.state === 'closed') {
    const destClosed = new TypeError('The destination writable stream closed before all data could be piped to it.');
    if (!preventCancel) shutdownWithAnAction(() => readableStreamCancel(source, destClosed), true, destClosed);
    else shutdown(true, destClosed);
  }

  setHandled(pipeLoop());
  return promise.promise;
}
