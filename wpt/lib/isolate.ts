// The one place the WPT runner gets an Isle isolate.
//
// Each test file runs in a fresh isolate booted from the real prelude snapshot with the real host
// ops, as a tenant request does. Today this is test/support/isolate.ts's createTestSession (the
// request engine, runtime/host/engine.ts, does not exist yet); when the engine exposes a way to run
// a bundle in a request isolate, switch here and nowhere else.
import type { Context } from '../../runtime/host/ivm.ts';
import type { LogRecord } from '../../runtime/host/log.ts';
import { createTestSession } from '../../test/support/isolate.ts';

export interface WptIsolate {
  readonly context: Context;
  /** True once the isolate is gone (disposed by us, or by V8 after hitting its memory limit). */
  readonly disposed: boolean;
  dispose(): void;
}

export interface WptIsolateOptions {
  memoryMb: number;
  /** Receives the isolate's log records (tenant console output, runtime messages). */
  logs: LogRecord[];
}

export async function createWptIsolate(options: WptIsolateOptions): Promise<WptIsolate> {
  const session = await createTestSession({ memoryMb: options.memoryMb }, options.logs);
  return {
    get context() {
      return session.context;
    },
    get disposed() {
      return session.disposed;
    },
    dispose() {
      session.dispose('wpt run finished');
    },
  };
}
