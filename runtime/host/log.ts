// Host log lines. One sink per process (stdout by default); `worker serve` forwards to the supervisor.
export type LogLevel = 'debug' | 'info' | 'log' | 'warn' | 'error';

export interface LogRecord {
  time: number;
  /** 'tenant' for console output, 'access' for one line per request, 'system' for the runtime. */
  kind: 'tenant' | 'access' | 'system';
  level: LogLevel;
  message: string;
  requestId?: string;
  tenant?: string;
  /** Access lines: method, path, status, wall ms, CPU ms. */
  access?: { method: string; path: string; status: number; wallMs: number; cpuMs: number; outcome: string };
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  tenant(level: LogLevel, message: string): void;
  system(level: LogLevel, message: string): void;
  access(a: NonNullable<LogRecord['access']>): void;
}

export function createLogger(sink: LogSink, fields: { requestId?: string; tenant?: string }): Logger {
  const emit = (kind: LogRecord['kind'], level: LogLevel, message: string, access?: LogRecord['access']) =>
    sink({ time: Date.now(), kind, level, message, ...fields, ...(access ? { access } : {}) });
  return {
    tenant: (level, message) => emit('tenant', level, message),
    system: (level, message) => emit('system', level, message),
    access: (a) => emit('access', a.status >= 500 ? 'error' : 'info', `${a.method} ${a.path} ${a.status}`, a),
  };
}

/** Human-readable terminal format used by `worker dev`. */
export function formatLogRecord(r: LogRecord): string {
  const id = r.requestId ? ` [${r.requestId}]` : '';
  const tenant = r.tenant ? ` ${r.tenant}` : '';
  if (r.kind === 'access' && r.access) {
    const a = r.access;
    const outcome = a.outcome === 'ok' ? '' : ` (${a.outcome})`;
    return `${a.method} ${a.path} ${a.status} ${a.wallMs.toFixed(1)}ms wall ${a.cpuMs.toFixed(1)}ms cpu${outcome}${id}${tenant}`;
  }
  const prefix = r.kind === 'tenant' ? `[${r.level}]` : `[isle ${r.level}]`;
  return `${prefix}${id}${tenant} ${r.message}`;
}
