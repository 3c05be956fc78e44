// Per-request limits. Defaults follow Cloudflare Workers' paid plan where one exists.
export interface Limits {
  /** CPU time per request (ms). */
  cpuMs: number;
  /** Wall-clock time per request, including waitUntil work after the response (ms). */
  wallMs: number;
  /** Heap limit per isolate (MB). */
  memoryMb: number;
  /** Outbound fetch() calls per request. */
  subrequests: number;
  /** Time the bundle's top level may take to evaluate (ms). */
  startupMs: number;
  /** Largest request body accepted (bytes); larger ones get 413 before any isolate starts. */
  maxRequestBodyBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  cpuMs: 30_000,
  wallMs: 30_000,
  memoryMb: 128,
  subrequests: 1000,
  startupMs: 1_000,
  maxRequestBodyBytes: 100 * 1024 * 1024,
});

/** Smallest values accepted: below these a worker could not do anything useful. */
export const MIN_LIMITS: Readonly<Limits> = Object.freeze({
  cpuMs: 1,
  wallMs: 1,
  memoryMb: 8,
  subrequests: 0,
  startupMs: 1,
  maxRequestBodyBytes: 0,
});

export function resolveLimits(...layers: (Partial<Limits> | undefined)[]): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(out) as (keyof Limits)[]) {
      const v = layer[key];
      if (v !== undefined) out[key] = v;
    }
  }
  for (const key of Object.keys(out) as (keyof Limits)[]) {
    if (!Number.isFinite(out[key]) || out[key] < MIN_LIMITS[key]) {
      throw new RangeError(`limit ${key} must be a number ≥ ${MIN_LIMITS[key]} (got ${out[key]})`);
    }
  }
  return out;
}
