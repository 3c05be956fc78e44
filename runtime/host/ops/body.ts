// Request bodies flowing host → isolate: the isolate's request.body pulls chunks one at a time, so
// the client's upload is read only as fast as the tenant consumes it (backpressure end to end).
import type { OpContext, OpModule } from './types.ts';

export interface BodySource {
  /** Next chunk, or null at the end. Rejects if the client aborted. */
  read(): Promise<Uint8Array | null>;
  cancel(): void;
}

const BODIES = Symbol('request bodies');
interface BodyTable {
  next: number;
  sources: Map<number, BodySource>;
}

function table(ctx: OpContext): BodyTable {
  return ctx.state(BODIES, () => {
    const t: BodyTable = { next: 1, sources: new Map() };
    ctx.onDispose(() => {
      for (const s of t.sources.values()) s.cancel();
      t.sources.clear();
    });
    return t;
  });
}

export function registerBodySource(ctx: OpContext, source: BodySource): number {
  const t = table(ctx);
  const id = t.next++;
  t.sources.set(id, source);
  return id;
}

/** Adapts any async iterable of bytes (e.g. node:http's IncomingMessage) into a BodySource. */
export function bodySourceFromIterable(iterable: AsyncIterable<Uint8Array>, onCancel: () => void): BodySource {
  const it = iterable[Symbol.asyncIterator]();
  return {
    async read() {
      const r = await it.next();
      if (r.done) return null;
      const chunk = r.value;
      // Node's Buffers may view a shared pool; hand the isolate exactly this chunk's bytes.
      return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : new Uint8Array(chunk);
    },
    cancel() {
      onCancel();
      void it.return?.();
    },
  };
}

export const bodyOps: OpModule = {
  async: {
    async 'body.read'(ctx, id: number) {
      const source = table(ctx).sources.get(id);
      if (!source) return null;
      try {
        const chunk = await source.read();
        if (chunk === null) table(ctx).sources.delete(id);
        return chunk;
      } catch {
        table(ctx).sources.delete(id);
        throw Object.assign(new Error('The client aborted the request body.'), { name: 'TypeError' });
      }
    },
  },
  send: {
    'body.cancel'(ctx, id: number) {
      const t = table(ctx);
      t.sources.get(id)?.cancel();
      t.sources.delete(id);
    },
  },
};
