// The host side of Web Crypto (runtime/host/ops/crypto.ts): per-isolate key tables, their release on
// garbage collection and on dispose, the concurrency limit, and what crosses into the isolate.
import { describe, expect, it } from 'vitest';
import { createTestSession } from '../support/isolate.ts';
import { cryptoOps, cryptoStats, MAX_CONCURRENT_OPS } from '../../runtime/host/ops/crypto.ts';
import type { OpContext } from '../../runtime/host/ops/types.ts';

function fakeContext(): OpContext & { dispose(): void } {
  const states = new Map<symbol, unknown>();
  const disposers: (() => void)[] = [];
  let disposed = false;
  const ctx = {
    id: 'test',
    log: { system() {}, tenant() {} } as unknown as OpContext['log'],
    state<T>(key: symbol, init: () => T): T {
      if (!states.has(key)) states.set(key, init());
      return states.get(key) as T;
    },
    onDispose(fn: () => void) {
      disposers.push(fn);
    },
    callIsolate: async () => undefined,
    config: { subrequestLimit: 50, allowEgress: [] },
    get disposed() {
      return disposed;
    },
    mapStack: (stack: string) => stack,
    dispose() {
      disposed = true;
      for (const fn of disposers) fn();
    },
  };
  return ctx as OpContext & { dispose(): void };
}

interface Answer { then: undefined; ok: boolean; value?: unknown; name?: string; message?: string }
const fail = (name: string, message: unknown) => ({ then: undefined, ok: false, name, message });
function value<T>(answer: unknown): T {
  expect((answer as Answer).ok).toBe(true);
  return (answer as Answer).value as T;
}

const sync = cryptoOps.sync!;
const async = cryptoOps.async!;
const send = cryptoOps.send!;

describe('crypto host ops', () => {
  it('keeps key material on the host: the isolate gets an id and the spec attributes only', async () => {
    const ctx = fakeContext();
    const secret = new Uint8Array(16).fill(0xab);
    const answer = (await async['crypto.importKey']!(ctx, 'raw', secret, { name: 'AES-GCM' }, true, ['encrypt'])) as Answer;
    expect(answer.ok).toBe(true);
    expect(answer.value).toEqual({ id: 1, type: 'secret', extractable: true, algorithm: { name: 'AES-GCM', length: 128 }, usages: ['encrypt'] });
    expect(Object.hasOwn(answer, 'then') && answer.then === undefined).toBe(true);
    expect(JSON.stringify(answer)).not.toContain('ab'.repeat(4));
    expect(JSON.stringify(answer)).not.toContain('171');
    expect(cryptoStats(ctx).keys).toBe(1);
    // Another isolate's table does not know the id.
    const other = fakeContext();
    expect(await async['crypto.exportKey']!(other, 'raw', 1)).toEqual(fail('InvalidStateError', 'The key is no longer available'));
  });

  it('clones and releases handles independently, and empties the table on dispose', async () => {
    const ctx = fakeContext();
    const key = value<{ id: number }>(await async['crypto.importKey']!(ctx, 'raw', new Uint8Array(16), { name: 'AES-CBC' }, true, ['encrypt']));
    const cloneId = sync['crypto.clone']!(ctx, key.id) as number;
    expect(cloneId).not.toBe(key.id);
    send['crypto.release']!(ctx, key.id);
    expect(cryptoStats(ctx).keys).toBe(1);
    expect(value<ArrayBuffer>(await async['crypto.exportKey']!(ctx, 'raw', cloneId)).byteLength).toBe(16);
    expect(((await async['crypto.exportKey']!(ctx, 'raw', key.id)) as Answer).ok).toBe(false);
    ctx.dispose();
    expect(cryptoStats(ctx).keys).toBe(0);
    expect(await async['crypto.digest']!(ctx, { name: 'SHA-256' }, new Uint8Array(1))).toEqual(fail('OperationError', 'The isolate was disposed'));
  });

  it(`runs at most ${MAX_CONCURRENT_OPS} operations of one isolate at a time, in order`, async () => {
    const ctx = fakeContext();
    const base = value<{ id: number }>(await async['crypto.importKey']!(ctx, 'raw', new Uint8Array(8), { name: 'PBKDF2' }, false, ['deriveBits']));
    const alg = { name: 'PBKDF2', hash: { name: 'SHA-256' }, salt: new Uint8Array(8), iterations: 20000 };
    const finished: number[] = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      (async['crypto.deriveBits']!(ctx, alg, base.id, 256) as Promise<unknown>).then(() => finished.push(i)));
    await Promise.resolve();
    const during = cryptoStats(ctx);
    expect(during.running).toBeLessThanOrEqual(MAX_CONCURRENT_OPS);
    expect(during.running + during.waiting).toBe(6);
    await Promise.all(jobs);
    expect(cryptoStats(ctx)).toEqual({ keys: 1, running: 0, waiting: 0 });
    // With at most 2 running and a FIFO queue, job i (i ≥ 2) cannot start before i - 1 jobs have
    // finished, so it finishes no earlier than position i - 1 (finish order among running jobs varies).
    expect(finished).toHaveLength(6);
    for (let i = 2; i < 6; i++) expect(finished.indexOf(i)).toBeGreaterThanOrEqual(i - 1);
  });

  it('answers errors by DOMException name (SyntaxError is not the ECMAScript one) and checks keys in spec order', async () => {
    const ctx = fakeContext();
    const hkdf = value<{ id: number }>(await async['crypto.importKey']!(ctx, 'raw', new Uint8Array(8), { name: 'HKDF' }, false, ['deriveKey']));
    expect(await async['crypto.importKey']!(ctx, 'raw', new Uint8Array(16), { name: 'AES-GCM' }, true, ['sign'])).toEqual(
      fail('SyntaxError', expect.any(String)));
    // deriveBits on a key without the deriveBits usage: InvalidAccessError, before any parameter check.
    const params = { name: 'HKDF', hash: { name: 'SHA-256' }, salt: new Uint8Array(0), info: new Uint8Array(0) };
    expect(await async['crypto.deriveBits']!(ctx, params, hkdf.id, 7)).toEqual(fail('InvalidAccessError', expect.any(String)));
    expect(await async['crypto.exportKey']!(ctx, 'raw', hkdf.id)).toEqual(fail('NotSupportedError', expect.any(String)));
  });

  it('serves entropy only in sane amounts', () => {
    const ctx = fakeContext();
    expect((sync['crypto.randomBytes']!(ctx, 4096) as Uint8Array).length).toBe(4096);
    expect(() => sync['crypto.randomBytes']!(ctx, 65537)).toThrow(RangeError);
    expect(() => sync['crypto.randomBytes']!(ctx, 1.5)).toThrow(RangeError);
    expect(() => sync['crypto.randomBytes']!(ctx, '8')).toThrow(RangeError);
  });
});

describe('crypto key lifetime in a real isolate', () => {
  it('releases host keys when the isolate collects their CryptoKey objects, and all of them on dispose', async () => {
    const session = await createTestSession();
    try {
      await session.context.eval(
        `(async () => { globalThis.kept = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
          for (let i = 0; i < 1000; i++) await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']); })()`,
        { promise: true },
      );
      expect(cryptoStats(session).keys).toBe(1001);
      // Allocation pressure makes V8 collect; finalization callbacks then run as tasks.
      await session.context.eval(`(async () => { let x; for (let i = 0; i < 300; i++) x = new Array(100000).fill(i); })()`, { promise: true });
      for (let i = 0; i < 20 && cryptoStats(session).keys > 1; i++) {
        await new Promise((r) => setTimeout(r, 20));
        await session.context.eval(`crypto.subtle.digest('SHA-1', new Uint8Array(1)).then(() => 0)`, { promise: true });
      }
      expect(cryptoStats(session).keys).toBeLessThan(100);
      // The key still referenced is intact.
      expect(await session.context.eval(`crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, kept, new Uint8Array(4)).then((b) => b.byteLength)`, { promise: true })).toBe(20);
    } finally {
      session.dispose();
    }
    expect(cryptoStats(session).keys).toBe(0);
  });
});
