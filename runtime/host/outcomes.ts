// How a request ended, and the response a client gets when it ended badly.
import type { Limits } from '../config/limits.ts';
import type { ErrorInfo } from './loaded-bundle.ts';

export type Outcome = 'ok' | 'exception' | 'startup' | 'cpu' | 'wall' | 'memory' | 'client-abort' | 'internal';

export function limitMessage(outcome: Outcome, limits: Limits): string {
  switch (outcome) {
    case 'cpu':
      return `Worker exceeded its CPU time limit (${limits.cpuMs} ms) and was stopped.`;
    case 'wall':
      return `Worker exceeded its wall-clock time limit (${limits.wallMs} ms): the response was not finished in time.`;
    case 'memory':
      return `Worker exceeded its memory limit (${limits.memoryMb} MB) and was stopped.`;
    default:
      return `Worker ended: ${outcome}`;
  }
}

const statusFor: Record<Outcome, [number, string]> = {
  ok: [200, 'OK'],
  exception: [500, 'Internal Server Error'],
  startup: [500, 'Internal Server Error'],
  internal: [500, 'Internal Server Error'],
  cpu: [503, 'Service Unavailable'],
  memory: [503, 'Service Unavailable'],
  wall: [504, 'Gateway Timeout'],
  'client-abort': [499, 'Client Closed Request'],
};

export interface ErrorResponse {
  status: number;
  statusText: string;
  headers: string[];
  body: Uint8Array;
}

/**
 * Limit hits name the limit (safe to show: it is the operator's configuration). Exceptions show
 * the message and source-mapped stack only in dev; in production a generic body with the request
 * id, which the operator finds in the log.
 */
export function errorResponse(
  outcome: Outcome,
  o: { limits: Limits; dev: boolean; requestId: string; error?: ErrorInfo },
): ErrorResponse {
  const [status, statusText] = statusFor[outcome];
  let text: string;
  if (outcome === 'cpu' || outcome === 'wall' || outcome === 'memory') {
    text = `${limitMessage(outcome, o.limits)}\nRequest id: ${o.requestId}\n`;
  } else if (o.dev && o.error) {
    const prefix = outcome === 'startup' ? 'Worker failed to start.\n\n' : '';
    text = `${prefix}${o.error.stack || `${o.error.name}: ${o.error.message}`}\n\nRequest id: ${o.requestId}\n`;
  } else {
    text = `Internal Server Error: the worker threw an exception.\nRequest id: ${o.requestId}\n`;
  }
  return {
    status,
    statusText,
    headers: ['content-type', 'text/plain; charset=utf-8', 'x-isle-request-id', o.requestId],
    body: new TextEncoder().encode(text),
  };
}
