import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('performance', () => {
  it('now() is monotonic from the isolate time origin; timeOrigin and toJSON', async () => {
    const start = Date.now();
    const r = await evalInIsolate<any>(`
      const a = performance.now();
      await new Promise((r) => setTimeout(r, 15));
      const b = performance.now();
      const origin = performance.timeOrigin;
      return { a, b, origin, json: JSON.parse(JSON.stringify(performance)), epochNow: Date.now(),
        perf: [performance instanceof Performance, performance instanceof EventTarget, Object.prototype.toString.call(performance)],
        illegal: (() => { try { new Performance(); } catch (e) { return e.constructor.name; } })(),
        brand: (() => { try { Performance.prototype.now.call({}); } catch (e) { return e.constructor.name; } })(),
        replaceable: (() => { performance = 1; return performance; })()};
    `);
    const end = Date.now();
    expect(r.b - r.a).toBeGreaterThanOrEqual(14);
    expect(r.a).toBeGreaterThanOrEqual(0);
    expect(r.origin).toBeGreaterThanOrEqual(start - 1000);
    expect(r.origin).toBeLessThanOrEqual(end);
    expect(Number.isInteger(r.origin)).toBe(true);
    expect(Math.abs(r.origin + r.b - r.epochNow)).toBeLessThanOrEqual(2);
    expect(r.json).toEqual({ timeOrigin: r.origin });
    expect(r.perf).toEqual([true, true, '[object Performance]']);
    expect([r.illegal, r.brand, r.replaceable]).toEqual(['TypeError', 'TypeError', 1]);
  });

  it('Event.timeStamp uses the same clock', async () => {
    const r = await evalInIsolate<any>(`
      const before = performance.now();
      const e = new Event('x');
      const after = performance.now();
      return [before <= e.timeStamp, e.timeStamp <= after];
    `);
    expect(r).toEqual([true, true]);
  });

  it('User Timing: mark, measure, getEntries*, clear*', async () => {
    const r = await evalInIsolate<any>(`
      const m1 = performance.mark('a', { detail: { x: 1 } });
      const m2 = performance.mark('b', { startTime: 5 });
      const m3 = new PerformanceMark('c', { startTime: 1 });
      const meas = performance.measure('ab', 'b', 'a');
      const meas2 = performance.measure('opts', { start: 1, duration: 3, detail: [1] });
      const meas3 = performance.measure('end-only', { end: 'b' });
      const err = (f) => { try { f(); return 'ok'; } catch (e) { return e.name; } };
      const errors = [err(() => performance.measure('x', 'nope')), err(() => performance.measure('x', { start: 1, end: 2, duration: 1 })),
        err(() => performance.measure('x', { detail: 1 })), err(() => performance.measure('x', { start: 1 }, 'a')),
        err(() => performance.mark('x', { startTime: -1 })), err(() => new PerformanceMeasure()), err(() => new PerformanceEntry()),
        err(() => performance.mark('f', { detail: () => {} }))];
      const all = performance.getEntries().map((e) => e.name + ':' + e.entryType);
      const byType = performance.getEntriesByType('mark').map((e) => e.name);
      const byName = performance.getEntriesByName('ab', 'measure').length;
      const json = m2.toJSON();
      performance.clearMarks('a');
      const afterClearA = performance.getEntriesByType('mark').map((e) => e.name);
      performance.clearMeasures();
      return {
        m1: [m1.entryType, m1.duration, m1.detail.x, m1 instanceof PerformanceEntry], m3: [m3.startTime, performance.getEntriesByName('c').length],
        meas: [meas.startTime, meas.duration === m1.startTime - 5, meas.entryType, meas.detail],
        meas2: [meas2.startTime, meas2.duration, meas2.detail[0]], meas3: [meas3.startTime, meas3.duration],
        errors, all, byType, byName, json, afterClearA, measuresLeft: performance.getEntriesByType('measure').length,
      };
    `);
    expect(r).toEqual({
      m1: ['mark', 0, 1, true], m3: [1, 0],
      meas: [5, true, 'measure', null],
      meas2: [1, 3, 1], meas3: [0, 5],
      errors: ['SyntaxError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'DataCloneError'],
      all: expect.arrayContaining(['a:mark', 'b:mark', 'ab:measure', 'opts:measure', 'end-only:measure']),
      byType: expect.arrayContaining(['a', 'b']), byName: 1,
      json: { name: 'b', entryType: 'mark', startTime: 5, duration: 0 },
      afterClearA: ['b'], measuresLeft: 0,
    });
  });
});
