// console.* output: the isolate formats; only the level and the finished text cross.
import type { LogLevel, OpModule } from './types.ts';

const levels = new Set<LogLevel>(['debug', 'info', 'log', 'warn', 'error']);

export const consoleOps: OpModule = {
  send: {
    'console.write'(ctx, level: unknown, text: unknown) {
      const l = levels.has(level as LogLevel) ? (level as LogLevel) : 'log';
      ctx.log.tenant(l, String(text));
    },
  },
};
