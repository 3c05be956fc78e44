import { describe, expect, it } from 'vitest';
import { evalInIsolateWithLogs } from '../support/isolate.ts';

const errors = (logs: { kind: string; level: string; message: string }[]) =>
  logs.filter((l) => l.kind === 'tenant' && l.level === 'error').map((l) => l.message);

describe('error reporting', () => {
  it('a throw in a setTimeout callback fires error at the global and is logged', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const seen = [];
      addEventListener('error', (e) => seen.push([e.constructor.name, e.isTrusted, e.cancelable, e.error.message, e.message, e.lineno > 0, e.colno > 0]));
      await new Promise((resolve) => { setTimeout(() => { setTimeout(resolve, 1); throw new RangeError('from timer'); }, 0); });
      return seen;
    `);
    expect(result).toEqual([['ErrorEvent', true, true, 'from timer', 'Uncaught RangeError: from timer', true, true]]);
    const e = errors(logs);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^Uncaught RangeError: from timer\n\s+at /);
    expect(e[0]).not.toContain('isle:prelude');
  });

  it('preventDefault() (or onerror returning true) suppresses the log', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      addEventListener('error', (e) => { if (e.error === 1) e.preventDefault(); });
      onerror = (msg, file, line, col, err) => err === 2;
      reportError(1);
      reportError(2);
      reportError(3);
      return 'done';
    `);
    expect(result).toBe('done');
    expect(errors(logs)).toEqual(['Uncaught 3']);
  });

  it('reportError validates its argument and reports primitives, errors and DOMExceptions', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const seen = [];
      addEventListener('error', (e) => seen.push([e.message, e.filename, e.lineno > 0]));
      let threw; try { reportError(); } catch (e) { threw = e.constructor.name; }
      reportError(undefined);
      reportError(new DOMException('nope', 'NotFoundError'));
      reportError({ get name() { throw 1; }, get message() { throw 2; } });
      return { threw, seen };
    `);
    expect(result).toEqual({
      threw: 'TypeError',
      seen: [['Uncaught undefined', 'test.js', true], ['Uncaught NotFoundError: nope', 'test.js', true], ['Uncaught [object Object]', 'test.js', true]],
    });
    expect(errors(logs)).toEqual(['Uncaught undefined', expect.stringMatching(/^Uncaught NotFoundError: nope/), 'Uncaught [object Object]']);
  });

  it('queueMicrotask and event listener exceptions are reported; an error thrown by an error listener is only logged', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const seen = [];
      addEventListener('error', (e) => { seen.push(e.error.message); if (e.error.message === 'micro') throw new Error('inside error listener'); });
      queueMicrotask(() => { throw new Error('micro'); });
      await null;
      const t = new EventTarget();
      t.addEventListener('x', () => { throw new Error('listener'); });
      t.dispatchEvent(new Event('x'));
      return seen;
    `);
    expect(result).toEqual(['micro', 'listener']);
    const e = errors(logs);
    expect(e.some((m) => m.startsWith('Uncaught Error: inside error listener'))).toBe(true);
    expect(e.some((m) => m.startsWith('Uncaught Error: micro'))).toBe(true);
    expect(e.some((m) => m.startsWith('Uncaught Error: listener'))).toBe(true);
  });
});

describe('unhandled rejections', () => {
  it('fire a cancelable unhandledrejection at the global, logged unless canceled', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const seen = [];
      addEventListener('unhandledrejection', (e) => {
        seen.push([e.constructor.name, e.isTrusted, e.cancelable, e.reason instanceof TypeError, e.reason.message, e.promise instanceof Promise]);
        if (e.reason.message === 'quiet') e.preventDefault();
      });
      setTimeout(() => { Promise.reject(new TypeError('loud')); }, 0);
      setTimeout(() => { Promise.reject(new TypeError('quiet')); }, 2);
      await new Promise((r) => setTimeout(r, 30));
      return seen;
    `);
    expect(result).toEqual([
      ['PromiseRejectionEvent', true, true, true, 'loud', true],
      ['PromiseRejectionEvent', true, true, true, 'quiet', true],
    ]);
    const e = errors(logs);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^Uncaught \(in promise\) TypeError: loud\n\s+at /);
  });

  it('rejections handled within the same task are not reported; primitives keep their value', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const seen = [];
      onunhandledrejection = (e) => { seen.push(e.reason); };
      setTimeout(() => {
        const p = Promise.reject(new Error('handled later in the task'));
        queueMicrotask(() => p.catch(() => {}));
      }, 0);
      setTimeout(() => { Promise.reject(42); }, 1);
      setTimeout(async () => { throw 'async callback'; }, 2);
      setTimeout(() => { Promise.reject(new DOMException('stopped', 'AbortError')); }, 3);
      // Reports arrive after their tasks end; wait for all three (bounded) rather than a fixed time.
      for (let i = 0; i < 300 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      const d = seen[2];
      seen[2] = [d instanceof DOMException, d.name, d.message, d.code];
      return seen;
    `);
    expect(result).toEqual([42, 'async callback', [true, 'AbortError', 'stopped', 20]]);
    expect(errors(logs).map((m) => m.split('\n')[0])).toEqual(['Uncaught (in promise) 42', 'Uncaught (in promise) async callback', 'Uncaught (in promise) AbortError: stopped']);
  });
});
