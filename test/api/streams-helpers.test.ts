// The Streams area's internal helpers (used by fetch, file, compression), exercised directly:
// runtime/api code is plain ECMAScript, so it also runs in the test process.
import { describe, expect, it } from 'vitest';
import {
  ReadableStream, cancelReadableStream, createPullStream, createTransform, getInternalReader, isReadableStream,
  isReadableStreamDisturbed, isReadableStreamLocked, readAllBytes, readableStreamFromBytes, teeReadableStream,
} from '../../runtime/api/streams/index.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);

async function readAll(s: ReadableStream): Promise<number[]> {
  return Array.from(await readAllBytes(s));
}

describe('streams internal helpers', () => {
  it('isReadableStream / locked / disturbed follow the spec flags', async () => {
    const s = readableStreamFromBytes(bytes(1, 2));
    expect([isReadableStream(s), isReadableStream({}), isReadableStream(null)]).toEqual([true, false, false]);
    expect([isReadableStreamLocked(s), isReadableStreamDisturbed(s)]).toEqual([false, false]);
    const reader = getInternalReader(s);
    expect([isReadableStreamLocked(s), isReadableStreamDisturbed(s)]).toEqual([true, false]);
    expect(await reader.read()).toMatchObject({ done: false });
    expect(isReadableStreamDisturbed(s)).toBe(true);
    reader.releaseLock();
    expect(isReadableStreamLocked(s)).toBe(false);
    const c = readableStreamFromBytes(bytes(1));
    await cancelReadableStream(c, 'x');
    expect(isReadableStreamDisturbed(c)).toBe(true);
  });

  it('readableStreamFromBytes copies its input and is a byte stream (BYOB-readable)', async () => {
    const src = bytes(1, 2, 3);
    const s = readableStreamFromBytes(src);
    src[0] = 9;
    expect(src.byteLength).toBe(3);
    const byob = (s as unknown as { getReader(o: object): { read(v: Uint8Array): Promise<{ value: Uint8Array }> } }).getReader({ mode: 'byob' });
    const first = await byob.read(new Uint8Array(2));
    expect(Array.from(first.value)).toEqual([1, 2]);
    expect(await readAll(readableStreamFromBytes(new Uint8Array(0)))).toEqual([]);
  });

  it('readAllBytes concatenates, rejects non-Uint8Array chunks and locked or errored streams', async () => {
    let i = 0;
    const many = new ReadableStream({ pull(c: { enqueue(v: unknown): void; close(): void }) { if (i === 500) c.close(); else c.enqueue(bytes(i++ & 0xff)); } });
    const all = await readAllBytes(many);
    expect(all.length).toBe(500);
    expect(all[499]).toBe(499 & 0xff);
    const queued = new ReadableStream({ start(c: { enqueue(v: unknown): void; close(): void }) { for (let j = 0; j < 20000; j++) c.enqueue(bytes(1)); c.close(); } });
    expect((await readAllBytes(queued)).length).toBe(20000);
    const bad = new ReadableStream({ start(c: { enqueue(v: unknown): void }) { c.enqueue('text'); } });
    await expect(readAllBytes(bad)).rejects.toBeInstanceOf(TypeError);
    const locked = readableStreamFromBytes(bytes(1));
    getInternalReader(locked);
    await expect(readAllBytes(locked)).rejects.toBeInstanceOf(TypeError);
    const errored = new ReadableStream({ start(c: { error(e: unknown): void }) { c.error('boom'); } });
    await expect(readAllBytes(errored)).rejects.toBe('boom');
  });

  it('createPullStream pulls on demand, ends on null, errors on rejection and reports cancel', async () => {
    const chunks = [bytes(1, 2), new Uint8Array(0), bytes(3), null];
    let pulls = 0;
    const s = createPullStream(async () => { pulls++; return chunks.shift()!; }, () => {});
    await new Promise((r) => setTimeout(r, 5));
    expect(pulls).toBe(0);
    expect(await readAll(s)).toEqual([1, 2, 3]);
    const viaController = createPullStream(async (c) => { c.enqueue(bytes(7)); c.close(); }, () => {});
    expect(await readAll(viaController)).toEqual([7]);
    const failing = createPullStream(() => Promise.reject(new Error('net')), () => {});
    await expect(readAllBytes(failing)).rejects.toThrow('net');
    const reasons: unknown[] = [];
    const cancellable = createPullStream(() => new Promise<null>(() => {}), (r) => { reasons.push(r); });
    await cancelReadableStream(cancellable, 'gone');
    expect(reasons).toEqual(['gone']);
    const byob = createPullStream(async () => bytes(4, 5, 6), () => {}) as unknown as { getReader(o: object): { read(v: Uint8Array): Promise<{ value: Uint8Array }> } };
    const reader = byob.getReader({ mode: 'byob' });
    expect(Array.from((await reader.read(new Uint8Array(2))).value)).toEqual([4, 5]);
    expect(Array.from((await reader.read(new Uint8Array(8))).value)).toEqual([6]);
  });

  it('teeReadableStream gives two independent branches (copies for default streams)', async () => {
    const shared = bytes(1, 2);
    const s = new ReadableStream({ start(c: { enqueue(v: unknown): void; close(): void }) { c.enqueue(shared); c.close(); } });
    const [a, b] = teeReadableStream(s);
    const [ra, rb] = await Promise.all([readAllBytes(a), readAllBytes(b)]);
    expect([Array.from(ra), Array.from(rb)]).toEqual([[1, 2], [1, 2]]);
    const [x, y] = teeReadableStream(readableStreamFromBytes(bytes(5, 6)));
    expect(await readAll(x)).toEqual([5, 6]);
    expect(await readAll(y)).toEqual([5, 6]);
  });

  it('createTransform runs hooks and errors the stream on throw', async () => {
    const t = createTransform({
      transform(chunk, c) { c.enqueue(String(chunk).toUpperCase()); },
      flush(c) { c.enqueue('!'); },
    });
    const w = (t.writable as unknown as { getWriter(): { write(v: unknown): Promise<void>; close(): Promise<void> } }).getWriter();
    void w.write('a');
    void w.close();
    const r = getInternalReader(t.readable);
    expect([(await r.read()).value, (await r.read()).value, (await r.read()).done]).toEqual(['A', '!', true]);
    const failing = createTransform({ transform() { throw new RangeError('bad'); } });
    const fw = (failing.writable as unknown as { getWriter(): { write(v: unknown): Promise<void> } }).getWriter();
    const fr = getInternalReader(failing.readable);
    const writeResult = fw.write(1).catch((e: unknown) => e);
    await expect(fr.read()).rejects.toBeInstanceOf(RangeError);
    expect(await writeResult).toBeInstanceOf(RangeError);
  });
});
