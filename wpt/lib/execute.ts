// Runs one WPT job (a file, or one variant of it) in a fresh Isle isolate, in this process.
//
// Sequence: boot the harness (wpt/harness/testharness.js) with a private report callback, evaluate
// the META scripts and the test file, tell the harness the file finished loading, then wait for its
// 'complete' report or the file's wall budget. On the budget: ask the harness to time out (running
// tests TIMEOUT, queued ones NOTRUN); if the isolate does not answer (a busy loop), it is disposed
// and the results reported so far are kept. An isolate that dies (memory limit) is a CRASH.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ivm, type Reference } from '../../runtime/host/ivm.ts';
import type { LogRecord } from '../../runtime/host/log.ts';
import { createWptIsolate, type WptIsolate } from './isolate.ts';
import { resolveScript, scopeFor } from './meta.ts';
import type { Job } from './discover.ts';
import type { FileResult, HarnessStatus, RunOptions, SubtestResult, SubtestStatus } from './types.ts';

const HARNESS_PATH = fileURLToPath(new URL('../harness/testharness.js', import.meta.url));
export const HARNESS_FILENAME = 'wpt:testharness.js';
/** The origin test files see in `location` (WPT's default host and port). */
export const WPT_ORIGIN = 'http://web-platform.test:8000';
const MESSAGE_LIMIT = 2000;
const LOG_LINES = 20;

/** Scripts the harness provides itself, so a checkout does not need them. */
const BUILTIN_SCRIPTS = new Set([
  'resources/testharness.js', 'resources/testharnessreport.js', 'common/subset-tests.js', 'common/subset-tests-by-key.js',
]);


let harnessSource: string | undefined;
function loadHarness(): string {
  harnessSource ??= readFileSync(HARNESS_PATH, 'utf8');
  return harnessSource;
}

function clip(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return s.length > MESSAGE_LIMIT ? s.slice(0, MESSAGE_LIMIT - 1) + '…' : s;
}

interface Reported {
  name: string;
  status: SubtestStatus;
  message: string | null;
}

function isTimeoutError(e: unknown): boolean {
  return e instanceof Error && /Script execution timed out/i.test(e.message);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const name = e.name && e.name !== 'Error' ? e.name : '';
    return name && !e.message.startsWith(name) ? `${name}: ${e.message}` : e.message || String(e);
  }
  return String(e);
}

/** Reads a root-relative file of the checkout, or undefined. */
function readResource(wptDir: string, path: string): Buffer | undefined {
  const clean = path.replace(/^\/+/, '');
  if (clean.split('/').includes('..')) return undefined;
  try {
    return readFileSync(join(wptDir, clean));
  } catch {
    return undefined;
  }
}

export async function executeJob(job: Job, options: RunOptions): Promise<FileResult> {
  const started = performance.now();
  const budget = job.meta.timeout === 'long' ? options.longTimeoutMs : options.timeoutMs;
  const logs: LogRecord[] = [];
  const starts: string[] = [];
  const finished = new Map<number, Reported>();
  let completeReport: { status: string | null; message: string | null; tests: Reported[] } | null = null;
  let onComplete: () => void = () => {};
  const completed = new Promise<void>((resolve) => (onComplete = resolve));
  let loadError: string | null = null;

  const result = (status: HarnessStatus, message: string | null): FileResult => {
    let subtests: SubtestResult[];
    if (completeReport) {
      subtests = completeReport.tests.map((t) => ({ name: t.name, status: t.status, message: clip(t.message) }));
    } else {
      // No final report: what was reported, and the rest as the file's outcome implies.
      const missing: SubtestStatus = status === 'TIMEOUT' ? 'TIMEOUT' : 'NOTRUN';
      subtests = starts.map((name, i) => {
        const r = finished.get(i);
        return r ? { name: r.name, status: r.status, message: clip(r.message) } : { name, status: missing, message: null };
      });
    }
    const out: FileResult = {
      id: job.id,
      path: job.path,
      variant: job.variant,
      harness: { status, message: clip(message) },
      subtests: dedupeNames(subtests),
      durationMs: Math.round(performance.now() - started),
    };
    if (status !== 'OK' && logs.length > 0) {
      out.logs = logs.slice(-LOG_LINES).map((r) => `[${r.kind} ${r.level}] ${r.message}`.slice(0, 500));
    }
    return out;
  };

  const report = new ivm.Callback((kind: string, payload: string) => {
    switch (kind) {
      case 'start': {
        const p = JSON.parse(payload) as { name: string; index: number };
        starts[p.index] = p.name;
        return undefined;
      }
      case 'result': {
        const p = JSON.parse(payload) as Reported;
        const index = starts.lastIndexOf(p.name);
        // Results arrive once per test, in any order; map them to the first unfinished test of that name.
        let target = -1;
        for (let i = 0; i < starts.length; i++) {
          if (starts[i] === p.name && !finished.has(i)) {
            target = i;
            break;
          }
        }
        finished.set(target === -1 ? index : target, p);
        return undefined;
      }
      case 'complete':
        completeReport = JSON.parse(payload);
        onComplete();
        return undefined;
      case 'resource': {
        const data = readResource(options.wptDir, payload);
        if (!data) return { status: 404 };
        const body = new ArrayBuffer(data.byteLength);
        new Uint8Array(body).set(data);
        return { status: 200, body: new ivm.ExternalCopy(body).copyInto() };
      }
      default:
        return undefined;
    }
  });

  let isolate: WptIsolate | undefined;
  let control: Reference<(kind: string, ...args: unknown[]) => unknown> | undefined;
  try {
    isolate = await createWptIsolate({ memoryMb: options.memoryMb, logs });
  } catch (e) {
    return result('CRASH', `isolate creation failed: ${describe(e)}`);
  }
  const deadline = performance.now() + budget;
  const remaining = () => Math.max(1, Math.floor(deadline - performance.now()));
  const harnessStatus = (): HarnessStatus => {
    const s = completeReport?.status;
    return s === 'OK' || s === 'ERROR' || s === 'TIMEOUT' || s === 'PRECONDITION_FAILED' ? s : 'ERROR';
  };
  // Every wait on the isolate races the file's deadline: a call queued behind a busy loop never
  // settles, and a pending isolate call does not even keep Node's event loop alive.
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadlineHit = new Promise<never>((_, reject) => {
    deadlineTimer = setTimeout(() => reject(new DeadlineExceeded()), budget);
  });
  deadlineHit.catch(() => {});
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, deadlineHit]);

  let timedOut = false;
  try {
    const ctx = isolate.context;
    const boot = (await guard(ctx.eval(loadHarness(), { filename: HARNESS_FILENAME, reference: true, timeout: 5000 }))) as Reference<
      (...args: unknown[]) => unknown
    >;
    const config = {
      href: `${WPT_ORIGIN}/${job.path}${job.variant}`,
      scope: scopeFor(job.meta.globals),
      defaultName: job.meta.title ?? basename(job.path).split('.')[0],
      staticFetch: true,
      marker: `__wpt_script_end_${randomBytes(6).toString('hex')}`,
    };
    control = (await guard(boot.apply(undefined, [report, new ivm.ExternalCopy(config).copyInto()], {
      result: { reference: true },
      timeout: 5000,
    }))) as Reference<(kind: string, ...args: unknown[]) => unknown>;
    boot.release();

    // META scripts, then the file itself; a failure stops loading as a worker's importScripts would.
    const sources: { path: string; code: string }[] = [];
    for (const script of job.meta.scripts) {
      const path = resolveScript(job.path, script);
      if (path === null) {
        loadError = `META script=${script} escapes the WPT root`;
        break;
      }
      if (BUILTIN_SCRIPTS.has(path)) continue;
      const data = readResource(options.wptDir, path);
      if (!data) {
        loadError = `META script=${script}: /${path} not found in ${options.wptDir}`;
        break;
      }
      sources.push({ path, code: data.toString('utf8') });
    }
    if (loadError === null) {
      const own = readResource(options.wptDir, job.path);
      if (!own) loadError = `test file /${job.path} not found`;
      else sources.push({ path: job.path, code: own.toString('utf8') });
    }
    const ctl = control;
    const iso = isolate;
    // A control call fails only when a promise rejected unhandled during it: forward that.
    const callControl = async (...args: [string, ...unknown[]]): Promise<unknown> => {
      try {
        return await guard(ctl.apply(undefined, args as never, { timeout: remaining() }));
      } catch (e) {
        if (e instanceof DeadlineExceeded || iso.disposed || isTimeoutError(e)) throw e;
        iso.forwardRejection(e);
        return undefined;
      }
    };
    if (loadError === null) {
      for (let i = 0; i < sources.length; i++) {
        const s = sources[i]!;
        try {
          await guard(ctx.eval(`${s.code}\n;${config.marker}();`, { filename: `${WPT_ORIGIN}/${s.path}`, timeout: remaining() }));
        } catch (e) {
          if (e instanceof DeadlineExceeded || isolate.disposed || isTimeoutError(e)) throw e;
          const completed = (await callControl('scripts')) as number | undefined;
          if (completed !== undefined && completed > i) {
            // The script ran to its end: the failure is an unhandled rejection of that task.
            isolate.forwardRejection(e);
            continue;
          }
          loadError = describe(e);
          break;
        }
      }
    }
    if (loadError !== null) await callControl('error', loadError);
    await callControl('loaded');
    await guard(completed);
    return result(harnessStatus(), completeReport!.message);
  } catch (e) {
    if (isolate.disposed) return result('CRASH', `isolate died: ${describe(e)}`);
    if (!(e instanceof DeadlineExceeded) && !isTimeoutError(e)) return result('CRASH', `runner error: ${describe(e)}`);
    timedOut = true;
  } finally {
    clearTimeout(deadlineTimer);
    if (!timedOut) {
      try {
        control?.release();
      } catch {}
      isolate.dispose();
    }
  }

  // Out of time: let the harness mark running tests TIMEOUT and the rest NOTRUN. A busy isolate
  // never takes the call, so it is bounded from this side too; then the isolate goes.
  try {
    if (control && !completeReport) {
      await withTimeout(control.apply(undefined, ['timeout'], { timeout: 1000 }).catch(() => {}), 1500);
      await withTimeout(completed, 1000);
    }
  } catch {
    // Stuck (busy loop) or dead: keep what it reported.
  } finally {
    isolate.dispose();
  }
  if (completeReport) return result(harnessStatus(), (completeReport as { message: string | null }).message);
  return result('TIMEOUT', `file did not finish within ${budget} ms`);
}

class DeadlineExceeded extends Error {
  constructor() {
    super('file deadline');
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer from the isolate')), ms))),
  ]);
}

/** Keeps every subtest visible when a file reuses a name: later ones get a ` [#n]` suffix. */
export function dedupeNames(subtests: SubtestResult[]): SubtestResult[] {
  const seen = new Map<string, number>();
  return subtests.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return n === 1 ? s : { ...s, name: `${s.name} [#${n}]` };
  });
}
