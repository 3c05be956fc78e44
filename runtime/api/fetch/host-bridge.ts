// Contract between the fetch area and the worker dispatcher (runtime/api/worker/).
// The fetch area implements these; the dispatcher uses them to turn the host's request head into
// a Request and a tenant's Response back into parts the host can send.
// (Being filled in by the WinterCG-globals issue; signatures are fixed.)
import { TypeError } from '../intrinsics.ts';

export interface IncomingRequestInit {
  method: string;
  url: string;
  /** Flat list: name, value, name, value… in arrival order (repeated names kept). */
  headers: string[];
  body: ReadableStream<Uint8Array> | null;
  signal: AbortSignal;
}

export interface ResponseParts {
  status: number;
  statusText: string;
  /** Flat list: name, value, … ; each Set-Cookie its own pair. */
  headers: string[];
  body: ReadableStream<Uint8Array> | null;
}

/** Builds the Request handed to the tenant (guard "immutable" headers, mode "navigate" as workerd does not matter). */
export function createIncomingRequest(_init: IncomingRequestInit): Request {
  throw new TypeError('Request is not available yet');
}

/** Brand-checks `value` as a Response and returns its parts; throws TypeError otherwise. */
export function readResponseParts(_value: unknown): ResponseParts {
  throw new TypeError('Response is not available yet');
}
