import { describe, expect, it } from 'vitest';
import { evalInIsolate, evalInIsolateWithLogs } from '../support/isolate.ts';

describe('timers', () => {
  it('ids are positive integers shared by setTimeout and setInterval; args and this are passed', async () => {
    const r = await evalInIsolate<any>(`
      const ids = [setTimeout(() => {}), setInterval(() => {}, 10), setTimeout(() => {}, 5)];
      clearInterval(ids[1]);
      const got = await new Promise((resolve) => setTimeout(function (a, b) { resolve([a, b, this === globalThis, arguments.length]); }, 1, 'x', 2));
      return { ids, increasing: ids[0] > 0 && ids[1] > ids[0] && ids[2] > ids[1], got,
        lengths: [setTimeout.length, setInterval.length, clearTimeout.length, clearInterval.length],
        enumerable: Object.getOwnPropertyDescriptor(globalThis, 'setTimeout').enumerable };
    `);
    expect(r.increasing).toBe(true);
    expect(r.got).toEqual(['x', 2, true, 2]);
    expect(r.lengths).toEqual([1, 1, 0, 0]);
    expect(r.enumerable).toBe(true);
  });

  it('fire in order of due time then start order, each as its own task', async () => {
    const r = await evalInIsolate<any>(`
      const log = [];
      setTimeout(() => log.push('20'), 20);
      setTimeout(() => { log.push('0a'); queueMicrotask(() => log.push('micro after 0a')); }, 0);
      setTimeout(() => log.push('0b'), 0);
      setTimeout(() => log.push('neg'), -5);
      setTimeout(() => log.push('nan'), NaN);
      setTimeout(() => log.push('10'), 10);
      setTimeout(() => log.push('2^32 is 0'), 2 ** 32);
      setTimeout(() => log.push('str "3"'), '3');
      await new Promise((r) => setTimeout(r, 40));
      return log;
    `);
    expect(r).toEqual(['0a', 'micro after 0a', '0b', 'neg', 'nan', '2^32 is 0', 'str "3"', '10', '20']);
  });

  it('clearTimeout/clearInterval cancel either kind, also from inside callbacks', async () => {
    const r = await evalInIsolate<any>(`
      let fired = [];
      const a = setTimeout(() => fired.push('a'), 0); clearInterval(a);
      const b = setInterval(() => fired.push('b'), 0); clearTimeout(b);
      clearTimeout(); clearTimeout(null); clearTimeout('nope'); clearTimeout(123456);
      let n = 0;
      const c = setInterval(() => { n++; if (n === 3) clearInterval(c); }, 1);
      let selfClear = 0;
      const d = setTimeout(() => { selfClear++; clearTimeout(d); }, 0);
      const e = setTimeout(() => fired.push('e'), 5);
      setTimeout(() => clearTimeout(e), 1);
      await new Promise((r) => setTimeout(r, 30));
      return { fired, n, selfClear };
    `);
    expect(r).toEqual({ fired: [], n: 3, selfClear: 1 });
  });

  it('clamps nested timeouts to 4 ms after five levels', async () => {
    const r = await evalInIsolate<any>(`
      const times = [];
      let last = Date.now();
      await new Promise((resolve) => {
        let level = 0;
        function tick() {
          const now = Date.now(); times.push(now - last); last = now;
          if (++level < 12) setTimeout(tick, 0); else resolve();
        }
        setTimeout(tick, 0);
      });
      // The clamped levels must each take at least 4 ms; in total well above 6 * 4 ms.
      const clamped = times.slice(6);
      return { count: times.length, clampedMin: Math.min(...clamped), clampedSum: clamped.reduce((a, b) => a + b, 0) };
    `);
    expect(r.count).toBe(12);
    expect(r.clampedMin).toBeGreaterThanOrEqual(3);
    expect(r.clampedSum).toBeGreaterThanOrEqual(6 * 4 - 2);
  });

  it('setInterval repeats with its arguments until cleared', async () => {
    const r = await evalInIsolate<any>(`
      const seen = [];
      await new Promise((resolve) => {
        const id = setInterval((x) => { seen.push(x); if (seen.length === 4) { clearInterval(id); resolve(); } }, 2, 'tick');
      });
      await new Promise((r) => setTimeout(r, 10));
      return seen;
    `);
    expect(r).toEqual(['tick', 'tick', 'tick', 'tick']);
  });

  it('rejects string handlers and non-callables with a TypeError; converts timeouts as WebIDL long', async () => {
    const r = await evalInIsolate<any>(`
      const err = (f) => { try { f(); return 'none'; } catch (e) { return [e.constructor.name, /code strings/.test(e.message)]; } };
      let valueOfCalled = false;
      const id = setTimeout(() => {}, { valueOf() { valueOfCalled = true; return 1; } });
      clearTimeout(id);
      return [err(() => setTimeout('1 + 1')), err(() => setInterval({ handleEvent() {} })), err(() => setTimeout()),
        err(() => setTimeout(() => {}, Symbol())), err(() => setTimeout(() => {}, 1n)), valueOfCalled];
    `);
    expect(r).toEqual([['TypeError', true], ['TypeError', true], ['TypeError', true], ['TypeError', false], ['TypeError', false], true]);
  });

  it('a timer keeps running after others throw; exceptions are reported', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const log = [];
      setTimeout(() => { throw new Error('t1'); }, 0);
      setTimeout(() => log.push('t2 ran'), 0);
      await new Promise((r) => setTimeout(r, 5));
      return log;
    `);
    expect(result).toEqual(['t2 ran']);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message.split('\n')[0])).toEqual(['Uncaught Error: t1']);
  });

  it('many timers are cheap and all fire', async () => {
    const r = await evalInIsolate<any>(`
      let n = 0;
      const ids = [];
      for (let i = 0; i < 2000; i++) ids.push(setTimeout(() => n++, i % 7));
      for (let i = 0; i < 2000; i += 2) clearTimeout(ids[i]);
      await new Promise((r) => setTimeout(r, 30));
      return n;
    `);
    expect(r).toBe(1000);
  });
});

describe('queueMicrotask', () => {
  it('runs callbacks as microtasks, in order with promise jobs, without arguments', async () => {
    const r = await evalInIsolate<any>(`
      const log = [];
      Promise.resolve().then(() => log.push('a'));
      queueMicrotask(function () { log.push('b:' + arguments.length); });
      Promise.reject().catch(() => log.push('c'));
      log.push('sync');
      await new Promise((r) => setTimeout(r, 0));
      const errs = [];
      for (const bad of [undefined, null, 0, 'x', {}]) { try { queueMicrotask(bad); } catch (e) { errs.push(e.constructor.name); } }
      try { queueMicrotask(); } catch (e) { errs.push(e.constructor.name); }
      return { log, errs };
    `);
    expect(r).toEqual({ log: ['sync', 'a', 'b:0', 'c'], errs: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'] });
  });
});
