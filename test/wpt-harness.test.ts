// The WPT runner: its testharness implementation inside a real Isle isolate, the file-level
// outcomes (timeouts, crashes), discovery and the expectations logic.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../wpt/lib/discover.ts';
import { executeJob } from '../wpt/lib/execute.ts';
import { compare, isFailure, updateExpectations, type Expectations } from '../wpt/lib/expectations.ts';
import { parseMeta, resolveScript, runsInIsle } from '../wpt/lib/meta.ts';
import { runPool } from '../wpt/lib/pool.ts';
import type { FileResult } from '../wpt/lib/types.ts';

let dir: string;

const FILES: Record<string, string> = {
  'demo/statuses.any.js': `
test(() => { assert_equals(1, 1); }, 'sync pass');
test(() => { assert_equals(1, 2, 'one is two'); }, 'sync fail');
test(() => { null.x; }, 'sync throw');
async_test(t => { Promise.resolve().then(t.step_func_done(() => assert_true(true))); }, 'async pass');
async_test(t => { t.step_timeout(() => t.done(), 5); }, 'async step_timeout pass');
async_test(() => {}, 'async never done');
promise_test(async () => { await null; assert_false(true, 'nope'); }, 'promise fail');
promise_test(() => Promise.resolve(), 'promise pass');
promise_test(() => Promise.reject(new RangeError('bad')), 'promise reject');
promise_test(() => 42, 'promise not thenable');
test(() => assert_implements_optional(false, 'no such feature'), 'optional');
`,
  'demo/dom.any.js': `
const abort = () => { throw new DOMException('m', 'AbortError'); };
test(() => assert_throws_dom('AbortError', abort), 'by name');
test(() => assert_throws_dom('ABORT_ERR', abort), 'by legacy constant name');
test(() => assert_throws_dom(20, abort), 'by code');
test(() => assert_throws_dom('AbortError', DOMException, abort), 'with constructor');
test(() => assert_throws_dom('SyntaxError', abort), 'other name');
test(() => assert_throws_dom('AbortError', () => { throw { name: 'AbortError', code: 0 }; }), 'code 0');
test(() => assert_throws_dom('AbortError', () => { throw { name: 'AbortError', code: 20 }; }), 'wrong global');
test(() => assert_throws_dom('EncodingError', () => { throw new DOMException('m', 'OperationError'); }), 'name-only');
test(() => assert_throws_dom('AbortError', () => {}), 'no throw');
test(() => assert_throws_js(TypeError, () => { throw new TypeError('t'); }), 'js pass');
test(() => assert_throws_js(TypeError, () => { throw new DOMException('m', 'AbortError'); }), 'js got dom');
promise_test(t => promise_rejects_dom(t, 'AbortError', Promise.reject(new DOMException('m', 'AbortError'))), 'rejects dom');
promise_test(t => promise_rejects_dom(t, 'AbortError', Promise.resolve(1)), 'rejects dom resolved');
promise_test(t => promise_rejects_js(t, TypeError, Promise.reject(new TypeError('x'))), 'rejects js');
promise_test(t => promise_rejects_exactly(t, 7, Promise.reject(8)), 'rejects exactly');
`,
  'demo/format.any.js': `
test(() => {
  assert_equals(format_value(-0), '-0');
  assert_equals(format_value('a\\n"b\\\\'), '"a\\\\n\\\\"b\\\\\\\\"');
  assert_equals(format_value('\\0\\x01'), '"\\\\0\\\\x01"');
  assert_equals(format_value('\\ud800'), '"\\\\uD800"');
  assert_equals(format_value([1, 'x', null, undefined]), '[1, "x", null, undefined]');
  assert_equals(format_value(10n), '10n');
  assert_equals(format_value(Symbol('s')), 'Symbol(s)');
  assert_equals(format_value({}), 'object "[object Object]"');
}, 'format_value');
test(() => {
  assert_array_equals([1, 2], [1, 3]);
}, 'array message');
test(() => {
  assert_object_equals({ a: { b: 1 } }, { a: { b: 1 } });
  assert_approx_equals(1.05, 1, 0.1);
  assert_between_exclusive(2, 1, 3);
  assert_less_than_equal(2, 2);
  assert_class_string(new Uint8Array(1), 'Uint8Array');
  assert_own_property({ x: 1 }, 'x');
  assert_inherits(new Uint8Array(1), 'length');
  assert_regexp_match('abc', /b/);
  assert_in_array(2, [1, 2]);
  assert_readonly(new Uint8Array(1), 'length');
  assert_throws_exactly(5, () => { throw 5; });
}, 'assertions pass');
test(() => assert_true(true));
test(function () {});
test(function () {});
`,
  'demo/cleanup.any.js': `
const order = [];
test(t => { t.add_cleanup(() => order.push('c1')); order.push('body'); }, 'sync cleanup');
promise_test(async t => {
  t.add_cleanup(() => new Promise(r => setTimeout(() => { order.push('async-c'); r(); }, 5)));
  order.push('p1');
}, 'async cleanup');
promise_test(async () => { assert_array_equals(order, ['body', 'c1', 'p1', 'async-c']); }, 'promise tests run in order after cleanup');
async_test(t => {
  const target = new EventTarget();
  const w = new EventWatcher(t, target, ['a', 'b']);
  w.wait_for(['a', 'b']).then(t.step_func_done(e => assert_equals(e.type, 'b')));
  target.dispatchEvent(new Event('a'));
  target.dispatchEvent(new Event('b'));
}, 'EventWatcher');
async_test(t => {
  const target = new EventTarget();
  new EventWatcher(t, target, ['a']);
  target.dispatchEvent(new Event('a'));
}, 'EventWatcher unexpected');
promise_test(async t => {
  let n = 0;
  setTimeout(() => { n = 1; }, 10);
  await t.step_wait(() => n === 1, 'n is set', 1000, 5);
}, 'step_wait');
test(() => {}, 'dup');
test(() => { assert_true(false); }, 'dup');
`,
  'demo/uncaught.any.js': `
test(() => {}, 'before');
throw new TypeError('top-level boom');
`,
  'demo/allowed.any.js': `
setup({ allow_uncaught_exception: true });
async_test(t => {
  self.addEventListener('error', t.step_func_done(e => assert_equals(e.error.message, 'reported')));
  reportError(new Error('reported'));
}, 'reportError reaches the error event');
`,
  'demo/rejection.any.js': `
test(() => {}, 'fine');
Promise.reject(new Error('nobody handles me'));
`,
  'demo/explicit.any.js': `
setup({ explicit_done: true });
test(() => {}, 'first');
setTimeout(() => { test(() => {}, 'late'); done(); }, 20);
`,
  'demo/setup-fails.any.js': `
setup(() => { throw new Error('no setup'); });
test(() => {}, 'after');
`,
  'demo/per-test-timeout.any.js': `
async_test(t => {}, 'short timeout', { timeout: 50 });
test(() => {}, 'other');
`,
  'demo/variants.any.js': `// META: script=/common/subset-tests.js
// META: script=resources/helper.js
// META: variant=?1-2
// META: variant=?3-last
for (let i = 1; i <= 4; i++) subsetTest(test, () => assert_equals(helper(), 'helped'), 'n' + i + ' ' + location.search);
`,
  'demo/resources/helper.js': `function helper() { return 'helped'; }\n`,
  'demo/window-only.any.js': `// META: global=window\ntest(() => {}, 'x');\n`,
  'demo/missing-script.any.js': `// META: script=/nowhere.js\ntest(() => {}, 'x');\n`,
  'demo/fetch-resource.any.js': `
promise_test(async t => {
  const r = await fetch('resources/data.json');
  assert_equals(r.status, 200);
  assert_equals(r.headers.get('content-type'), 'application/json');
  assert_object_equals(await r.json(), { ok: true });
  assert_equals((await fetch('resources/absent.json')).status, 404);
  assert_equals((await fetch('data:,hi')).status, 200);
  await promise_rejects_js(t, TypeError, fetch('resources/helper.js'));
}, 'static resource');
`,
  'demo/resources/data.json': `{"ok": true}`,
  'crash/hang.any.js': `
test(() => {}, 'before hang');
async_test(t => { setTimeout(() => { for (;;) {} }, 0); }, 'hangs in a timer');
`,
  'crash/oom.any.js': `
test(() => { const a = []; for (;;) a.push(new Array(1e5).fill(1.5)); }, 'allocates');
`,
  'crash/ok.any.js': `test(() => {}, 'still runs');\n`,
  'cli/two.any.js': `test(() => {}, 'passes');\ntest(() => assert_true(false), 'fails');\n`,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isle-wpt-'));
  for (const [path, code] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), code);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(path: string, timeoutMs = 1500): Promise<FileResult> {
  const { jobs } = discover(dir, [path]);
  expect(jobs.length).toBe(1);
  return executeJob(jobs[0]!, { wptDir: dir, timeoutMs, longTimeoutMs: timeoutMs, memoryMb: 128 });
}

function byName(r: FileResult): Record<string, { status: string; message: string | null }> {
  return Object.fromEntries(r.subtests.map((s) => [s.name, { status: s.status, message: s.message }]));
}

describe('testharness in an isolate', () => {
  it('gives each kind of test the right status and message', async () => {
    const r = await run('demo/statuses.any.js');
    const s = byName(r);
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.status]))).toEqual({
      'sync pass': 'PASS',
      'sync fail': 'FAIL',
      'sync throw': 'FAIL',
      'async pass': 'PASS',
      'async step_timeout pass': 'PASS',
      'async never done': 'TIMEOUT',
      'promise fail': 'FAIL',
      'promise pass': 'PASS',
      'promise reject': 'FAIL',
      'promise not thenable': 'FAIL',
      optional: 'PRECONDITION_FAILED',
    });
    expect(s['sync fail']!.message).toBe('assert_equals: one is two expected 2 but got 1');
    expect(s['sync throw']!.message).toMatch(/^TypeError: Cannot read properties of null/);
    expect(s['async never done']!.message).toBe('Test timed out');
    expect(s['promise fail']!.message).toBe('assert_false: nope expected false got true');
    expect(s['promise reject']!.message).toMatch(/Unhandled rejection with value: object "RangeError: bad"/);
    expect(s['promise not thenable']!.message).toBe(
      "promise_test: test body must return a 'thenable' object (received an object with no `then` method)");
    expect(s.optional!.message).toBe('no such feature');
    // The file ran out of time waiting for the async test.
    expect(r.harness.status).toBe('TIMEOUT');
  });

  it('assert_throws_dom checks the name, the legacy code and the realm constructor', async () => {
    const r = await run('demo/dom.any.js');
    const s = byName(r);
    expect(r.harness.status).toBe('OK');
    for (const ok of ['by name', 'by legacy constant name', 'by code', 'with constructor', 'js pass', 'rejects dom', 'rejects js']) {
      expect([ok, s[ok]!.status, s[ok]!.message]).toEqual([ok, 'PASS', null]);
    }
    expect(s['other name']!.message).toMatch(/that is not a DOMException SyntaxError: property "code" is equal to 20, expected 12/);
    expect(s['code 0']!.message).toMatch(/property "code" is equal to 0, expected 20/);
    expect(s['wrong global']!.message).toMatch(/threw an exception from the wrong global/);
    expect(s['name-only']!.message).toMatch(/property "name" is equal to "OperationError", expected "EncodingError"/);
    expect(s['no throw']!.message).toMatch(/did not throw/);
    expect(s['js got dom']!.message).toMatch(/expected instance of function .*TypeError/);
    expect(s['rejects dom resolved']!.message).toMatch(/^assert_unreached: Should have rejected: undefined Reached unreachable code/);
    expect(s['rejects exactly']!.message).toMatch(/promise rejected with 8 but we expected it to reject with 7/);
  });

  it('formats values and assertion messages as testharness.js does', async () => {
    const r = await run('demo/format.any.js');
    const s = byName(r);
    expect(s.format_value).toEqual({ status: 'PASS', message: null });
    expect(s['array message']!.message).toBe(
      'assert_array_equals: expected property 1 to be 3 but got 2 (expected array [1, 3] got [1, 2])');
    expect(s['assertions pass']).toEqual({ status: 'PASS', message: null });
    // Unnamed arrow-function tests are named after their body, like testharness.js.
    expect(s['assert_true(true)']?.status).toBe('PASS');
    // Other unnamed tests: the file's base name, numbered.
    expect(s.format?.status).toBe('PASS');
    expect(s['format 1']?.status).toBe('PASS');
  });

  it('runs cleanups, promise tests in sequence, EventWatcher and step_wait; duplicate names are an error', async () => {
    const r = await run('demo/cleanup.any.js');
    const s = byName(r);
    expect(s['sync cleanup']!.status).toBe('PASS');
    expect(s['async cleanup']!.status).toBe('PASS');
    expect(s['promise tests run in order after cleanup']).toEqual({ status: 'PASS', message: null });
    expect(s.EventWatcher).toEqual({ status: 'PASS', message: null });
    expect(s['EventWatcher unexpected']!.status).toBe('FAIL');
    expect(s['EventWatcher unexpected']!.message).toMatch(/Not expecting event, but got a event/);
    expect(s.step_wait).toEqual({ status: 'PASS', message: null });
    // Both tests named "dup" are kept; the harness reports the duplicate.
    expect(s.dup!.status).toBe('PASS');
    expect(s['dup [#2]']!.status).toBe('FAIL');
    expect(r.harness).toEqual({ status: 'ERROR', message: 'Duplicate test names: "dup"' });
  });

  it('an uncaught error is a harness error; tests already defined keep their results', async () => {
    const r = await run('demo/uncaught.any.js');
    expect(r.harness.status).toBe('ERROR');
    expect(r.harness.message).toMatch(/TypeError: top-level boom/);
    expect(byName(r).before!.status).toBe('PASS');
  });

  it('allow_uncaught_exception lets the error event through', async () => {
    const r = await run('demo/allowed.any.js');
    expect(r.harness.status).toBe('OK');
    expect(byName(r)['reportError reaches the error event']).toEqual({ status: 'PASS', message: null });
  });

  it('an unhandled rejection is a harness error', async () => {
    const r = await run('demo/rejection.any.js');
    expect(r.harness.status).toBe('ERROR');
    expect(r.harness.message).toMatch(/nobody handles me/);
    expect(byName(r).fine!.status).toBe('PASS');
  });

  it('explicit_done waits for done(); a failing setup ends the file', async () => {
    const e = await run('demo/explicit.any.js');
    expect(e.harness.status).toBe('OK');
    expect(e.subtests.map((s) => [s.name, s.status])).toEqual([['first', 'PASS'], ['late', 'PASS']]);
    const f = await run('demo/setup-fails.any.js');
    expect(f.harness).toEqual({ status: 'ERROR', message: 'setup failed: Error: no setup' });
    expect(f.subtests).toEqual([]);
  });

  it('a test with its own timeout times out alone', async () => {
    const r = await run('demo/per-test-timeout.any.js', 3000);
    expect(r.harness.status).toBe('OK');
    expect(byName(r)['short timeout']).toEqual({ status: 'TIMEOUT', message: 'Test timed out' });
    expect(r.durationMs).toBeLessThan(2500);
  });

  it('runs each variant with its query in location, META scripts relative and from the root', async () => {
    const { jobs } = discover(dir, ['demo/variants.any.js']);
    expect(jobs.map((j) => j.id)).toEqual(['demo/variants.any.js?1-2', 'demo/variants.any.js?3-last']);
    const results = await Promise.all(jobs.map((j) => executeJob(j, { wptDir: dir, timeoutMs: 2000, longTimeoutMs: 2000, memoryMb: 128 })));
    expect(results[0]!.subtests.map((s) => [s.name, s.status])).toEqual([['n1 ?1-2', 'PASS'], ['n2 ?1-2', 'PASS']]);
    expect(results[1]!.subtests.map((s) => [s.name, s.status])).toEqual([['n3 ?3-last', 'PASS'], ['n4 ?3-last', 'PASS']]);
  });

  it('a missing META script is a harness error', async () => {
    const r = await run('demo/missing-script.any.js');
    expect(r.harness.status).toBe('ERROR');
    expect(r.harness.message).toMatch(/nowhere\.js not found/);
  });

  it('serves the checkout\'s JSON test data to fetch(); other requests reach the real fetch', async () => {
    const r = await run('demo/fetch-resource.any.js');
    expect(byName(r)['static resource']).toEqual({ status: 'PASS', message: null });
  });
});

describe('runner', () => {
  it('a file that hangs or allocates without bound is reported and the run goes on', async () => {
    const { jobs } = discover(dir, ['crash']);
    expect(jobs.map((j) => j.id)).toEqual(['crash/hang.any.js', 'crash/ok.any.js', 'crash/oom.any.js']);
    const results = await runPool(jobs, { wptDir: dir, timeoutMs: 1500, longTimeoutMs: 1500, memoryMb: 64, concurrency: 2 });
    const [hang, ok, oom] = results;
    expect(hang!.harness.status).toBe('TIMEOUT');
    expect(byName(hang!)['before hang']!.status).toBe('PASS');
    expect(byName(hang!)['hangs in a timer']!.status).toBe('TIMEOUT');
    expect(oom!.harness.status).toBe('CRASH');
    expect(oom!.harness.message).toMatch(/memory/);
    expect(byName(oom!).allocates!.status).toBe('NOTRUN');
    expect(ok!.harness.status).toBe('OK');
    expect(ok!.subtests).toEqual([{ name: 'still runs', status: 'PASS', message: null }]);
  }, 60_000);

  it('discovers *.any.js only, skipping window-only files and resources', () => {
    const { jobs, skipped } = discover(dir, ['demo']);
    expect(jobs.some((j) => j.path.includes('resources'))).toBe(false);
    expect(jobs.some((j) => j.path === 'demo/window-only.any.js')).toBe(false);
    expect(skipped).toEqual([{ path: 'demo/window-only.any.js', reason: 'global=window has no worker-like scope' }]);
  });

  it('parses META headers and resolves script paths', () => {
    const m = parseMeta('// META: global=window,dedicatedworker\n// META: script=../resources/a.js\n// META: timeout=long\n' +
      '// META: variant=?a\n\n// META: variant=?b\ntest(() => {});\n// META: script=ignored.js\n');
    expect(m).toEqual({ scripts: ['../resources/a.js'], globals: ['window', 'dedicatedworker'], variants: ['?a', '?b'], timeout: 'long', title: null });
    expect(runsInIsle(['window'])).toBe(false);
    expect(runsInIsle(['window', 'worker'])).toBe(true);
    expect(runsInIsle(['shadowrealm-in-window'])).toBe(true);
    expect(runsInIsle(null)).toBe(true);
    expect(resolveScript('streams/readable-streams/x.any.js', '../resources/rs-utils.js')).toBe('streams/resources/rs-utils.js');
    expect(resolveScript('url/x.any.js', '/common/sab.js')).toBe('common/sab.js');
    expect(resolveScript('x.any.js', '../../etc/passwd')).toBeNull();
  });
});

describe('npm run wpt', () => {
  it('records expectations, then exits non-zero on a regression and on an unexpected pass', () => {
    const exp = join(dir, 'exp.json');
    const run = (...args: string[]) => spawnSync(process.execPath,
      ['--no-node-snapshot', '--no-warnings', 'wpt/run.ts', '--wpt-dir', dir, '--expectations', exp, '--report', join(dir, 'report.md'), ...args, 'cli'],
      { encoding: 'utf8', timeout: 60_000 });
    const first = run('--update-expectations');
    expect(first.status).toBe(0);
    const recorded = JSON.parse(readFileSync(exp, 'utf8'));
    expect(recorded).toEqual({ 'cli/two.any.js': { passes: { status: 'PASS' }, fails: { status: 'FAIL' } } });
    expect(run().status).toBe(0);
    // Flip both: "passes" is now an unexpected pass, "fails" a regression.
    writeFileSync(exp, JSON.stringify({ 'cli/two.any.js': { passes: { status: 'FAIL', reason: 'r' }, fails: { status: 'PASS' } } }));
    const flipped = run();
    expect(flipped.status).toBe(1);
    expect(flipped.stdout).toMatch(/REGRESSIONS \(1\):\n  cli\/two\.any\.js › fails: expected PASS, got FAIL/);
    expect(flipped.stdout).toMatch(/UNEXPECTED PASSES \(1\):\n  cli\/two\.any\.js › passes: expected FAIL, got PASS/);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/\| cli \| 1 \| 2 \| 50\.0% \|/);
  }, 60_000);
});

describe('expectations', () => {
  const result = (subtests: [string, FileResult['subtests'][number]['status']][], harness: FileResult['harness']['status'] = 'OK'): FileResult => ({
    id: 'a/b.any.js', path: 'a/b.any.js', variant: '', harness: { status: harness, message: null }, durationMs: 1,
    subtests: subtests.map(([name, status]) => ({ name, status, message: null })),
  });
  const expected: Expectations = {
    'a/b.any.js': { one: { status: 'PASS' }, two: { status: 'FAIL', reason: 'not implemented' }, three: { status: 'TIMEOUT' } },
  };

  it('matching results pass', () => {
    const c = compare([result([['one', 'PASS'], ['two', 'FAIL'], ['three', 'TIMEOUT']])], expected);
    expect(isFailure(c)).toBe(false);
  });

  it('an expected PASS that fails, or is missing, is a regression', () => {
    const c = compare([result([['one', 'FAIL'], ['two', 'FAIL'], ['three', 'TIMEOUT']])], expected);
    expect(c.regressions.map((x) => x.name)).toEqual(['one']);
    expect(isFailure(c)).toBe(true);
    const crashed = compare([result([], 'CRASH')], expected);
    expect(crashed.regressions.map((x) => [x.name, x.actual])).toEqual([['one', null]]);
    expect(crashed.missing.map((x) => x.name)).toEqual(['two', 'three']);
    expect(isFailure(crashed)).toBe(true);
  });

  it('an unexpected pass fails the run; other changes and new subtests do not', () => {
    const c = compare([result([['one', 'PASS'], ['two', 'PASS'], ['three', 'FAIL'], ['four', 'PASS']])], expected);
    expect(c.unexpectedPasses.map((x) => x.name)).toEqual(['two']);
    expect(c.otherChanges.map((x) => x.name)).toEqual(['three']);
    expect(c.newSubtests.map((x) => x.name)).toEqual(['four']);
    expect(isFailure(c)).toBe(true);
    expect(isFailure(compare([result([['one', 'PASS'], ['two', 'FAIL'], ['three', 'FAIL'], ['four', 'PASS']])], expected))).toBe(false);
  });

  it('--update-expectations records the run and keeps reasons and files not run', () => {
    const next = updateExpectations({ ...expected, 'other.any.js': { x: { status: 'FAIL', reason: 'kept' } } },
      [result([['one', 'PASS'], ['two', 'TIMEOUT'], ['four', 'FAIL']])]);
    expect(next).toEqual({
      'a/b.any.js': { one: { status: 'PASS' }, two: { status: 'TIMEOUT', reason: 'not implemented' }, four: { status: 'FAIL' } },
      'other.any.js': { x: { status: 'FAIL', reason: 'kept' } },
    });
  });
});
