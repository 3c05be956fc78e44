// The one place the WPT runner gets an Isle isolate.
//
// Each test file runs in a fresh isolate made the way the request engine makes a request isolate
// (runtime/host/engine.ts, WorkerEngine#newSession): the shared prelude snapshot, the real host ops,
// the production boot config (dev: false, empty env). WPT `.any.js` files are classic scripts that
// must run in the global scope, so they are evaluated in the session's context rather than bundled
// behind a `fetch` handler. If the engine grows a public "new request session" entry point, switch
// to it here and nowhere else.
import { randomUUID } from 'node:crypto';
import type { Context } from '../../runtime/host/ivm.ts';
import { createLogger, type LogRecord } from '../../runtime/host/log.ts';
import { forwardTaskRejection } from '../../runtime/host/ops/events.ts';
import { sharedPrelude } from '../../runtime/host/prelude.ts';
import { IsolateSession } from '../../runtime/host/session.ts';

export interface WptIsolate {
  readonly context: Context;
  /** True once the isolate is gone (disposed by us, or by V8 after hitting its memory limit). */
  readonly disposed: boolean;
  /**
   * A host → isolate call failed although the isolate code cannot throw: isolated-vm reporting a
   * promise rejected and unhandled during that task. Fires `unhandledrejection` in the isolate, as
   * the engine does for its own calls.
   */
  forwardRejection(e: unknown): void;
  dispose(): void;
}

export interface WptIsolateOptions {
  memoryMb: number;
  /** Receives the isolate's log records (tenant console output, runtime messages). */
  logs: LogRecord[];
}

export async function createWptIsolate(options: WptIsolateOptions): Promise<WptIsolate> {
  const { snapshot } = await sharedPrelude();
  const id = `wpt-${randomUUID().slice(0, 8)}`;
  const session = await IsolateSession.create({
    snapshot,
    memoryMb: options.memoryMb,
    id,
    log: createLogger((r) => options.logs.push(r), { requestId: id }),
    config: { subrequestLimit: 50, allowEgress: [] },
    boot: { env: {}, dev: false },
  });
  return {
    get context() {
      return session.context;
    },
    get disposed() {
      return session.disposed;
    },
    forwardRejection(e) {
      forwardTaskRejection(session, e);
    },
    dispose() {
      session.dispose('wpt file finished');
    },
  };
}
