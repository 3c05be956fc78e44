// Tenant code may replace built-ins before using Web Crypto; the runtime must keep working and must
// not call what the tenant installed (except where the spec itself says user code runs, e.g. the
// iterator of a keyUsages sequence or getters on an algorithm dictionary).
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('crypto with tampered built-ins', () => {
  it('keeps working when prototypes, Object, Reflect, JSON and typed-array members are replaced', async () => {
    const r = await evalInIsolate(`
      const subtle = crypto.subtle;
      // Captured before anything is replaced: the test's own plumbing must not trip the traps.
      const gopd = Object.getOwnPropertyDescriptor, dp = Object.defineProperty, apply = Reflect.apply;
      const values = Array.prototype.values;
      const abLength = gopd(ArrayBuffer.prototype, 'byteLength').get;
      const byteLength = (ab) => apply(abLength, ab, []);
      const calls = new Set();
      const trap = (name) => function () { calls.add(name); throw new Error('tampered ' + name); };
      const restore = {};
      let restoreCount = 0;
      const replace = (target, key, value) => {
        const d = gopd(target, key);
        restore['r' + restoreCount++] = () => dp(target, key, d);
        dp(target, key, { value, writable: true, configurable: true });
      };
      const replaceAccessor = (target, key, name) => {
        const d = gopd(target, key);
        restore['r' + restoreCount++] = () => d ? dp(target, key, d) : delete target[key];
        dp(target, key, { get: trap(name), set: trap(name), configurable: true });
      };
      const outcome = async (p) => { try { await p; return 'resolved'; } catch (e) { return e.name; } };
      const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
      const ArrayIteratorProto = Object.getPrototypeOf([][Symbol.iterator]());
      const originalNext = ArrayIteratorProto.next;
      let iteratorSteps = 0;
      // Counting, not throwing: keyUsages sequences are iterated through it by specification.
      const countingNext = function () { iteratorSteps++; return apply(originalNext, this, []); };

      // Keys made before tampering (used below).
      const hmac = await subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
      const aes = await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', true, ['encrypt', 'decrypt']);
      const kw = await subtle.importKey('raw', new Uint8Array(16), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
      const usagesSign = ['sign', 'verify'], usagesEncrypt = ['encrypt', 'decrypt'];

      for (const m of ['push', 'pop', 'includes', 'indexOf', 'map', 'forEach', 'slice', 'concat', 'join', 'filter', 'some']) replace(Array.prototype, m, trap('Array.prototype.' + m));
      let iteratorCreated = 0;
      replace(Array.prototype, Symbol.iterator, function () { iteratorCreated++; return apply(values, this, []); });
      replace(ArrayIteratorProto, 'next', countingNext);
      for (const m of ['then', 'catch', 'finally']) replace(Promise.prototype, m, trap('Promise.prototype.' + m));
      replaceAccessor(Promise, Symbol.species, 'Promise[@@species]');
      replace(Promise, 'resolve', trap('Promise.resolve'));
      replace(Promise, 'reject', trap('Promise.reject'));
      replace(Promise, 'withResolvers', trap('Promise.withResolvers'));
      for (const m of ['defineProperty', 'defineProperties', 'create', 'getOwnPropertyDescriptor', 'keys', 'assign', 'freeze', 'setPrototypeOf', 'getPrototypeOf']) replace(Object, m, trap('Object.' + m));
      for (const m of ['apply', 'construct', 'defineProperty', 'get', 'ownKeys']) replace(Reflect, m, trap('Reflect.' + m));
      replace(JSON, 'stringify', trap('JSON.stringify'));
      replace(JSON, 'parse', trap('JSON.parse'));
      replace(Function.prototype, 'call', trap('Function.prototype.call'));
      replace(Function.prototype, 'apply', trap('Function.prototype.apply'));
      replace(Function.prototype, 'bind', trap('Function.prototype.bind'));
      for (const m of ['set', 'slice', 'subarray', 'fill']) replace(TypedArrayProto, m, trap('TypedArray.prototype.' + m));
      for (const m of ['buffer', 'byteLength', 'byteOffset', 'length']) replaceAccessor(TypedArrayProto, m, 'TypedArray.prototype.' + m);
      replace(ArrayBuffer.prototype, 'slice', trap('ArrayBuffer.prototype.slice'));
      replaceAccessor(ArrayBuffer.prototype, 'byteLength', 'ArrayBuffer.prototype.byteLength');
      replace(Uint8Array.prototype, 'constructor', trap('Uint8Array.prototype.constructor'));
      replaceAccessor(Map.prototype, 'size', 'Map.prototype.size');
      for (const m of ['get', 'set', 'has', 'delete']) { replace(Map.prototype, m, trap('Map.prototype.' + m)); replace(WeakMap.prototype, m, trap('WeakMap.prototype.' + m)); }
      replace(String.prototype, 'toLowerCase', trap('String.prototype.toLowerCase'));
      replace(String.prototype, 'slice', trap('String.prototype.slice'));
      replace(Number.prototype, 'toString', trap('Number.prototype.toString'));
      // Setters a tenant could hope our internal objects would hit.
      for (const key of ['name', 'hash', 'length', 'id', 'public', 'constructor']) {
        if (key !== 'constructor') replaceAccessor(Object.prototype, key, 'Object.prototype.' + key + ' accessor');
      }
      replaceAccessor(Array.prototype, '0', 'Array.prototype[0] accessor');
      const savedDOMException = globalThis.DOMException;
      globalThis.DOMException = trap('DOMException');

      const out = {};
      // The setup loops above ran through the patched iterator too; count only what follows.
      iteratorSteps = 0;
      iteratorCreated = 0;
      try {
        const bytes = new Uint8Array(8);
        const digest = await subtle.digest('SHA-256', bytes);
        out.digest = new Uint8Array(digest)[0];
        const sig = await subtle.sign('HMAC', hmac, bytes);
        out.verify = await subtle.verify({ name: 'HMAC' }, hmac, sig, bytes);
        const iv = new Uint8Array(12);
        const ct = await subtle.encrypt({ name: 'AES-GCM', iv }, aes, bytes);
        out.decrypt = byteLength(await subtle.decrypt({ name: 'AES-GCM', iv }, aes, ct));
        out.tamper = await outcome(subtle.decrypt({ name: 'AES-GCM', iv }, aes, new ArrayBuffer(20)));
        out.unknown = await outcome(subtle.digest('MD5', bytes));
        out.badUsage = await outcome(subtle.sign('HMAC', aes, bytes));
        out.jwk = (await subtle.exportKey('jwk', hmac)).kty;
        const wrapped = await subtle.wrapKey('jwk', aes, kw, 'AES-KW');
        const back = await subtle.unwrapKey('jwk', wrapped, kw, 'AES-KW', 'AES-GCM', true, usagesEncrypt);
        out.unwrapped = back.type;
        const gen = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, usagesSign);
        out.pair = [gen.privateKey.type, gen.publicKey.type];
        const edSig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, gen.privateKey, bytes);
        out.ecdsa = await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, gen.publicKey, edSig, bytes);
        out.algorithm = gen.privateKey.algorithm.namedCurve;
        out.usages = gen.privateKey.usages.length;
        out.uuid = crypto.randomUUID().length;
        out.random = crypto.getRandomValues(new Uint32Array(4)) instanceof Uint32Array;
        out.randomQuota = (() => { try { crypto.getRandomValues(new Uint8Array(70000)); } catch (e) { return e.name; } })();
        out.iteratorStepsForUsages = iteratorSteps;
        out.iteratorsCreated = iteratorCreated;
      } catch (e) {
        out.error = String(e && e.message);
      } finally {
        globalThis.DOMException = savedDOMException;
        for (let i = restoreCount - 1; i >= 0; i--) restore['r' + i]();
      }
      out.calls = Array.from(calls);
      return out;
    `);
    expect(r).toEqual({
      digest: 0xaf, verify: true, decrypt: 8, tamper: 'OperationError', unknown: 'NotSupportedError',
      badUsage: 'InvalidAccessError', jwk: 'oct',
      unwrapped: 'secret', pair: ['private', 'public'], ecdsa: true, algorithm: 'P-256', usages: 1, uuid: 36,
      random: true, randomQuota: 'QuotaExceededError',
      // Only the two keyUsages sequences were iterated, through the tenant's @@iterator and next as
      // WebIDL requires (two values each: 3 steps each); nothing else was called.
      iteratorStepsForUsages: 6,
      iteratorsCreated: 2,
      calls: [],
    });
  });

  it('does not run tenant getters on Promise.prototype.constructor when settling', async () => {
    const r = await evalInIsolate(`
      let touched = 0;
      const d = Object.getOwnPropertyDescriptor(Promise.prototype, 'constructor');
      Object.defineProperty(Promise.prototype, 'constructor', { get() { touched++; return Promise; }, configurable: true });
      let result;
      try {
        const p = crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-CBC', false, ['encrypt']);
        const before = touched;
        // Observe settlement without calling then (await uses the internal PerformPromiseThen).
        const key = await p;
        result = [before, key.type];
      } finally {
        Object.defineProperty(Promise.prototype, 'constructor', d);
      }
      return result;
    `);
    expect(r).toEqual([0, 'secret']);
  });

  it('runs a tenant Object.prototype.then only on the final value, never on the host answer', async () => {
    const r = await evalInIsolate(`
      const seen = [];
      Object.prototype.then = function (resolve) {
        seen.push(Object.prototype.toString.call(this));
        delete Object.prototype.then;
        resolve(this);
      };
      let length;
      try {
        length = (await crypto.subtle.digest('SHA-256', new Uint8Array(1))).byteLength;
      } finally {
        delete Object.prototype.then;
      }
      return { length, seen };
    `);
    // Resolving the promise handed to the tenant with an ArrayBuffer consults `then` (spec-observable,
    // as in browsers); the runtime's internal answer object never reaches the tenant's function.
    expect(r).toEqual({ length: 32, seen: ['[object ArrayBuffer]'] });
  });
});
