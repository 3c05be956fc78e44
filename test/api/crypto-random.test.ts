// crypto.getRandomValues, crypto.randomUUID and the shape of the Crypto / SubtleCrypto / CryptoKey
// interfaces, in real isolates.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';
import { syncOps } from '../../runtime/host/ops/index.ts';
import type { SyncOp } from '../../runtime/host/ops/types.ts';

describe('crypto.getRandomValues', () => {
  it('fills integer typed arrays in place and returns the same object', async () => {
    const r = await evalInIsolate<Record<string, unknown>>(`
      const names = ['Int8Array','Int16Array','Int32Array','BigInt64Array','Uint8Array','Uint8ClampedArray','Uint16Array','Uint32Array','BigUint64Array'];
      const same = names.map((n) => { const a = new globalThis[n](8); return crypto.getRandomValues(a) === a && a.constructor === globalThis[n]; });
      const big = new Uint8Array(65536);
      crypto.getRandomValues(big);
      const zeros = big.reduce((n, b) => n + (b === 0 ? 1 : 0), 0);
      const empty = crypto.getRandomValues(new Uint32Array(0)).length;
      class Sub extends Uint16Array {}
      const sub = new Sub(16);
      const subOk = crypto.getRandomValues(sub) === sub && sub.some((x) => x !== 0);
      // A view into the middle of a buffer only touches its own bytes.
      const backing = new Uint8Array(64);
      crypto.getRandomValues(new Uint8Array(backing.buffer, 16, 32));
      const outside = backing.slice(0, 16).every((b) => b === 0) && backing.slice(48).every((b) => b === 0);
      const inside = backing.slice(16, 48).some((b) => b !== 0);
      return { same, zeros, empty, subOk, outside, inside };
    `);
    expect(r.same).toEqual(Array(9).fill(true));
    // 65536 random bytes: ~256 zeros expected; far from all-zero or unfilled.
    expect(r.zeros as number).toBeGreaterThan(100);
    expect(r.zeros as number).toBeLessThan(450);
    expect(r).toMatchObject({ empty: 0, subOk: true, outside: true, inside: true });
  });

  it('throws TypeMismatchError for float arrays and DataView, TypeError for non-views', async () => {
    const r = await evalInIsolate(`
      const name = (f) => { try { f(); return 'no error'; } catch (e) { return (e instanceof DOMException ? 'DOMException' : e.constructor.name) + ':' + e.name + (e instanceof DOMException ? ':' + e.code : ''); } };
      return {
        f32: name(() => crypto.getRandomValues(new Float32Array(6))),
        f64: name(() => crypto.getRandomValues(new Float64Array(6))),
        f32big: name(() => crypto.getRandomValues(new Float32Array(65536 / 4 + 1))),
        dv: name(() => crypto.getRandomValues(new DataView(new ArrayBuffer(6)))),
        dvbig: name(() => crypto.getRandomValues(new DataView(new ArrayBuffer(65537)))),
        ab: name(() => crypto.getRandomValues(new ArrayBuffer(8))),
        num: name(() => crypto.getRandomValues(8)),
        none: name(() => crypto.getRandomValues()),
        arr: name(() => crypto.getRandomValues([1, 2, 3])),
        illegal: name(() => crypto.getRandomValues.call({}, new Uint8Array(1))),
        detached: (() => { const a = new Uint8Array(8); a.buffer.transfer(); return crypto.getRandomValues(a) === a && a.length; })(),
      };
    `);
    expect(r).toEqual({
      f32: 'DOMException:TypeMismatchError:17',
      f64: 'DOMException:TypeMismatchError:17',
      f32big: 'DOMException:TypeMismatchError:17',
      dv: 'DOMException:TypeMismatchError:17',
      dvbig: 'DOMException:TypeMismatchError:17',
      ab: 'TypeError:TypeError',
      num: 'TypeError:TypeError',
      none: 'TypeError:TypeError',
      arr: 'TypeError:TypeError',
      illegal: 'TypeError:TypeError',
      detached: 0,
    });
  });

  it('throws QuotaExceededError above 65536 bytes for every integer type, and accepts exactly 65536', async () => {
    const r = await evalInIsolate(`
      const names = ['Int8Array','Int16Array','Int32Array','BigInt64Array','Uint8Array','Uint8ClampedArray','Uint16Array','Uint32Array','BigUint64Array'];
      return names.map((n) => {
        const C = globalThis[n];
        const max = 65536 / C.BYTES_PER_ELEMENT;
        let over;
        try { crypto.getRandomValues(new C(max + 1)); over = 'no error'; } catch (e) { over = e.name + ':' + (e instanceof DOMException) + ':' + e.code; }
        const exact = crypto.getRandomValues(new C(max)).length === max;
        return [over, exact];
      });
    `);
    expect(r).toEqual(Array(9).fill(['QuotaExceededError:true:22', true]));
  });

  it('gets entropy from the host in batches, not once per call', async () => {
    const original = syncOps.get('crypto.randomBytes')!;
    const requests: number[] = [];
    syncOps.set('crypto.randomBytes', ((ctx, n: number) => {
      requests.push(n);
      return original(ctx, n);
    }) as SyncOp);
    try {
      const distinct = await evalInIsolate<number>(`
        const seen = new Set();
        for (let i = 0; i < 200; i++) seen.add(crypto.getRandomValues(new Uint8Array(16)).join(','));
        for (let i = 0; i < 50; i++) seen.add(crypto.randomUUID());
        return seen.size;
      `);
      expect(distinct).toBe(250);
      // 200 × 16 + 50 × 16 = 4000 bytes: one 4 KiB refill (two at most), not 250 crossings.
      expect(requests.length).toBeGreaterThanOrEqual(1);
      expect(requests.length).toBeLessThanOrEqual(2);
      expect(requests.every((n) => n === 4096)).toBe(true);
    } finally {
      syncOps.set('crypto.randomBytes', original);
    }
  });

});

describe('crypto.randomUUID', () => {
  it('returns RFC 9562 version 4 UUIDs', async () => {
    const uuids = await evalInIsolate<string[]>(`return Array.from({ length: 100 }, () => crypto.randomUUID());`);
    for (const u of uuids) expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(100);
  });

  it('differs across isolates made from the same snapshot (no entropy baked into the prelude)', async () => {
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        evalInIsolate<[string, string]>(`return [crypto.randomUUID(), Array.from(crypto.getRandomValues(new Uint8Array(16))).join(',')];`),
      ),
    );
    expect(new Set(runs.map((r) => r[0])).size).toBe(4);
    expect(new Set(runs.map((r) => r[1])).size).toBe(4);
  });
});

describe('Crypto, SubtleCrypto and CryptoKey interfaces', () => {
  it('follow WebIDL: global attribute, non-constructible interfaces, enumerable members, brand checks', async () => {
    const r = await evalInIsolate(`
      const d = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
      const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } };
      const protoDesc = (C, m) => { const x = Object.getOwnPropertyDescriptor(C.prototype, m); return [typeof x.get, typeof x.value, x.enumerable, x.configurable]; };
      let assigned;
      (function () { 'use strict'; try { crypto = 1; assigned = 'no error'; } catch (e) { assigned = e.name; } })();
      return {
        attribute: [typeof d.get, d.set, d.enumerable, d.configurable, d.get.name],
        same: crypto === globalThis.crypto && crypto.subtle === crypto.subtle,
        getterOther: err(() => d.get.call({})),
        assigned, stillCrypto: crypto instanceof Crypto,
        tags: [String(crypto), String(crypto.subtle), Object.prototype.toString.call(CryptoKey.prototype)],
        ctor: [err(() => new Crypto()), err(() => new SubtleCrypto()), err(() => new CryptoKey()), err(() => CryptoKey())],
        globals: ['Crypto', 'SubtleCrypto', 'CryptoKey'].map((n) => { const x = Object.getOwnPropertyDescriptor(globalThis, n); return [x.writable, x.enumerable, x.configurable]; }),
        members: [protoDesc(Crypto, 'subtle'), protoDesc(Crypto, 'getRandomValues'), protoDesc(Crypto, 'randomUUID'),
          protoDesc(SubtleCrypto, 'digest'), protoDesc(CryptoKey, 'algorithm')],
        lengths: ['encrypt','decrypt','sign','verify','digest','generateKey','deriveKey','deriveBits','importKey','exportKey','wrapKey','unwrapKey']
          .map((m) => m + ':' + SubtleCrypto.prototype[m].length).join(' '),
        cryptoLengths: [Crypto.prototype.getRandomValues.length, Crypto.prototype.randomUUID.length, CryptoKey.length],
        subtleOther: err(() => Object.getOwnPropertyDescriptor(Crypto.prototype, 'subtle').get.call({})),
        uuidOther: err(() => crypto.randomUUID.call(undefined)),
        keyAttrOther: err(() => Object.getOwnPropertyDescriptor(CryptoKey.prototype, 'type').get.call({})),
        subtleProto: Object.getPrototypeOf(crypto.subtle) === SubtleCrypto.prototype,
        enumerated: Object.keys(globalThis).includes('crypto'),
        names: [Crypto.name, SubtleCrypto.name, CryptoKey.name, Crypto.length, SubtleCrypto.length],
      };
    `);
    expect(r).toEqual({
      attribute: ['function', undefined, true, true, 'get crypto'],
      same: true,
      getterOther: expect.stringMatching(/^TypeError: Illegal invocation/),
      assigned: 'TypeError',
      stillCrypto: true,
      tags: ['[object Crypto]', '[object SubtleCrypto]', '[object CryptoKey]'],
      ctor: [
        'TypeError: Illegal constructor', 'TypeError: Illegal constructor', 'TypeError: Illegal constructor',
        expect.stringMatching(/^TypeError/),
      ],
      globals: [[true, false, true], [true, false, true], [true, false, true]],
      members: [
        ['function', 'undefined', true, true], ['undefined', 'function', true, true], ['undefined', 'function', true, true],
        ['undefined', 'function', true, true], ['function', 'undefined', true, true],
      ],
      lengths: 'encrypt:3 decrypt:3 sign:3 verify:4 digest:2 generateKey:3 deriveKey:5 deriveBits:2 importKey:5 exportKey:2 wrapKey:4 unwrapKey:7',
      cryptoLengths: [1, 0, 0],
      subtleOther: expect.stringMatching(/^TypeError: Illegal invocation/),
      uuidOther: expect.stringMatching(/^TypeError: Illegal invocation/),
      keyAttrOther: expect.stringMatching(/^TypeError: Illegal invocation/),
      subtleProto: true,
      enumerated: true,
      names: ['Crypto', 'SubtleCrypto', 'CryptoKey', 0, 0],
    });
  });
});
