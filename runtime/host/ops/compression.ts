// Host ops for CompressionStream / DecompressionStream: Node's native zlib (and brotli), run on
// libuv's thread pool so the host's event loop never blocks on it.
//
// - compression.write(id, kind, bytes) → Batch: feeds one chunk (creating the stream on first use)
// - compression.finish(id, kind) → Batch: ends the input (flush / final checks)
// - compression.pull(id) → Batch: the next output when a Batch said `more`
// - compression.close(id) (send): drops the stream (cancel, abort, error)
//
// `kind` is 'c:' (compress) or 'd:' (decompress) + the format. Output crosses in batches of at most
// BATCH_BYTES: zlib stops producing while its readable side is full, so a decompression bomb never
// holds more than one batch (+ zlib's buffers) in host memory; the isolate asks for more. Every
// batch is a fresh, exactly sized Uint8Array (never a view on Node's shared Buffer pool, whose
// other bytes must not reach an isolate). Streams are dropped when they end, fail or are closed,
// and with the isolate; one isolate holds at most MAX_OPEN_STREAMS at a time.
import zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import type { OpContext, OpModule } from './types.ts';

export interface Batch {
  bytes: Uint8Array;
  /** More output is ready: ask with compression.pull before writing again. */
  more: boolean;
  /** The data is invalid (corrupt, truncated, trailing bytes…): error the stream with a TypeError after enqueuing `bytes`. */
  error: string | null;
}

const BATCH_BYTES = 1 << 20;
const MAX_OPEN_STREAMS = 64;
const KEY = Symbol('compression');

type Kind = 'c:gzip' | 'c:deflate' | 'c:deflate-raw' | 'c:brotli' | 'd:gzip' | 'd:deflate' | 'd:deflate-raw' | 'd:brotli';

function create(kind: Kind): Duplex {
  // Decoders reject any input after the end of the compressed data (Compression Standard: TypeError),
  // including a second gzip member; `bytesWritten` is checked as well for Node versions without it.
  const strict = { rejectGarbageAfterEnd: true } as zlib.ZlibOptions;
  switch (kind) {
    case 'c:gzip': return zlib.createGzip();
    case 'c:deflate': return zlib.createDeflate();
    case 'c:deflate-raw': return zlib.createDeflateRaw();
    case 'c:brotli': return zlib.createBrotliCompress();
    case 'd:gzip': return zlib.createGunzip(strict);
    case 'd:deflate': return zlib.createInflate(strict);
    case 'd:deflate-raw': return zlib.createInflateRaw(strict);
    case 'd:brotli': return zlib.createBrotliDecompress(strict as zlib.BrotliOptions);
  }
}

function isKind(v: unknown): v is Kind {
  return typeof v === 'string' && /^[cd]:(gzip|deflate|deflate-raw|brotli)$/.test(v);
}

function describeFailure(e: unknown, decompress: boolean): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_TRAILING_JUNK_AFTER_STREAM_END') return 'Junk found after the end of the compressed data.';
  if (err?.code === 'Z_BUF_ERROR' || err?.message === 'unexpected end of file') return 'The compressed data ended unexpectedly.';
  const detail = err?.message ? `: ${err.message}` : '';
  return decompress ? `The compressed data is invalid${detail}.` : `Compression failed${detail}.`;
}

class HostStream {
  readonly z: Duplex & { bytesWritten?: number };
  readonly decompress: boolean;
  #bytesIn = 0;
  #writesPending = 0;
  #ending = false;
  #ended = false;
  #failure: string | null = null;
  #destroyed = false;
  #wake: (() => void) | undefined;

  constructor(kind: Kind) {
    this.decompress = kind[0] === 'd';
    this.z = create(kind);
    this.z.on('readable', () => this.#notify());
    this.z.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    this.z.on('error', (e) => {
      this.#failure ??= describeFailure(e, this.decompress);
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  write(bytes: Uint8Array): Promise<Batch> {
    this.#bytesIn += bytes.byteLength;
    this.#writesPending++;
    this.z.write(bytes, () => {
      this.#writesPending--;
      this.#notify();
    });
    return this.drain();
  }

  /** The input has been ended (compression.finish). */
  get ending(): boolean {
    return this.#ending;
  }

  finish(): Promise<Batch> {
    if (!this.#ending) {
      this.#ending = true;
      this.z.end();
    }
    return this.drain();
  }

  /** Collects output until the pending input is consumed (or the stream ended), or a batch is full. */
  async drain(): Promise<Batch> {
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      // Closed while a request was pending (cancel / abort): settle it instead of waiting forever.
      if (this.#destroyed) return { bytes: new Uint8Array(0), more: false, error: 'The stream was closed.' };
      let chunk: Buffer | null;
      while (size < BATCH_BYTES && (chunk = this.z.read() as Buffer | null) !== null) {
        parts.push(chunk);
        size += chunk.byteLength;
      }
      if (size >= BATCH_BYTES) return { bytes: concat(parts, size), more: true, error: null };
      if (this.#failure !== null) return { bytes: concat(parts, size), more: false, error: this.#failure };
      const done = this.#ending ? this.#ended : this.#writesPending === 0;
      if (done && this.z.readableLength === 0) {
        // Without rejectGarbageAfterEnd (older Node), zlib silently leaves trailing input unread.
        if (this.#ended && this.decompress && typeof this.z.bytesWritten === 'number' && this.z.bytesWritten < this.#bytesIn) {
          this.#failure = 'Junk found after the end of the compressed data.';
          continue;
        }
        return { bytes: concat(parts, size), more: false, error: null };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  destroy(): void {
    this.#destroyed = true;
    this.z.destroy();
    this.#notify();
  }
}

function concat(parts: Buffer[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

interface State {
  streams: Map<number, HostStream>;
}

function state(ctx: OpContext): State {
  return ctx.state(KEY, () => {
    const s: State = { streams: new Map() };
    ctx.onDispose(() => {
      for (const stream of s.streams.values()) stream.destroy();
      s.streams.clear();
    });
    return s;
  });
}

function streamFor(ctx: OpContext, id: unknown, kind: unknown): HostStream {
  const { streams } = state(ctx);
  if (typeof id !== 'number') throw new TypeError('invalid compression stream id');
  let s = streams.get(id);
  if (s === undefined) {
    if (!isKind(kind)) throw new TypeError('invalid compression format');
    if (streams.size >= MAX_OPEN_STREAMS) {
      throw new RangeError(`Too many open compression streams (at most ${MAX_OPEN_STREAMS} per isolate).`);
    }
    s = new HostStream(kind);
    streams.set(id, s);
  }
  return s;
}

/** Drops the host stream once a batch says it is over (all output after the end, or a failure). */
async function settle(ctx: OpContext, id: number, s: HostStream, batch: Promise<Batch>): Promise<Batch> {
  const b = await batch;
  if (b.error !== null || (s.ending && !b.more)) {
    s.destroy();
    state(ctx).streams.delete(id);
  }
  return b;
}

/** Host streams `ctx`'s isolate holds open right now (tests, diagnostics). */
export function openCompressionStreams(ctx: OpContext): number {
  return state(ctx).streams.size;
}

export const compressionOps: OpModule = {
  async: {
    'compression.write'(ctx, id: unknown, kind: unknown, bytes: unknown) {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('compression.write expects bytes');
      const s = streamFor(ctx, id, kind);
      return settle(ctx, id as number, s, s.write(bytes));
    },
    'compression.finish'(ctx, id: unknown, kind: unknown) {
      const s = streamFor(ctx, id, kind);
      return settle(ctx, id as number, s, s.finish());
    },
    'compression.pull'(ctx, id: unknown) {
      const s = state(ctx).streams.get(id as number);
      if (s === undefined) throw new TypeError('unknown compression stream');
      return settle(ctx, id as number, s, s.drain());
    },
  },
  send: {
    'compression.close'(ctx, id: unknown) {
      const { streams } = state(ctx);
      const s = streams.get(id as number);
      if (s === undefined) return;
      s.destroy();
      streams.delete(id as number);
    },
  },
};
