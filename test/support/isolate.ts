// Runs code inside a real Isle isolate (real prelude, real snapshot, real host ops) for API tests.
import { randomUUID } from 'node:crypto';
import { sharedPrelude } from '../../runtime/host/prelude.ts';
import { IsolateSession } from '../../runtime/host/session.ts';
import { createLogger, type LogRecord } from '../../runtime/host/log.ts';

export interface IsolateRun<T> {
  result: T;
  logs: LogRecord[];
}

export interface EvalOptions {
  env?: Record<string, unknown>;
  memoryMb?: number;
  timeoutMs?: number;
  allowEgress?: string[];
}

/** Creates a fresh booted session; the caller disposes it. */
export async function createTestSession(options: EvalOptions = {}, logs: LogRecord[] = []): Promise<IsolateSession> {
  const { snapshot } = await sharedPrelude();
  const id = randomUUID().slice(0, 8);
  return IsolateSession.create({
    snapshot,
    memoryMb: options.memoryMb ?? 128,
    id,
    log: createLogger((r) => logs.push(r), { requestId: id }),
    config: { subrequestLimit: 50, allowEgress: options.allowEgress ?? [] },
    boot: { env: options.env ?? {}, dev: true },
  });
}

/**
 * Evaluates `body` as the body of an async function in a fresh isolate and returns its result
 * (copied out, so return plain data: strings, numbers, arrays, plain objects).
 */
export async function evalInIsolateWithLogs<T = unknown>(body: string, options: EvalOptions = {}): Promise<IsolateRun<T>> {
  const logs: LogRecord[] = [];
  const session = await createTestSession(options, logs);
  try {
    const result = (await session.context.eval(`(async () => {\n${body}\n})()`, {
      promise: true,
      copy: true,
      timeout: options.timeoutMs ?? 10_000,
      filename: 'test.js',
    })) as T;
    return { result, logs };
  } finally {
    session.dispose();
  }
}

export async function evalInIsolate<T = unknown>(body: string, options: EvalOptions = {}): Promise<T> {
  return (await evalInIsolateWithLogs<T>(body, options)).result;
}
