// Errors the in-isolate dispatcher caught on the tenant's behalf (waitUntil rejections, listener
// exceptions): logged with a source-mapped stack.
import type { OpModule } from './types.ts';

export const workerOps: OpModule = {
  send: {
    'worker.error'(ctx, where: unknown, info: unknown) {
      const i = (info ?? {}) as { name?: string; message?: string; stack?: string };
      const text = i.stack || `${i.name ?? 'Error'}: ${i.message ?? ''}`;
      ctx.log.tenant('error', `Uncaught (in ${String(where)}) ${ctx.mapStack(text)}`);
    },
  },
};
