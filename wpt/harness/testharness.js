// Isle's implementation of the testharness.js API used by WPT `*.any.js` files.
//
// Written for this project (not a copy of WPT's testharness.js): same observable API and status
// semantics, run INSIDE an Isle isolate using only ECMAScript / ECMA-429 globals.
//
// Protocol with the runner (wpt/lib/execute.ts):
//   - the runner evaluates this script; its completion value is `boot(report, config)`;
//   - `report(kind, json)` is a host callback: kinds 'start' (a test was defined), 'result' (a test
//     finished), 'complete' (the whole file finished: harness status + every test), 'log';
//     `report('resource', path)` returns a static file of the WPT checkout ({status, type, body});
//   - boot installs the testharness globals and returns `control(kind, …args)` with kinds
//     'loaded' (the test file finished evaluating), 'error' (it threw), 'timeout' (the file's wall
//     budget is spent) and 'state' (JSON of everything so far).
// Nothing of the protocol is left on the global object.
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // Intrinsics captured before any test code runs (tests patch prototypes and globals).
  const G = globalThis;
  const O = Object;
  const ObjectIs = O.is;
  const ObjectKeys = O.keys;
  const ObjectDefineProperty = O.defineProperty;
  const ObjectGetPrototypeOf = O.getPrototypeOf;
  const ObjectGetOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  const ObjectFreeze = O.freeze;
  const ObjectCreate = O.create;
  const hasOwn = O.hasOwn;
  const uncurry = (f) => Function.prototype.call.bind(f);
  const ObjectToString = uncurry(O.prototype.toString);
  const FunctionToString = uncurry(Function.prototype.toString);
  const ArrayIsArray = Array.isArray;
  const ArrayPush = uncurry(Array.prototype.push);
  const ArrayIndexOf = uncurry(Array.prototype.indexOf);
  const ArraySlice = uncurry(Array.prototype.slice);
  const ArrayJoin = uncurry(Array.prototype.join);
  const ArrayConcat = uncurry(Array.prototype.concat);
  const StringSlice = uncurry(String.prototype.slice);
  const StringReplace = uncurry(String.prototype.replace);
  const StringCharCodeAt = uncurry(String.prototype.charCodeAt);
  const StringToUpperCase = uncurry(String.prototype.toUpperCase);
  const StringStartsWith = uncurry(String.prototype.startsWith);
  const StringIndexOf = uncurry(String.prototype.indexOf);
  const StringTrim = uncurry(String.prototype.trim);
  const StringSplit = uncurry(String.prototype.split);
  const NumberToString = uncurry(Number.prototype.toString);
  const RegExpExec = uncurry(RegExp.prototype.exec);
  const RegExpTest = uncurry(RegExp.prototype.test);
  const ReflectApply = Reflect.apply;
  const ReflectOwnKeys = Reflect.ownKeys;
  const JSONStringify = JSON.stringify;
  const JSONParse = JSON.parse;
  const StringCtor = String;
  const MathAbs = Math.abs;
  const Promise_ = Promise;
  const PromiseResolve = Promise.resolve.bind(Promise);
  const PromiseReject = Promise.reject.bind(Promise);
  const PromiseThen = uncurry(Promise.prototype.then);
  const ErrorCtor = Error;
  const setTimeout_ = typeof G.setTimeout === 'function' ? G.setTimeout : undefined;
  const clearTimeout_ = typeof G.clearTimeout === 'function' ? G.clearTimeout : undefined;
  const addEventListener_ = typeof G.addEventListener === 'function' ? G.addEventListener : undefined;
  const DOMException_ = G.DOMException;

  function then(p, onFulfilled, onRejected) {
    return PromiseThen(p, onFulfilled, onRejected);
  }

  // Status constants (same numbers as testharness.js).
  const PASS = 0, FAIL = 1, TIMEOUT = 2, NOTRUN = 3, PRECONDITION_FAILED = 4;
  const STATUS_NAMES = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'];
  const H_OK = 0, H_ERROR = 1, H_TIMEOUT = 2, H_PRECONDITION_FAILED = 3;
  const HARNESS_NAMES = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED'];
  // Test phases.
  const INITIAL = 0, STARTED = 1, HAS_RESULT = 2, CLEANING = 3, COMPLETE = 4;

  // ---------------------------------------------------------------------------------------------
  // Errors.
  function AssertionError(message) {
    if (typeof message === 'string') this.message = message;
    else this.message = '';
    this.stack = captureStack();
  }
  AssertionError.prototype = ObjectCreate(ErrorCtor.prototype);
  ObjectDefineProperty(AssertionError.prototype, 'constructor', { value: AssertionError, writable: true, configurable: true });
  AssertionError.prototype.name = 'AssertionError';

  function OptionalFeatureUnsupportedError(message) {
    AssertionError.call(this, message);
  }
  OptionalFeatureUnsupportedError.prototype = ObjectCreate(AssertionError.prototype);
  ObjectDefineProperty(OptionalFeatureUnsupportedError.prototype, 'constructor', {
    value: OptionalFeatureUnsupportedError, writable: true, configurable: true,
  });
  OptionalFeatureUnsupportedError.prototype.name = 'OptionalFeatureUnsupportedError';

  function captureStack() {
    try {
      const s = new ErrorCtor().stack;
      if (typeof s !== 'string') return null;
      // Drop the harness' own frames.
      const lines = StringSplit(s, '\n');
      const kept = [];
      for (let i = 1; i < lines.length; i++) {
        if (StringIndexOf(lines[i], 'wpt:testharness.js') === -1) ArrayPush(kept, lines[i]);
      }
      return ArrayJoin(kept, '\n');
    } catch (e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // format_value: a readable rendering of any value, used in assertion messages and test names.
  const CONTROL_ESCAPES = {
    0: '\\0', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r',
  };

  function hex(n, width) {
    let s = StringToUpperCase(NumberToString(n, 16));
    while (s.length < width) s = '0' + s;
    return s;
  }

  function quoteString(s) {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = StringCharCodeAt(s, i);
      if (c === 0x5c) out += '\\\\';
      else if (c === 0x22) out += '\\"';
      else if (c < 0x20) out += hasOwn(CONTROL_ESCAPES, c) ? CONTROL_ESCAPES[c] : '\\x' + hex(c, 2);
      else if (c >= 0xd800 && c <= 0xdbff) {
        const d = i + 1 < s.length ? StringCharCodeAt(s, i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          out += s[i] + s[i + 1];
          i++;
        } else out += '\\u' + hex(c, 4);
      } else if (c >= 0xdc00 && c <= 0xdfff) out += '\\u' + hex(c, 4);
      else out += s[i];
    }
    return out + '"';
  }

  function truncate(s, len) {
    return s.length > len ? StringSlice(s, 0, len - 3) + '...' : s;
  }

  function format_value(val, seen) {
    if (seen === undefined) seen = [];
    if (typeof val === 'object' && val !== null) {
      if (ArrayIndexOf(seen, val) >= 0) return '[...]';
      ArrayPush(seen, val);
    }
    if (ArrayIsArray(val)) {
      const parts = [];
      for (let i = 0; i < val.length; i++) ArrayPush(parts, format_value(val[i], seen));
      let out = '[';
      if (val.beginEllipsis !== undefined) out += '…, ';
      out += ArrayJoin(parts, ', ');
      if (val.endEllipsis !== undefined) out += ', …';
      return out + ']';
    }
    switch (typeof val) {
      case 'string':
        return quoteString(val);
      case 'boolean':
      case 'undefined':
        return StringCtor(val);
      case 'number':
        if (val === 0 && 1 / val === -Infinity) return '-0';
        return StringCtor(val);
      case 'bigint':
        return StringCtor(val) + 'n';
      case 'symbol':
        try {
          return StringCtor(val);
        } catch (e) {
          return 'Symbol()';
        }
      case 'object':
        if (val === null) return 'null';
      // falls through
      default:
        try {
          return typeof val + ' "' + truncate(StringCtor(val), 1000) + '"';
        } catch (e) {
          let kind = typeof e;
          let text;
          try {
            text = StringCtor(e);
          } catch (e2) {
            text = '[unprintable]';
          }
          return '[stringifying object threw ' + text + ' with type ' + kind + ']';
        }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Harness state.
  let report = function () {};
  let config = {};
  const tests = [];
  const testNames = ObjectCreate(null);
  let duplicateNames = [];
  const harness = {
    status: null,
    message: null,
    stack: null,
    phase: 0, // 0 running, 1 complete
    allLoaded: false,
    waitForFinish: false,
    explicitDone: false,
    allowUncaught: false,
    singleTest: false,
    timeoutMultiplier: 1,
    testTimeout: null,
    promiseChain: null,
    promiseSetupCalled: false,
    numPending: 0,
    processingCallbacks: false,
    startCallbacks: [],
    resultCallbacks: [],
    completionCallbacks: [],
    assertsRun: [],
    defaultNameCounter: 0,
    started: false,
  };
  let currentTest = null;

  function send(kind, payload) {
    try {
      report(kind, JSONStringify(payload));
    } catch (e) {
      // Reporting must never break a test.
    }
  }

  function describeTest(t) {
    return {
      name: t.name,
      status: t.status === null ? 'NOTRUN' : STATUS_NAMES[t.status],
      message: t.message === null ? null : t.message,
      stack: t.stack === null ? null : t.stack,
    };
  }

  function harnessState() {
    const list = [];
    for (let i = 0; i < tests.length; i++) {
      const t = tests[i];
      const d = describeTest(t);
      d.phase = t.phase;
      ArrayPush(list, d);
    }
    return {
      status: harness.status === null ? null : HARNESS_NAMES[harness.status],
      message: harness.message,
      stack: harness.stack,
      complete: harness.phase === 1,
      tests: list,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Test.
  function Test(name, properties) {
    this.name = name;
    this.properties = properties || {};
    this.phase = INITIAL;
    this.status = NOTRUN;
    this.message = null;
    this.stack = null;
    this.index = tests.length;
    this._reported = false;
    this._cleanups = [];
    this._doneCallbacks = [];
    this._timeoutId = null;
    this._userDefinedCleanupCount = 0;
    this._isPromiseTest = false;
    this.timeout_length = null;
    let timeout = this.properties.timeout;
    if (timeout === undefined || timeout === null) timeout = harness.testTimeout;
    if (typeof timeout === 'number' && timeout > 0) this.timeout_length = timeout * harness.timeoutMultiplier;

    if (testNames[name] !== undefined) ArrayPush(duplicateNames, name);
    testNames[name] = true;
    ArrayPush(tests, this);
    harness.numPending++;
    send('start', { name: name, index: this.index });
    startHarness();
  }

  Test.prototype.PASS = PASS;
  Test.prototype.FAIL = FAIL;
  Test.prototype.TIMEOUT = TIMEOUT;
  Test.prototype.NOTRUN = NOTRUN;
  Test.prototype.PRECONDITION_FAILED = PRECONDITION_FAILED;
  Test.prototype.phases = { INITIAL, STARTED, HAS_RESULT, CLEANING, COMPLETE };
  Test.statuses = { PASS, FAIL, TIMEOUT, NOTRUN, PRECONDITION_FAILED };
  Test.phases = Test.prototype.phases;

  Test.prototype.toString = function () {
    return 'Test "' + this.name + '"';
  };

  Test.prototype.set_status = function (status, message, stack) {
    this.status = status;
    this.message = message === undefined ? null : message;
    this.stack = stack === undefined || stack === null ? null : stack;
  };

  Test.prototype._armTimeout = function () {
    if (this.timeout_length === null || setTimeout_ === undefined || this._timeoutId !== null) return;
    const self_ = this;
    this._timeoutId = setTimeout_(function () {
      self_._timeoutId = null;
      self_.timeout();
    }, this.timeout_length);
  };

  Test.prototype.step = function (func, this_obj) {
    if (this.phase > STARTED) return undefined;
    if (harness.phase === 1) return undefined;
    this.phase = STARTED;
    this._armTimeout();
    const args = ArraySlice(arguments, 2);
    const previous = currentTest;
    currentTest = this;
    if (arguments.length === 1) this_obj = this;
    try {
      return ReflectApply(func, this_obj, args);
    } catch (e) {
      if (this.phase >= HAS_RESULT) return undefined;
      const status = e instanceof OptionalFeatureUnsupportedError ? PRECONDITION_FAILED : FAIL;
      this.set_status(status, errorMessage(e), errorStack(e));
      this.phase = HAS_RESULT;
      this.done();
      return undefined;
    } finally {
      currentTest = previous;
    }
  };

  Test.prototype.step_func = function (func, this_obj) {
    const test_this = this;
    if (arguments.length === 1) this_obj = test_this;
    return function () {
      return ReflectApply(test_this.step, test_this, ArrayConcat([func, this_obj], ArraySlice(arguments)));
    };
  };

  Test.prototype.step_func_done = function (func, this_obj) {
    const test_this = this;
    if (arguments.length === 1) this_obj = test_this;
    return function () {
      let result;
      if (func) {
        result = ReflectApply(test_this.step, test_this, ArrayConcat([func, this_obj], ArraySlice(arguments)));
      }
      test_this.done();
      return result;
    };
  };

  Test.prototype.unreached_func = function (description) {
    return this.step_func(function () {
      assert_unreached(description);
    });
  };

  Test.prototype.step_timeout = function (func, timeout) {
    const test_this = this;
    const args = ArraySlice(arguments, 2);
    const st = typeof G.setTimeout === 'function' ? G.setTimeout : setTimeout_;
    if (st === undefined) throw new ReferenceError('setTimeout is not defined');
    return st(this.step_func(function () {
      return ReflectApply(func, test_this, args);
    }), timeout * harness.timeoutMultiplier);
  };

  Test.prototype.step_wait_func = function (cond, func, description, timeout, interval) {
    if (timeout === undefined) timeout = 3000;
    if (interval === undefined) interval = 100;
    const test_this = this;
    const st = typeof G.setTimeout === 'function' ? G.setTimeout : setTimeout_;
    if (st === undefined) throw new ReferenceError('setTimeout is not defined');
    const total = timeout * harness.timeoutMultiplier;
    let waited = 0;
    const poll = function () {
      if (test_this.phase > STARTED) return;
      if (waited >= total) {
        test_this.step(function () {
          assert_unreached(description === undefined ? 'Timed out waiting on condition' : description);
        });
        return;
      }
      waited += interval;
      st(test_this.step_func(function () {
        if (cond()) func();
        else poll();
      }), interval);
    };
    this.step(function () {
      if (cond()) func();
      else poll();
    });
  };

  Test.prototype.step_wait_func_done = function (cond, func, description, timeout, interval) {
    const test_this = this;
    this.step_wait_func(cond, function () {
      if (func) func();
      test_this.done();
    }, description, timeout, interval);
  };

  Test.prototype.step_wait = function (cond, description, timeout, interval) {
    const test_this = this;
    return new Promise_(function (resolve, reject) {
      if (timeout === undefined) timeout = 3000;
      if (interval === undefined) interval = 100;
      const st = typeof G.setTimeout === 'function' ? G.setTimeout : setTimeout_;
      if (st === undefined) {
        reject(new ReferenceError('setTimeout is not defined'));
        return;
      }
      const total = timeout * harness.timeoutMultiplier;
      let waited = 0;
      const poll = function () {
        let ok;
        try {
          ok = cond();
        } catch (e) {
          reject(e);
          return;
        }
        if (ok) {
          resolve();
          return;
        }
        if (waited >= total) {
          reject(new AssertionError(description === undefined ? 'Timed out waiting on condition' : description));
          return;
        }
        waited += interval;
        st(poll, interval);
      };
      void test_this;
      poll();
    });
  };

  Test.prototype.add_cleanup = function (callback) {
    this._userDefinedCleanupCount++;
    ArrayPush(this._cleanups, callback);
  };

  Test.prototype._add_internal_cleanup = function (callback) {
    ArrayPush(this._cleanups, callback);
  };

  Test.prototype.force_timeout = function () {
    this.timeout();
  };

  Test.prototype.timeout = function () {
    this._timeoutId = null;
    if (this.phase >= HAS_RESULT) return;
    this.set_status(TIMEOUT, 'Test timed out');
    this.phase = HAS_RESULT;
    this.done();
  };

  Test.prototype.done = function () {
    if (this.phase >= CLEANING) return;
    if (this.phase <= STARTED) this.set_status(PASS, null);
    if (this._timeoutId !== null && clearTimeout_ !== undefined) {
      clearTimeout_(this._timeoutId);
      this._timeoutId = null;
    }
    this.cleanup();
  };

  Test.prototype.cleanup = function () {
    if (this.phase >= CLEANING) return;
    this.phase = CLEANING;
    const test_this = this;
    const errors = [];
    const promises = [];
    const cleanups = this._cleanups;
    this._cleanups = [];
    for (let i = 0; i < cleanups.length; i++) {
      let r;
      try {
        r = cleanups[i]();
      } catch (e) {
        ArrayPush(errors, e);
        continue;
      }
      if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
        ArrayPush(promises, r);
      }
    }
    const finish = function (asyncErrors) {
      const total = errors.length + asyncErrors;
      if (total > 0 && harness.status === null) {
        harness.status = H_ERROR;
        harness.message = 'Test named ' + quoteString(test_this.name) + ' specified ' +
          test_this._userDefinedCleanupCount + " 'cleanup' function" +
          (test_this._userDefinedCleanupCount === 1 ? '' : 's') + ', and ' + total + ' failed.';
        harness.stack = null;
      }
      test_this.phase = COMPLETE;
      testFinished(test_this);
    };
    if (promises.length === 0) {
      finish(0);
      return;
    }
    if (!this._isPromiseTest) {
      if (harness.status === null) {
        harness.status = H_ERROR;
        harness.message = 'Test named ' + quoteString(this.name) +
          ' specified an asynchronous cleanup function, which is only supported in promise_test.';
      }
      finish(0);
      return;
    }
    let remaining = promises.length;
    let failed = 0;
    for (let i = 0; i < promises.length; i++) {
      then(PromiseResolve(promises[i]), function () {
        if (--remaining === 0) finish(failed);
      }, function () {
        failed++;
        if (--remaining === 0) finish(failed);
      });
    }
  };

  function errorMessage(e) {
    if (e instanceof AssertionError) return e.message;
    if (typeof e === 'object' && e !== null) {
      let name, message;
      try {
        name = e.name;
        message = e.message;
      } catch (x) {
        return 'Uncaught exception while reading error';
      }
      if (typeof name === 'string' && name !== '' && message !== undefined) return name + ': ' + StringCtor(message);
      if (message !== undefined) return StringCtor(message);
    }
    try {
      return StringCtor(e);
    } catch (x) {
      return '[unprintable exception]';
    }
  }

  function errorStack(e) {
    try {
      if (typeof e === 'object' && e !== null && typeof e.stack === 'string') return e.stack;
    } catch (x) {}
    return null;
  }

  // Reports a test's final result once, whichever path finished it.
  function reportFinal(t) {
    if (t._reported) return false;
    t._reported = true;
    harness.numPending--;
    send('result', describeTest(t));
    return true;
  }

  function testFinished(t) {
    if (!reportFinal(t)) return;
    for (let i = 0; i < harness.resultCallbacks.length; i++) {
      try {
        harness.resultCallbacks[i](t);
      } catch (e) {
        recordHarnessError(e);
      }
    }
    const callbacks = t._doneCallbacks;
    t._doneCallbacks = [];
    for (let i = 0; i < callbacks.length; i++) callbacks[i]();
    checkAllDone();
  }

  function onTestComplete(t, callback) {
    if (t.phase === COMPLETE) callback();
    else ArrayPush(t._doneCallbacks, callback);
  }

  function startHarness() {
    if (harness.started) return;
    harness.started = true;
    for (let i = 0; i < harness.startCallbacks.length; i++) {
      try {
        harness.startCallbacks[i]({});
      } catch (e) {
        recordHarnessError(e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Harness lifecycle.
  function allDone() {
    return tests.length > 0 && harness.allLoaded && harness.numPending === 0 && !harness.waitForFinish &&
      !harness.processingCallbacks;
  }

  function checkAllDone() {
    if (harness.phase === 1) return;
    if (allDone()) complete();
  }

  function recordHarnessError(e) {
    if (harness.status !== null) return;
    harness.status = e instanceof OptionalFeatureUnsupportedError ? H_PRECONDITION_FAILED : H_ERROR;
    harness.message = errorMessage(e);
    harness.stack = errorStack(e);
  }

  // Finishes the file: tests that never started are NOTRUN, running ones are finished first.
  function complete() {
    if (harness.phase === 1 || harness.completing) return;
    harness.completing = true;
    const incomplete = [];
    for (let i = 0; i < tests.length; i++) if (tests[i].phase < COMPLETE) ArrayPush(incomplete, tests[i]);
    let remaining = incomplete.length;
    const finish = function () {
      harness.phase = 1;
      notifyComplete();
    };
    if (remaining === 0) {
      finish();
      return;
    }
    for (let i = 0; i < incomplete.length; i++) {
      const t = incomplete[i];
      const one = function () {
        if (--remaining === 0) finish();
      };
      if (t.phase === INITIAL) {
        t.phase = COMPLETE;
        reportFinal(t);
        one();
      } else {
        onTestComplete(t, one);
        t.cleanup();
      }
    }
  }

  function notifyComplete() {
    if (harness.status === null) {
      if (duplicateNames.length > 0) {
        harness.status = H_ERROR;
        const shown = [];
        for (let i = 0; i < duplicateNames.length; i++) ArrayPush(shown, quoteString(duplicateNames[i]));
        harness.message = 'Duplicate test names: ' + ArrayJoin(shown, ', ');
      } else {
        harness.status = H_OK;
      }
    }
    const statusObj = {
      status: harness.status,
      message: harness.message,
      stack: harness.stack,
      OK: H_OK, ERROR: H_ERROR, TIMEOUT: H_TIMEOUT, PRECONDITION_FAILED: H_PRECONDITION_FAILED,
    };
    for (let i = 0; i < harness.completionCallbacks.length; i++) {
      try {
        harness.completionCallbacks[i](ArraySlice(tests), statusObj, harness.assertsRun);
      } catch (e) {
        // Completion callbacks run after the status is final.
      }
    }
    send('complete', harnessState());
  }

  // The file's wall budget is spent: running tests time out, queued ones are NOTRUN.
  function harnessTimeout() {
    if (harness.phase === 1) return;
    let inCleanup = null;
    for (let i = 0; i < tests.length; i++) {
      const t = tests[i];
      if (t.phase === CLEANING) inCleanup = t;
      if (t.phase === STARTED) {
        t.set_status(TIMEOUT, 'Test timed out');
      }
      if (t.phase !== INITIAL && t.phase < COMPLETE) {
        t.phase = COMPLETE;
        reportFinal(t);
      }
    }
    if (harness.status === null) {
      if (inCleanup !== null) {
        harness.status = H_ERROR;
        harness.message = 'Timeout while running cleanup for test named ' + quoteString(inCleanup.name) + '.';
      } else {
        harness.status = H_TIMEOUT;
      }
    }
    complete();
  }

  function doneLoading() {
    if (harness.allLoaded) return;
    harness.allLoaded = true;
    if (!harness.explicitDone) harness.waitForFinish = false;
    checkAllDone();
  }

  // An error nobody caught: a harness error unless the file allows uncaught exceptions.
  function uncaught(message, stack, isPrecondition) {
    if (harness.phase === 1) return;
    if (harness.singleTest && tests.length > 0) {
      const t = tests[0];
      if (t.phase < HAS_RESULT) {
        t.set_status(isPrecondition ? PRECONDITION_FAILED : FAIL, message, stack);
        t.phase = HAS_RESULT;
        t.done();
      }
      return;
    }
    if (harness.allowUncaught) return;
    if (harness.status === null) {
      harness.status = isPrecondition ? H_PRECONDITION_FAILED : H_ERROR;
      harness.message = message;
      harness.stack = stack === undefined ? null : stack;
    }
    globalDone();
  }

  function globalDone() {
    if (tests.length === 0) {
      if (harness.status === null) {
        harness.status = H_ERROR;
        harness.message = 'done() was called without first defining any tests';
      }
      complete();
      return;
    }
    if (harness.singleTest) tests[0].done();
    harness.waitForFinish = false;
    checkAllDone();
  }

  // ---------------------------------------------------------------------------------------------
  // Test definition API.
  // Unnamed tests in a worker scope are named after the file: its META title, else its base name
  // up to the first dot; then " 1", " 2", ….
  function nextDefaultName() {
    const n = harness.defaultNameCounter++;
    const base = typeof config.defaultName === 'string' && config.defaultName !== '' ? config.defaultName : 'Untitled';
    return n === 0 ? base : base + ' ' + n;
  }

  function getTestName(func, name) {
    if (name !== undefined && name !== null && name !== '') return StringCtor(name);
    if (typeof func === 'function') {
      let code;
      try {
        code = FunctionToString(func);
      } catch (e) {
        code = '';
      }
      const arrow = RegExpExec(/^\(\)\s*=>\s*(?:{([^]*)}\s*|([^]*))$/, code);
      if (arrow !== null && !RegExpTest(/[\u000A\u000D\u2028\u2029]/, code)) {
        let body = StringTrim(arrow[1] !== undefined ? arrow[1] : arrow[2]);
        body = StringReplace(body, /^([^;]*)(;\s*)+$/, '$1');
        if (body) return body;
      }
    }
    return nextDefaultName();
  }

  function harnessClosed(kind) {
    if (harness.phase === 1 || harness.completing) return true;
    if (harness.promiseSetupCalled && kind !== 'promise') {
      if (harness.status === null) {
        harness.status = H_ERROR;
        harness.message = kind + '_test() may not be called after promise_setup()';
      }
      complete();
      return true;
    }
    return false;
  }

  function test(func, name, properties) {
    if (harness.singleTest) {
      uncaught('test() may not be used in a single-test file', null);
      return undefined;
    }
    const testName = getTestName(func, name);
    if (harnessClosed('')) return undefined;
    const t = new Test(testName, properties);
    t.step(func, t, t);
    if (t.phase === STARTED) t.done();
    return undefined;
  }

  function async_test(func, name, properties) {
    if (typeof func !== 'function') {
      properties = name;
      name = func;
      func = null;
    }
    const testName = getTestName(func, name);
    if (harnessClosed('async')) return makeInertTest(testName);
    const t = new Test(testName, properties);
    if (func) {
      const value = t.step(func, t, t);
      if (value !== undefined && value !== null && typeof value.then === 'function') {
        t.step(function () {
          assert_unreached('async_test passed a function that returns a Promise; use promise_test instead');
        });
      }
    }
    return t;
  }

  // A test object that does nothing, for tests defined after the harness finished.
  function makeInertTest(name) {
    const t = ObjectCreate(Test.prototype);
    t.name = name;
    t.properties = {};
    t.phase = COMPLETE;
    t.status = NOTRUN;
    t.message = null;
    t.stack = null;
    t._cleanups = [];
    t._doneCallbacks = [];
    t._timeoutId = null;
    t._reported = true;
    return t;
  }

  function promise_test(func, name, properties) {
    if (typeof func !== 'function') {
      properties = name;
      name = func;
      func = null;
    }
    const testName = getTestName(func, name);
    if (harnessClosed('promise')) return undefined;
    const t = new Test(testName, properties);
    t._isPromiseTest = true;
    if (harness.promiseChain === null) harness.promiseChain = PromiseResolve();
    harness.promiseChain = then(harness.promiseChain, function () {
      return new Promise_(function (resolve) {
        if (harness.phase === 1 || t.phase >= COMPLETE) {
          resolve();
          return;
        }
        onTestComplete(t, resolve);
        if (!func) {
          t.step(function () {
            assert_unreached('promise_test was called without a test function');
          });
          return;
        }
        const promise = t.step(func, t, t);
        t.step(function () {
          assert(!!promise, 'promise_test', null, 'test body must return a \'thenable\' object (received ${value})',
            { value: promise });
          assert(typeof promise.then === 'function', 'promise_test', null,
            'test body must return a \'thenable\' object (received an object with no `then` method)', null);
        });
        if (t.phase > STARTED) return;
        then(PromiseResolve(promise), function () {
          t.done();
        }, function (value) {
          t.step(function () {
            if (value instanceof AssertionError) throw value;
            assert(false, 'promise_test', null, 'Unhandled rejection with value: ${value}', { value: value });
          });
          t.done();
        });
      });
    });
    return undefined;
  }

  function promise_setup(func, properties) {
    if (typeof func !== 'function') {
      uncaught('promise_setup called without a function', null);
      return;
    }
    if (harness.promiseSetupCalled) {
      uncaught('promise_setup() may only be called once', null);
      return;
    }
    if (harness.promiseChain !== null) {
      uncaught('promise_setup() must be called before any promise_test()', null);
      return;
    }
    harness.promiseSetupCalled = true;
    applySetupProperties(properties || {});
    harness.promiseChain = then(PromiseResolve(), function () {
      let result;
      try {
        result = func();
      } catch (e) {
        result = PromiseReject(e);
      }
      if (result === null || result === undefined || typeof result.then !== 'function') {
        recordHarnessError(new AssertionError('promise_setup: function must return a thenable'));
        complete();
        return new Promise_(function () {});
      }
      return then(PromiseResolve(result), undefined, function (e) {
        recordHarnessError(e);
        if (harness.message !== null) harness.message = 'promise_setup: ' + harness.message;
        complete();
        return new Promise_(function () {});
      });
    });
  }

  function applySetupProperties(p) {
    if (p === null || typeof p !== 'object') return;
    if (p.explicit_done) {
      harness.explicitDone = true;
      harness.waitForFinish = true;
    }
    if (p.allow_uncaught_exception) harness.allowUncaught = true;
    if (p.single_test) {
      harness.singleTest = true;
      harness.explicitDone = true;
      harness.waitForFinish = true;
    }
    if (typeof p.timeout_multiplier === 'number' && p.timeout_multiplier > 0) harness.timeoutMultiplier = p.timeout_multiplier;
    if (typeof p.test_timeout === 'number') harness.testTimeout = p.test_timeout;
  }

  function setup(func_or_properties, maybe_properties) {
    let func = null;
    let properties = {};
    if (arguments.length === 2) {
      func = func_or_properties;
      properties = maybe_properties;
    } else if (typeof func_or_properties === 'function') {
      func = func_or_properties;
    } else {
      properties = func_or_properties;
    }
    applySetupProperties(properties);
    if (harness.singleTest && tests.length === 0) {
      new Test(typeof config.defaultName === 'string' && config.defaultName !== '' ? config.defaultName : 'Untitled', {}).phase = STARTED;
    }
    if (typeof func === 'function') {
      try {
        func();
      } catch (e) {
        recordHarnessError(e);
        if (harness.message !== null && !(e instanceof OptionalFeatureUnsupportedError)) {
          harness.message = 'setup failed: ' + harness.message;
        }
        complete();
      }
    }
  }

  function done() {
    globalDone();
  }

  function generate_tests(func, args, properties) {
    for (let i = 0; i < args.length; i++) {
      const x = args[i];
      const name = x[0];
      const rest = ArraySlice(x, 1);
      test(function () {
        return ReflectApply(func, this, rest);
      }, name, ArrayIsArray(properties) ? properties[i] : properties);
    }
  }

  function on_event(object, event, callback) {
    object.addEventListener(event, callback, false);
  }

  function step_timeout(func, timeout) {
    const args = ArraySlice(arguments, 2);
    const st = typeof G.setTimeout === 'function' ? G.setTimeout : setTimeout_;
    if (st === undefined) throw new ReferenceError('setTimeout is not defined');
    return st(function () {
      ReflectApply(func, undefined, args);
    }, timeout * harness.timeoutMultiplier);
  }

  function add_start_callback(cb) {
    ArrayPush(harness.startCallbacks, cb);
  }
  function add_result_callback(cb) {
    ArrayPush(harness.resultCallbacks, cb);
  }
  function add_completion_callback(cb) {
    ArrayPush(harness.completionCallbacks, cb);
  }

  // ---------------------------------------------------------------------------------------------
  // Assertions.
  function substitute(template, substitutions) {
    if (substitutions === null || substitutions === undefined) return template;
    return StringReplace(template, /\$\{([^ }]+)\}/g, function (whole, key) {
      if (hasOwn(substitutions, key)) return format_value(substitutions[key]);
      return whole;
    });
  }

  function makeMessage(function_name, description, error, substitutions) {
    const prefix = function_name + ': ';
    const desc = description !== undefined && description !== null && description !== '' ? StringCtor(description) + ' ' : '';
    return prefix + desc + substitute(error, substitutions);
  }

  function assert(expected_true, function_name, description, error, substitutions) {
    if (expected_true !== true) {
      throw new AssertionError(makeMessage(function_name, description, error, substitutions));
    }
  }

  function recordAssert(name) {
    if (harness.assertsRun.length < 10000) {
      ArrayPush(harness.assertsRun, { name: name, test: currentTest === null ? null : currentTest.name });
    }
  }

  function same_value(x, y) {
    if (y !== y) return x !== x;
    if (x === 0 && y === 0) return 1 / x === 1 / y;
    return x === y;
  }

  function assert_true(actual, description) {
    recordAssert('assert_true');
    assert(actual === true, 'assert_true', description, 'expected true got ${actual}', { actual: actual });
  }

  function assert_false(actual, description) {
    recordAssert('assert_false');
    assert(actual === false, 'assert_false', description, 'expected false got ${actual}', { actual: actual });
  }

  function assert_equals(actual, expected, description) {
    recordAssert('assert_equals');
    if (typeof actual !== typeof expected) {
      assert(false, 'assert_equals', description, 'expected (' + typeof expected + ') ${expected} but got (' +
        typeof actual + ') ${actual}', { expected: expected, actual: actual });
      return;
    }
    assert(same_value(actual, expected), 'assert_equals', description, 'expected ${expected} but got ${actual}',
      { expected: expected, actual: actual });
  }

  function assert_not_equals(actual, expected, description) {
    recordAssert('assert_not_equals');
    assert(!same_value(actual, expected), 'assert_not_equals', description, 'got disallowed value ${actual}',
      { actual: actual });
  }

  function assert_in_array(actual, expected, description) {
    recordAssert('assert_in_array');
    assert(ArrayIndexOf(expected, actual) !== -1, 'assert_in_array', description,
      'value ${actual} not in array ${expected}', { actual: actual, expected: expected });
  }

  function shorten_array(arr, offset) {
    if (arr.length < 10) return arr;
    const start = offset === undefined ? 0 : offset;
    const lo = start > 4 ? start - 4 : 0;
    const out = ArraySlice(arr, lo, lo + 10);
    if (lo > 0) out.beginEllipsis = true;
    if (lo + 10 < arr.length) out.endEllipsis = true;
    return out;
  }

  function assert_array_equals(actual, expected, description) {
    recordAssert('assert_array_equals');
    assert(typeof actual === 'object' && actual !== null && 'length' in actual, 'assert_array_equals', description,
      'value is ${actual}, expected array', { actual: actual });
    assert(actual.length === expected.length, 'assert_array_equals', description,
      'lengths differ, expected array ${expected} length ${expectedLength}, got ${actual} length ${actualLength}',
      { expected: shorten_array(expected, expected.length - 1), expectedLength: expected.length,
        actual: shorten_array(actual, actual.length - 1), actualLength: actual.length });
    for (let i = 0; i < actual.length; i++) {
      assert(hasOwn(actual, i) === hasOwn(expected, i), 'assert_array_equals', description,
        'expected property ${i} to be ${expected} but was ${actual} (expected array ${arrayExpected} got ${arrayActual})',
        { i: i, expected: hasOwn(expected, i) ? 'present' : 'missing', actual: hasOwn(actual, i) ? 'present' : 'missing',
          arrayExpected: shorten_array(expected, i), arrayActual: shorten_array(actual, i) });
      assert(same_value(expected[i], actual[i]), 'assert_array_equals', description,
        'expected property ${i} to be ${expected} but got ${actual} (expected array ${arrayExpected} got ${arrayActual})',
        { i: i, expected: expected[i], actual: actual[i], arrayExpected: shorten_array(expected, i),
          arrayActual: shorten_array(actual, i) });
    }
  }

  function assert_array_approx_equals(actual, expected, epsilon, description) {
    recordAssert('assert_array_approx_equals');
    assert(actual.length === expected.length, 'assert_array_approx_equals', description,
      'lengths differ, expected ${expected} got ${actual}', { expected: expected.length, actual: actual.length });
    for (let i = 0; i < actual.length; i++) {
      assert(hasOwn(actual, i) === hasOwn(expected, i), 'assert_array_approx_equals', description,
        'property ${i}, property expected to be ${expected} but was ${actual}',
        { i: i, expected: hasOwn(expected, i) ? 'present' : 'missing', actual: hasOwn(actual, i) ? 'present' : 'missing' });
      assert(typeof actual[i] === 'number', 'assert_array_approx_equals', description,
        'property ${i}, expected a number but got a ${type_actual}', { i: i, type_actual: typeof actual[i] });
      assert(MathAbs(actual[i] - expected[i]) <= epsilon, 'assert_array_approx_equals', description,
        'property ${i}, expected ${expected} +/- ${epsilon}, expected ${expected} but got ${actual}',
        { i: i, expected: expected[i], actual: actual[i], epsilon: epsilon });
    }
  }

  function assert_approx_equals(actual, expected, epsilon, description) {
    recordAssert('assert_approx_equals');
    assert(typeof actual === typeof expected, 'assert_approx_equals', description,
      'expected a ${type_expected} but got a ${type_actual}', { type_expected: typeof expected, type_actual: typeof actual });
    if (isFinite(actual) || isFinite(expected)) {
      assert(MathAbs(actual - expected) <= epsilon, 'assert_approx_equals', description,
        'expected ${expected} +/- ${epsilon} but got ${actual}', { expected: expected, actual: actual, epsilon: epsilon });
    } else {
      assert_equals(actual, expected);
    }
  }

  function compareNumbers(name, actual, expected, ok, relation, description) {
    recordAssert(name);
    assert(typeof actual === typeof expected && (typeof actual === 'number' || typeof actual === 'bigint'), name,
      description, 'expected a ' + (typeof expected === 'bigint' ? 'bigint' : 'number') + ' but got a ${type_actual}',
      { type_actual: typeof actual });
    assert(ok, name, description, 'expected a number ' + relation + ' ${expected} but got ${actual}',
      { expected: expected, actual: actual });
  }

  function assert_less_than(actual, expected, description) {
    compareNumbers('assert_less_than', actual, expected, actual < expected, 'less than', description);
  }
  function assert_greater_than(actual, expected, description) {
    compareNumbers('assert_greater_than', actual, expected, actual > expected, 'greater than', description);
  }
  function assert_less_than_equal(actual, expected, description) {
    compareNumbers('assert_less_than_equal', actual, expected, actual <= expected, 'less than or equal to', description);
  }
  function assert_greater_than_equal(actual, expected, description) {
    compareNumbers('assert_greater_than_equal', actual, expected, actual >= expected, 'greater than or equal to', description);
  }

  function assert_between(name, actual, lower, upper, ok, description) {
    recordAssert(name);
    assert(typeof actual === 'number' || typeof actual === 'bigint', name, description,
      'expected a number but got a ${type_actual}', { type_actual: typeof actual });
    assert(ok, name, description, 'expected a number greater than ' +
      (name === 'assert_between_inclusive' ? 'or equal to ' : '') + '${lower} and less than ' +
      (name === 'assert_between_inclusive' ? 'or equal to ' : '') + '${upper} but got ${actual}',
      { lower: lower, upper: upper, actual: actual });
  }
  function assert_between_exclusive(actual, lower, upper, description) {
    assert_between('assert_between_exclusive', actual, lower, upper, actual > lower && actual < upper, description);
  }
  function assert_between_inclusive(actual, lower, upper, description) {
    assert_between('assert_between_inclusive', actual, lower, upper, actual >= lower && actual <= upper, description);
  }

  function assert_regexp_match(actual, expected, description) {
    recordAssert('assert_regexp_match');
    assert(expected.test(actual), 'assert_regexp_match', description, 'expected ${expected} but got ${actual}',
      { expected: expected, actual: actual });
  }

  function assert_class_string(object, class_string, description) {
    recordAssert('assert_class_string');
    const actual = ObjectToString(object);
    const expected = '[object ' + class_string + ']';
    assert(same_value(actual, expected), 'assert_class_string', description, 'expected ${expected} but got ${actual}',
      { expected: expected, actual: actual });
  }

  function assert_own_property(object, property_name, description) {
    recordAssert('assert_own_property');
    assert(hasOwn(object, property_name), 'assert_own_property', description,
      'expected property ${p} missing', { p: property_name });
  }

  function assert_not_own_property(object, property_name, description) {
    recordAssert('assert_not_own_property');
    assert(!hasOwn(object, property_name), 'assert_not_own_property', description,
      'unexpected property ${p} is found on object', { p: property_name });
  }

  function inherits(name) {
    return function (object, property_name, description) {
      recordAssert(name);
      assert((typeof object === 'object' && object !== null) || typeof object === 'function', name, description,
        'provided value is not an object');
      assert('hasOwnProperty' in object, name, description, 'provided value is an object but has no hasOwnProperty method');
      assert(!hasOwn(object, property_name), name, description, 'property ${p} found on object expected in prototype chain',
        { p: property_name });
      assert(property_name in object, name, description, 'property ${p} not found in prototype chain',
        { p: property_name });
    };
  }
  const assert_inherits = inherits('assert_inherits');
  const assert_idl_attribute = inherits('assert_idl_attribute');

  function assert_readonly(object, property_name, description) {
    recordAssert('assert_readonly');
    const initial = object[property_name];
    try {
      // Sloppy-mode assignment: may silently fail, or throw in strict code paths.
      ReflectApply(function (o, p, v) {
        o[p] = v;
      }, undefined, [object, property_name, initial === undefined ? 'changed' : initial + 'a']);
    } catch (e) {
      // A TypeError for writing to a read-only property is fine.
    }
    try {
      assert(same_value(object[property_name], initial), 'assert_readonly', description,
        'changing property ${p} succeeded', { p: property_name });
    } finally {
      try {
        object[property_name] = initial;
      } catch (e) {}
    }
  }

  function assert_unreached(description) {
    recordAssert('assert_unreached');
    assert(false, 'assert_unreached', description, 'Reached unreachable code');
  }

  function assert_implements(condition, description) {
    recordAssert('assert_implements');
    assert(!!condition, 'assert_implements', description, '');
  }

  function assert_implements_optional(condition, description) {
    recordAssert('assert_implements_optional');
    if (!condition) throw new OptionalFeatureUnsupportedError(description === undefined ? '' : StringCtor(description));
  }

  function assert_object_equals(actual, expected, description) {
    recordAssert('assert_object_equals');
    assert(typeof actual === 'object' && actual !== null, 'assert_object_equals', description,
      'value is ${actual}, expected object', { actual: actual });
    const check = function (a, e, path, stack) {
      const aKeys = ObjectKeys(a);
      for (let i = 0; i < aKeys.length; i++) {
        const p = aKeys[i];
        assert(hasOwn(e, p), 'assert_object_equals', description, 'unexpected property ${p}', { p: path + p });
      }
      const eKeys = ObjectKeys(e);
      for (let i = 0; i < eKeys.length; i++) {
        const p = eKeys[i];
        assert(hasOwn(a, p), 'assert_object_equals', description, 'expected property ${p} missing', { p: path + p });
        const ev = e[p];
        const av = a[p];
        if (typeof ev === 'object' && ev !== null) {
          if (ArrayIndexOf(stack, ev) === -1) {
            assert(typeof av === 'object' && av !== null, 'assert_object_equals', description,
              'property ${p} expected ${expected} got ${actual}', { p: path + p, expected: ev, actual: av });
            ArrayPush(stack, ev);
            check(av, ev, path + p + '.', stack);
            stack.length--;
          }
        } else {
          assert(same_value(av, ev), 'assert_object_equals', description,
            'property ${p} expected ${expected} got ${actual}', { p: path + p, expected: ev, actual: av });
        }
      }
    };
    check(actual, expected, '', [expected]);
  }

  function assert_any(assert_func, actual, expected_array) {
    const args = ArraySlice(arguments, 3);
    const errors = [];
    for (let i = 0; i < expected_array.length; i++) {
      try {
        ReflectApply(assert_func, undefined, [actual, expected_array[i]].concat(args));
        return;
      } catch (e) {
        ArrayPush(errors, e.message);
      }
    }
    throw new AssertionError(ArrayJoin(errors, '\n\n'));
  }

  function assert_exists(object, property_name, description) {
    recordAssert('assert_exists');
    assert(hasOwn(object, property_name), 'assert_exists', description, '${p} expected to exist', { p: property_name });
  }
  function assert_not_exists(object, property_name, description) {
    recordAssert('assert_not_exists');
    assert(!hasOwn(object, property_name), 'assert_not_exists', description, '${p} unexpected property',
      { p: property_name });
  }

  function isErrorSubtype(constructor) {
    let obj = constructor;
    while (obj) {
      if (typeof obj === 'function' && obj.name === 'Error') return true;
      obj = ObjectGetPrototypeOf(obj);
    }
    return false;
  }

  function checkThrownJs(constructor, e, func, description, function_name) {
    if (e instanceof AssertionError) throw e;
    assert(typeof e === 'object', function_name, description, '${func} threw ${e} with type ${type}, not an object',
      { func: func, e: e, type: typeof e });
    assert(e !== null, function_name, description, '${func} threw null, not an object', { func: func });
    assert(typeof constructor === 'function', function_name, description, '${constructor} is not a constructor',
      { constructor: constructor });
    assert(isErrorSubtype(constructor), function_name, description, '${constructor} is not an Error subtype',
      { constructor: constructor });
    assert(e.constructor === constructor && e.name === constructor.name, function_name, description,
      '${func} threw ${actual} (${actual_name}) expected instance of ${expected} (${expected_name})',
      { func: func, actual: e, actual_name: e.name, expected: constructor, expected_name: constructor.name });
  }

  function assert_throws_js(constructor, func, description) {
    recordAssert('assert_throws_js');
    assert_throws_js_impl(constructor, func, description, 'assert_throws_js');
  }

  function assert_throws_js_impl(constructor, func, description, function_name) {
    let threw = false;
    let e;
    try {
      ReflectApply(func, this, []);
    } catch (x) {
      threw = true;
      e = x;
    }
    if (!threw) assert(false, function_name, description, '${func} did not throw', { func: func });
    checkThrownJs(constructor, e, func, description, function_name);
  }

  // Legacy DOMException codes by name (0 for names introduced without a code).
  const DOM_CODE_NAMES = {
    INDEX_SIZE_ERR: 'IndexSizeError', HIERARCHY_REQUEST_ERR: 'HierarchyRequestError',
    WRONG_DOCUMENT_ERR: 'WrongDocumentError', INVALID_CHARACTER_ERR: 'InvalidCharacterError',
    NO_MODIFICATION_ALLOWED_ERR: 'NoModificationAllowedError', NOT_FOUND_ERR: 'NotFoundError',
    NOT_SUPPORTED_ERR: 'NotSupportedError', INUSE_ATTRIBUTE_ERR: 'InUseAttributeError',
    INVALID_STATE_ERR: 'InvalidStateError', SYNTAX_ERR: 'SyntaxError',
    INVALID_MODIFICATION_ERR: 'InvalidModificationError', NAMESPACE_ERR: 'NamespaceError',
    INVALID_ACCESS_ERR: 'InvalidAccessError', TYPE_MISMATCH_ERR: 'TypeMismatchError',
    SECURITY_ERR: 'SecurityError', NETWORK_ERR: 'NetworkError', ABORT_ERR: 'AbortError',
    URL_MISMATCH_ERR: 'URLMismatchError', QUOTA_EXCEEDED_ERR: 'QuotaExceededError', TIMEOUT_ERR: 'TimeoutError',
    INVALID_NODE_TYPE_ERR: 'InvalidNodeTypeError', DATA_CLONE_ERR: 'DataCloneError',
  };
  const DOM_NAME_CODES = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
    InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
    EncodingError: 0, NotReadableError: 0, UnknownError: 0, ConstraintError: 0, DataError: 0,
    TransactionInactiveError: 0, ReadOnlyError: 0, VersionError: 0, OperationError: 0, NotAllowedError: 0,
    OptOutError: 0,
  };
  const DOM_CODES_TO_NAME = ObjectCreate(null);
  {
    const names = ObjectKeys(DOM_NAME_CODES);
    for (let i = 0; i < names.length; i++) {
      const c = DOM_NAME_CODES[names[i]];
      if (c !== 0) DOM_CODES_TO_NAME[c] = names[i];
    }
  }

  function checkThrownDom(type, constructor, e, func, description, function_name) {
    if (e instanceof AssertionError) throw e;
    assert(typeof e === 'object', function_name, description, '${func} threw ${e} with type ${type}, not an object',
      { func: func, e: e, type: typeof e });
    assert(e !== null, function_name, description, '${func} threw null, not an object', { func: func });
    if (typeof type !== 'number' && typeof type !== 'string') {
      throw new AssertionError('Test bug: need to pass exception to ' + function_name + '()');
    }
    let name;
    const required = {};
    if (typeof type === 'number') {
      if (type === 0) throw new AssertionError('Test bug: ambiguous DOMException code 0 passed to ' + function_name + '()');
      if (DOM_CODES_TO_NAME[type] === undefined) {
        throw new AssertionError('Test bug: unrecognized DOMException code "' + type + '" passed to ' + function_name + '()');
      }
      name = DOM_CODES_TO_NAME[type];
      required.code = type;
    } else {
      name = hasOwn(DOM_CODE_NAMES, type) ? DOM_CODE_NAMES[type] : type;
      if (!hasOwn(DOM_NAME_CODES, name)) {
        throw new AssertionError('Test bug: unrecognized DOMException code name or name "' + type + '" passed to ' +
          function_name + '()');
      }
      required.code = DOM_NAME_CODES[name];
    }
    // Name-only exceptions and new-style names are checked by name as well as by code.
    if (required.code === 0 || ('name' in e && e.name !== StringToUpperCase(StringCtor(e.name)) && e.name !== 'DOMException')) {
      required.name = name;
    }
    const props = ObjectKeys(required);
    for (let i = 0; i < props.length; i++) {
      const prop = props[i];
      assert(prop in e && e[prop] === required[prop], function_name, description,
        '${func} threw ${e} that is not a DOMException ' + type + ': property ${prop} is equal to ${actual}, expected ${expected}',
        { func: func, e: e, prop: prop, actual: prop in e ? e[prop] : undefined, expected: required[prop] });
    }
    assert(e.constructor === constructor, function_name, description,
      '${func} threw an exception from the wrong global', { func: func });
  }

  function assert_throws_dom(type, funcOrConstructor, descriptionOrFunc, maybeDescription) {
    recordAssert('assert_throws_dom');
    let constructor, func, description;
    if (typeof funcOrConstructor === 'function' && typeof descriptionOrFunc === 'function') {
      constructor = funcOrConstructor;
      func = descriptionOrFunc;
      description = maybeDescription;
    } else {
      constructor = G.DOMException !== undefined ? G.DOMException : DOMException_;
      func = funcOrConstructor;
      description = descriptionOrFunc;
    }
    let threw = false;
    let e;
    try {
      ReflectApply(func, this, []);
    } catch (x) {
      threw = true;
      e = x;
    }
    if (!threw) assert(false, 'assert_throws_dom', description, '${func} did not throw', { func: func });
    checkThrownDom(type, constructor, e, func, description, 'assert_throws_dom');
  }

  // Legacy assert_throws(code, func), removed from testharness.js in 2020 but still in older WPT
  // snapshots: a DOMException name/code (string or number), or an object whose `name` (and, for
  // DOMException names, legacy `code`) the thrown value must have.
  function assert_throws(code, func, description) {
    recordAssert('assert_throws');
    let threw = false;
    let e;
    try {
      ReflectApply(func, this, []);
    } catch (x) {
      threw = true;
      e = x;
    }
    if (!threw) assert(false, 'assert_throws', description, '${func} did not throw', { func: func });
    if (e instanceof AssertionError) throw e;
    if (typeof code === 'string' || typeof code === 'number') {
      checkThrownDom(code, G.DOMException !== undefined ? G.DOMException : DOMException_, e, func, description, 'assert_throws');
      return;
    }
    assert(typeof e === 'object' && e !== null, 'assert_throws', description,
      '${func} threw ${e} with type ${type}, not an object', { func: func, e: e, type: typeof e });
    const name = code !== null && typeof code === 'object' && 'name' in code ? code.name : undefined;
    if (name === undefined) return;
    assert('name' in e && e.name === name, 'assert_throws', description,
      '${func} threw ${actual} (${actual_name}) expected ${expected} (${expected_name})',
      { func: func, actual: e, actual_name: e.name, expected: code, expected_name: name });
    if (hasOwn(DOM_NAME_CODES, name) && DOM_NAME_CODES[name] !== 0 && typeof name === 'string' && name !== 'SyntaxError') {
      assert(e.code === DOM_NAME_CODES[name], 'assert_throws', description,
        '${func} threw ${e} with code ${actual}, expected ${expected}', { func: func, e: e, actual: e.code, expected: DOM_NAME_CODES[name] });
    }
  }

  // QuotaExceededError (a DOMException subclass with `requested` and `quota`; null skips a check).
  function checkQuotaExceeded(e, func, requested, quota, description, function_name) {
    if (e instanceof AssertionError) throw e;
    assert(typeof e === 'object' && e !== null, function_name, description,
      '${func} threw ${e} with type ${type}, not an object', { func: func, e: e, type: typeof e });
    assert(e.name === 'QuotaExceededError', function_name, description,
      '${func} threw ${e} whose name is ${name}, expected "QuotaExceededError"', { func: func, e: e, name: e.name });
    assert(e.code === 22, function_name, description, '${func} threw ${e} with code ${code}, expected 22',
      { func: func, e: e, code: e.code });
    const Q = G.QuotaExceededError;
    const expected = typeof Q === 'function' ? Q : (G.DOMException !== undefined ? G.DOMException : DOMException_);
    assert(e.constructor === expected, function_name, description,
      '${func} threw an exception that is not a QuotaExceededError of this global', { func: func });
    if (requested !== null && requested !== undefined) {
      assert(e.requested === requested, function_name, description, 'expected requested ${expected} but got ${actual}',
        { expected: requested, actual: e.requested });
    }
    if (quota !== null && quota !== undefined) {
      assert(e.quota === quota, function_name, description, 'expected quota ${expected} but got ${actual}',
        { expected: quota, actual: e.quota });
    }
  }

  function assert_throws_quotaexceedederror(func, requested, quota, description) {
    recordAssert('assert_throws_quotaexceedederror');
    let threw = false;
    let e;
    try {
      ReflectApply(func, this, []);
    } catch (x) {
      threw = true;
      e = x;
    }
    if (!threw) assert(false, 'assert_throws_quotaexceedederror', description, '${func} did not throw', { func: func });
    checkQuotaExceeded(e, func, requested, quota, description, 'assert_throws_quotaexceedederror');
  }

  function promise_rejects_quotaexceedederror(t, promise, requested, quota, description) {
    return then(PromiseResolve(promise), t.unreached_func('Should have rejected: ' + description), function (e) {
      checkQuotaExceeded(e, function () { throw e; }, requested, quota, description, 'promise_rejects_quotaexceedederror');
    });
  }

  function assert_throws_exactly(exception, func, description) {
    recordAssert('assert_throws_exactly');
    let threw = false;
    let e;
    try {
      ReflectApply(func, this, []);
    } catch (x) {
      threw = true;
      e = x;
    }
    if (!threw) assert(false, 'assert_throws_exactly', description, '${func} did not throw', { func: func });
    if (e instanceof AssertionError) throw e;
    assert(same_value(e, exception), 'assert_throws_exactly', description,
      '${func} threw ${e} but we expected it to throw ${exception}', { func: func, e: e, exception: exception });
  }

  function isThenable(p) {
    return p !== null && (typeof p === 'object' || typeof p === 'function') && typeof p.then === 'function';
  }

  function promise_rejects_js(t, constructor, promise, description) {
    return then(PromiseResolve(promise), t.unreached_func('Should have rejected: ' + description), function (e) {
      checkThrownJs(constructor, e, function () { throw e; }, description, 'promise_rejects_js');
    });
  }

  function promise_rejects_dom(t, type, promiseOrConstructor, descriptionOrPromise, maybeDescription) {
    let constructor, promise, description;
    if (typeof promiseOrConstructor === 'function' && isThenable(descriptionOrPromise)) {
      constructor = promiseOrConstructor;
      promise = descriptionOrPromise;
      description = maybeDescription;
    } else {
      constructor = G.DOMException !== undefined ? G.DOMException : DOMException_;
      promise = promiseOrConstructor;
      description = descriptionOrPromise;
    }
    return then(PromiseResolve(promise), t.unreached_func('Should have rejected: ' + description), function (e) {
      checkThrownDom(type, constructor, e, function () { throw e; }, description, 'promise_rejects_dom');
    });
  }

  // Legacy promise_rejects(t, code, promise): assert_throws semantics on the rejection.
  function promise_rejects(t, code, promise, description) {
    return then(PromiseResolve(promise), t.unreached_func('Should have rejected: ' + description), function (e) {
      assert_throws(code, function () { throw e; }, description);
    });
  }

  function promise_rejects_exactly(t, exception, promise, description) {
    return then(PromiseResolve(promise), t.unreached_func('Should have rejected: ' + description), function (e) {
      if (e instanceof AssertionError) throw e;
      assert(same_value(e, exception), 'promise_rejects_exactly', description,
        'promise rejected with ${e} but we expected it to reject with ${exception}', { e: e, exception: exception });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // EventWatcher: waits for a sequence of events on an EventTarget; any other watched event fails.
  function EventWatcher(test, watchedNode, eventTypes, timeoutPromise) {
    if (typeof eventTypes === 'string') eventTypes = [eventTypes];
    let waitingFor = null;
    let recordedEvents = null;
    const watcher = this;

    const eventHandler = test.step_func(function (evt) {
      assert_true(!!waitingFor, 'Not expecting event, but got ' + evt.type + ' event');
      assert_equals(evt.type, waitingFor.types[0], 'Expected ' + waitingFor.types[0] +
        (waitingFor.types.length > 1 ? ' as first event' : '') + ', but got ' + evt.type + ' event instead');
      if (ArrayIsArray(recordedEvents)) ArrayPush(recordedEvents, evt);
      if (waitingFor.types.length > 1) {
        waitingFor.types = ArraySlice(waitingFor.types, 1);
        return;
      }
      const resolveFunc = waitingFor.resolve;
      waitingFor = null;
      const result = recordedEvents !== null ? recordedEvents : evt;
      recordedEvents = null;
      resolveFunc(result);
    });

    for (let i = 0; i < eventTypes.length; i++) watchedNode.addEventListener(eventTypes[i], eventHandler, false);

    this.wait_for = function (types, options) {
      if (waitingFor) return PromiseReject('Already waiting for an event or events');
      if (typeof types === 'string') types = [types];
      if (options && options.record && options.record === 'all') recordedEvents = [];
      return new Promise_(function (resolve, reject) {
        let timeout = test.step_func(function () {
          if (waitingFor && waitingFor.resolve === resolve) {
            waitingFor = null;
            reject(new AssertionError('Timed out waiting for ' + ArrayJoin(types, ', ')));
          }
        });
        if (timeoutPromise) {
          then(timeoutPromise(), timeout);
        }
        waitingFor = { types: types, resolve: resolve, reject: reject };
      });
    };

    this.stop_watching = function () {
      for (let i = 0; i < eventTypes.length; i++) watchedNode.removeEventListener(eventTypes[i], eventHandler, false);
    };

    test._add_internal_cleanup(function () {
      watcher.stop_watching();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // common/subset-tests.js: run a slice of a file's tests, chosen by the variant query string.
  let subsetStart = 0;
  let subsetEnd = Infinity;
  let currentSubTest = 0;
  // common/subset-tests-by-key.js: `?include=RE` or `?exclude=RE` (the first one), matched as ^RE$.
  let subsetKeyPattern = null;
  let subsetKeyExclude = false;

  function parseSubsetQuery(search) {
    if (!search) return;
    const m = RegExpExec(/(?:^\?|&)(\d+)-(\d+|last)(?:&|$)/, search);
    if (m) {
      subsetStart = +m[1];
      if (m[2] !== 'last') subsetEnd = +m[2];
    }
    const k = RegExpExec(/(?:^\?|&)(include|exclude)=([^&]+)?/, search);
    if (k) {
      try {
        subsetKeyPattern = new RegExp('^' + k[2] + '$');
        subsetKeyExclude = k[1] === 'exclude';
      } catch (e) {
        subsetKeyPattern = null;
      }
    }
  }

  function shouldRunSubTest(n) {
    return n >= subsetStart && n <= subsetEnd;
  }

  function subsetTest(testFunc) {
    currentSubTest++;
    if (shouldRunSubTest(currentSubTest)) return ReflectApply(testFunc, undefined, ArraySlice(arguments, 1));
    return null;
  }

  function subsetTestByKey(key, testFunc) {
    let run = true;
    if (key && subsetKeyPattern !== null) {
      const found = RegExpTest(subsetKeyPattern, key);
      run = subsetKeyExclude ? !found : found;
    }
    return run ? ReflectApply(testFunc, undefined, ArraySlice(arguments, 2)) : null;
  }

  // ---------------------------------------------------------------------------------------------
  // The scope WPT files see: `location` (when the runtime has none) and static resources for fetch.
  function makeLocation(href) {
    const m = RegExpExec(/^([a-z][a-z0-9+.-]*:)\/\/([^/:?#]*)(?::(\d+))?([^?#]*)(\?[^#]*)?(#.*)?$/i, href);
    if (!m) return null;
    const protocol = m[1];
    const hostname = m[2];
    const port = m[3] === undefined ? '' : m[3];
    const host = port === '' ? hostname : hostname + ':' + port;
    const search = m[5] === undefined || m[5] === '?' ? '' : m[5];
    const hash = m[6] === undefined || m[6] === '#' ? '' : m[6];
    const loc = {
      href: href,
      origin: protocol + '//' + host,
      protocol: protocol,
      host: host,
      hostname: hostname,
      port: port,
      pathname: m[4] === '' ? '/' : m[4],
      search: search,
      hash: hash,
    };
    ObjectDefineProperty(loc, 'toString', { value: function () { return href; }, enumerable: false });
    if (typeof Symbol === 'function') {
      ObjectDefineProperty(loc, Symbol.toStringTag, { value: 'WorkerLocation', enumerable: false });
    }
    return ObjectFreeze(loc);
  }

  // Resolves a URL string against the test file's URL (enough for WPT's own relative paths).
  function resolvePath(input, baseHref) {
    const base = makeLocation(baseHref);
    if (RegExpTest(/^[a-z][a-z0-9+.-]*:/i, input)) return input;
    let path = input;
    let suffix = '';
    const q = StringIndexOf(path, '?');
    const h = StringIndexOf(path, '#');
    const cut = q === -1 ? h : h === -1 ? q : q < h ? q : h;
    if (cut !== -1) {
      suffix = StringSlice(path, cut);
      path = StringSlice(path, 0, cut);
    }
    if (StringStartsWith(path, '//')) return base.protocol + input;
    let segments;
    if (StringStartsWith(path, '/')) segments = StringSplit(path, '/');
    else {
      const dir = StringSlice(base.pathname, 0, base.pathname.lastIndexOf('/') + 1);
      segments = StringSplit(dir + path, '/');
    }
    const out = [];
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      if (s === '..') {
        if (out.length > 1) out.length--;
      } else if (s !== '.') ArrayPush(out, s);
    }
    if (path === '' || segments[segments.length - 1] === '.' || segments[segments.length - 1] === '..') ArrayPush(out, '');
    let joined = ArrayJoin(out, '/');
    if (!StringStartsWith(joined, '/')) joined = '/' + joined;
    return base.origin + joined + suffix;
  }

  const MIME_BY_EXT = {
    json: 'application/json', js: 'text/javascript', txt: 'text/plain', html: 'text/html', xml: 'application/xml',
    png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', css: 'text/css', wasm: 'application/wasm',
  };

  // testharness.js' fetch_json(resource): the resource's JSON. Read through the runner, so data
  // files load even where fetch() is under test or missing (as in a ShadowRealm).
  function makeFetchJson(baseHref) {
    const origin = makeLocation(baseHref).origin;
    return function fetch_json(resource) {
      return new Promise_(function (resolve, reject) {
        const absolute = resolvePath(StringCtor(resource), baseHref);
        if (!StringStartsWith(absolute, origin + '/')) {
          reject(new TypeError('fetch_json: ' + absolute + ' is not a resource of the test server'));
          return;
        }
        let path = StringSlice(absolute, origin.length);
        const cut = RegExpExec(/[?#]/, path);
        if (cut) path = StringSlice(path, 0, cut.index);
        let r;
        try {
          r = report('resource', path);
        } catch (e) {
          reject(e);
          return;
        }
        if (r === undefined || r === null || r.status !== 200) {
          reject(new TypeError('fetch_json: ' + path + ' not found'));
          return;
        }
        try {
          resolve(JSONParse(decodeUtf8(r.body)));
        } catch (e) {
          reject(e);
        }
      });
    };
  }

  // UTF-8 decoding without TextDecoder (which may be what a file tests).
  function decodeUtf8(buffer) {
    const bytes = new Uint8Array(buffer);
    let out = '';
    let chunk = [];
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      let cp = 0xfffd;
      let n = 1;
      if (b < 0x80) cp = b;
      else if (b >= 0xc2 && b < 0xe0 && i + 1 < bytes.length) {
        cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
        n = 2;
      } else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length) {
        cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
        n = 3;
      } else if (b >= 0xf0 && b < 0xf5 && i + 3 < bytes.length) {
        cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
        n = 4;
      }
      i += n;
      if (cp > 0xffff) {
        cp -= 0x10000;
        ArrayPush(chunk, 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else ArrayPush(chunk, cp);
      if (chunk.length > 8000) {
        out += ReflectApply(String.fromCharCode, undefined, chunk);
        chunk = [];
      }
    }
    return out + ReflectApply(String.fromCharCode, undefined, chunk);
  }

  function installStaticFetch(baseHref) {
    const realFetch = G.fetch;
    const ResponseCtor = G.Response;
    if (typeof ResponseCtor !== 'function') return;
    const origin = makeLocation(baseHref).origin;
    const staticFetch = function fetch(input, init) {
      let url = null;
      if (typeof input === 'string') url = input;
      else if (input !== null && typeof input === 'object' && typeof input.href === 'string' &&
        ObjectToString(input) === '[object URL]') url = input.href;
      const method = init && init.method !== undefined ? StringToUpperCase(StringCtor(init.method)) : 'GET';
      if (url !== null && (method === 'GET' || method === 'HEAD')) {
        const absolute = resolvePath(url, baseHref);
        let path = StringStartsWith(absolute, origin + '/') ? StringSlice(absolute, origin.length) : null;
        if (path !== null) {
          const cut = RegExpExec(/[?#]/, path);
          if (cut) path = StringSlice(path, 0, cut.index);
        }
        // Only JSON test data is served: any other request is the runtime's own fetch at work.
        if (path !== null && RegExpTest(/\.json$/, path)) {
          return new Promise_(function (resolve, reject) {
            let r;
            try {
              r = report('resource', path);
            } catch (e) {
              reject(new TypeError('Failed to fetch'));
              return;
            }
            if (r === undefined || r === null || r.status !== 200) {
              resolve(new ResponseCtor('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } }));
              return;
            }
            const dot = path.lastIndexOf('.');
            const ext = dot === -1 ? '' : StringSlice(path, dot + 1);
            const type = hasOwn(MIME_BY_EXT, ext) ? MIME_BY_EXT[ext] : 'application/octet-stream';
            resolve(new ResponseCtor(method === 'HEAD' ? null : r.body, { status: 200, headers: { 'content-type': type } }));
          });
        }
      }
      if (typeof realFetch !== 'function') return PromiseReject(new TypeError('fetch is not available'));
      return ReflectApply(realFetch, this, arguments);
    };
    if (typeof realFetch === 'function') {
      ObjectDefineProperty(staticFetch, 'length', { value: realFetch.length, configurable: true });
    }
    ObjectDefineProperty(G, 'fetch', { value: staticFetch, writable: true, enumerable: true, configurable: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Boot: install the API on the global and hand the runner its control function.
  function expose(name, value) {
    ObjectDefineProperty(G, name, { value: value, writable: true, enumerable: false, configurable: true });
  }

  function installGlobalErrorHandlers() {
    if (addEventListener_ === undefined) return;
    try {
      ReflectApply(addEventListener_, G, ['error', function (ev) {
        // As WPT's harness: with allow_uncaught_exception nothing is recorded, so the error is not
        // inspected either (reportError tests check that no getter of the thrown value runs).
        if (harness.allowUncaught && !harness.singleTest) return;
        const err = ev && ev.error;
        const message = err !== undefined && err !== null ? errorMessage(err) : ev && ev.message ? StringCtor(ev.message) : 'Uncaught error';
        uncaught(message, errorStack(err), err instanceof OptionalFeatureUnsupportedError);
      }]);
      ReflectApply(addEventListener_, G, ['unhandledrejection', function (ev) {
        const reason = ev ? ev.reason : undefined;
        uncaught('Unhandled rejection: ' + errorMessage(reason), errorStack(reason),
          reason instanceof OptionalFeatureUnsupportedError);
      }]);
    } catch (e) {}
  }

  function boot(reportCallback, runConfig) {
    report = reportCallback;
    config = runConfig || {};
    const href = typeof config.href === 'string' ? config.href : 'http://web-platform.test:8000/';
    const loc = makeLocation(href);
    parseSubsetQuery(loc === null ? '' : loc.search);
    if (typeof config.testTimeout === 'number') harness.testTimeout = config.testTimeout;

    if (typeof G.self === 'undefined') expose('self', G);
    if (config.location !== false && typeof G.location === 'undefined' && loc !== null) {
      ObjectDefineProperty(G, 'location', { value: loc, writable: true, enumerable: true, configurable: true });
    }
    if (config.staticFetch) installStaticFetch(href);
    expose('fetch_json', makeFetchJson(href));
    // The runner appends `;<marker>();` to each script it evaluates, to tell a script that threw
    // from one that completed while a promise rejected unhandled (both fail the host's call).
    let scriptsCompleted = 0;
    if (typeof config.marker === 'string') {
      ObjectDefineProperty(G, config.marker, {
        value: function () { scriptsCompleted++; }, writable: false, enumerable: false, configurable: true,
      });
    }

    const api = {
      test, async_test, promise_test, promise_setup, setup, done, generate_tests, on_event, step_timeout, format_value,
      add_start_callback, add_result_callback, add_completion_callback,
      assert_true, assert_false, assert_equals, assert_not_equals, assert_in_array, assert_array_equals,
      assert_array_approx_equals, assert_approx_equals, assert_less_than, assert_greater_than, assert_less_than_equal,
      assert_greater_than_equal, assert_between_exclusive, assert_between_inclusive, assert_regexp_match,
      assert_class_string, assert_own_property, assert_not_own_property, assert_inherits, assert_idl_attribute,
      assert_readonly, assert_throws_js, assert_throws_dom, assert_throws_exactly, assert_throws, assert_unreached,
      assert_implements, assert_implements_optional, assert_precondition: assert_implements_optional,
      assert_object_equals, assert_any, assert_exists, assert_not_exists,
      promise_rejects_js, promise_rejects_dom, promise_rejects_exactly, promise_rejects,
      assert_throws_quotaexceedederror, promise_rejects_quotaexceedederror,
      EventWatcher, AssertionError, OptionalFeatureUnsupportedError,
      subsetTest, subsetTestByKey, shouldRunSubTest,
      timeout: harnessTimeout,
    };
    const names = ObjectKeys(api);
    for (let i = 0; i < names.length; i++) expose(names[i], api[names[i]]);
    expose('GLOBAL', {
      isWindow: function () { return false; },
      isWorker: function () { return config.scope === 'worker'; },
      isShadowRealm: function () { return config.scope === 'shadowrealm'; },
    });
    installGlobalErrorHandlers();

    return function control(kind, a, b) {
      switch (kind) {
        case 'loaded':
          doneLoading();
          return undefined;
        case 'error':
          uncaught(StringCtor(a), b === undefined ? null : b, false);
          doneLoading();
          return undefined;
        case 'timeout':
          harnessTimeout();
          return undefined;
        case 'state':
          return JSONStringify(harnessState());
        case 'scripts':
          return scriptsCompleted;
        default:
          throw new TypeError('unknown harness control ' + kind);
      }
    };
  }

  return boot;
})();
