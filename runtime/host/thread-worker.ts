// One isolate thread of the pool (thread-pool.ts): runs a WorkerEngine per registered engine and
// serves the requests the ingress thread posts, each in a fresh isolate made on this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { WorkerEngine, type EngineRequest } from './engine.ts';
import { adoptSharedPrelude } from './prelude.ts';
import type { FromThread, ThreadData, ToThread } from './thread-pool.ts';
import { useEgressBroker } from '../jail/broker-client.ts';
import { configureEgress } from './egress/connect.ts';

const port = parentPort!;
const { prelude, snapshotBytes, settings } = workerData as ThreadData;
adoptSharedPrelude(prelude, snapshotBytes);
if (settings.egressBroker) useEgressBroker(settings.egressBroker);
if (settings.egressTls) configureEgress({ tls: settings.egressTls });

/** Isolates each thread keeps ready per engine (request isolation), unless the engine says otherwise. */
const READY_ISOLATES = 2;

/** Unacknowledged response bytes a request may have in flight to the ingress thread. */
const WINDOW_BYTES = 256 * 1024;

const engines = new Map<number, WorkerEngine>();

interface ThreadRequest {
  controller: AbortController;
  /** Pending pull of the request body. */
  pull: { resolve: (chunk: Uint8Array | null) => void; reject: (e: Error) => void } | undefined;
  unacked: number;
  waiters: (() => void)[];
}

const requests = new Map<number, ThreadRequest>();

// Messages to the ingress thread leave in one batch per event-loop turn: a small response's head,
// body, end and completion cost one postMessage instead of four.
let outbox: FromThread[] = [];
let outboxTransfers: ArrayBuffer[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  const batch = outbox;
  const transfers = outboxTransfers;
  outbox = [];
  outboxTransfers = [];
  port.postMessage(batch, transfers);
}

function send(m: FromThread, transfer: ArrayBuffer[] = []): void {
  outbox.push(m);
  for (const t of transfer) outboxTransfers.push(t);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function bodyOf(rid: number, r: ThreadRequest): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      let ended = false;
      return {
        next(): Promise<IteratorResult<Uint8Array>> {
          if (ended) return Promise.resolve({ done: true, value: undefined });
          return new Promise<Uint8Array | null>((resolve, reject) => {
            r.pull = { resolve, reject };
            send({ t: 'pull', rid });
          }).then((chunk) => {
            if (chunk === null) {
              ended = true;
              return { done: true, value: undefined };
            }
            return { done: false, value: chunk };
          });
        },
        return(): Promise<IteratorResult<Uint8Array>> {
          ended = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

function handleRequest(m: Extract<ToThread, { t: 'req' }>): void {
  const engine = engines.get(m.id);
  const r: ThreadRequest = { controller: new AbortController(), pull: undefined, unacked: 0, waiters: [] };
  requests.set(m.rid, r);
  if (m.aborted) r.controller.abort();
  if (!engine) {
    send({ t: 'head', rid: m.rid, status: 503, statusText: 'Service Unavailable', headers: ['content-type', 'text/plain'] });
    send({ t: 'end', rid: m.rid });
    send({ t: 'done', rid: m.rid, outcome: 'internal' });
    requests.delete(m.rid);
    return;
  }
  const req: EngineRequest = {
    method: m.method,
    url: m.url,
    headers: m.headers,
    body: m.hasBody ? bodyOf(m.rid, r) : null,
    // Chunks arrive transferred: this thread owns them and may move them on into the isolate.
    bodyOwned: true,
    signal: r.controller.signal,
    ...(m.requestId !== undefined && { requestId: m.requestId }),
  };
  void engine.handle(req, {
    respond(status, statusText, headers, body) {
      const whole = body && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
      send({ t: 'respond', rid: m.rid, status, statusText, headers, body }, whole ? [body.buffer as ArrayBuffer] : []);
    },
    head(status, statusText, headers) {
      send({ t: 'head', rid: m.rid, status, statusText, headers });
    },
    write(chunk) {
      const whole = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
      // The engine's chunks are its own copies out of the isolate: they move, not copy.
      send({ t: 'chunk', rid: m.rid, chunk }, whole ? [chunk.buffer as ArrayBuffer] : []);
      r.unacked += chunk.byteLength;
      if (r.unacked <= WINDOW_BYTES) return Promise.resolve();
      return new Promise<void>((resolve) => r.waiters.push(resolve));
    },
    end() {
      send({ t: 'end', rid: m.rid });
    },
    abort(reason) {
      send({ t: 'sink-abort', rid: m.rid, reason });
    },
  }).then((outcome) => {
    requests.delete(m.rid);
    for (const w of r.waiters.splice(0)) w();
    send({ t: 'done', rid: m.rid, outcome });
  });
}

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'engine': {
      const id = m.id;
      engines.set(id, new WorkerEngine(m.bundle, {
        ...m.options, threads: 0, prewarm: m.options.prewarm ?? READY_ISOLATES, log: (record) => send({ t: 'log', id, record }),
      }));
      break;
    }
    case 'bundle':
      engines.get(m.id)?.setBundle(m.bundle);
      break;
    case 'drop':
      engines.get(m.id)?.dispose();
      engines.delete(m.id);
      break;
    case 'prepare': {
      const engine = engines.get(m.id);
      void (engine ? engine.prepare() : Promise.resolve(undefined)).then(
        (info) => send({ t: 'prepared', rid: m.rid, info }),
        () => send({ t: 'prepared', rid: m.rid, info: undefined }),
      );
      break;
    }
    case 'req':
      handleRequest(m);
      break;
    case 'body': {
      const r = requests.get(m.rid);
      const pull = r?.pull;
      if (r && pull) {
        r.pull = undefined;
        pull.resolve(m.chunk);
      }
      break;
    }
    case 'body-error': {
      const r = requests.get(m.rid);
      const pull = r?.pull;
      if (r && pull) {
        r.pull = undefined;
        pull.reject(new Error('The client aborted the request body.'));
      }
      break;
    }
    case 'ack': {
      const r = requests.get(m.rid);
      if (!r) break;
      r.unacked -= m.bytes;
      if (r.unacked <= WINDOW_BYTES) for (const w of r.waiters.splice(0)) w();
      break;
    }
    case 'abort':
      requests.get(m.rid)?.controller.abort();
      break;
  }
});
