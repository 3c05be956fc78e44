// Request bodies flowing host → isolate: the isolate's request.body pulls chunks one at a time, so
// the client's upload is read only as fast as the tenant consumes it (backpressure end to end).
import { TransferredBytes, type OpContext, type OpModule } from './types.ts';

export interface BodySource {
  /** Next chunk, or null at the end. Rejects if the client aborted. */
  read(): Promise<Uint8Array | null>;
  /** The chunks are the source's own (e.g. socket reads) and may be handed over without a copy. */
  owned: boolean;
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
export function bodySourceFromIterable(iterable: AsyncIterable<Uint8Array>, owned: boolean, onCancel: () => void): BodySource {
  const it = iterable[Symbol.asyncIterator]();
  return {
    owned,
    async read() {
      const r = await it.next();
      if (r.done) return null;
      return r.value;
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
        if (chunk === null) {
          table(ctx).sources.delete(id);
          return null;
        }
        return source.owned ? new TransferredBytes(chunk) : chunk;
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
