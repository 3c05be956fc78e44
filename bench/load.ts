// The benchmark's HTTP/1.1 load generator: keep-alive connections over raw sockets with a minimal
// response parser, so that the generator itself costs far less per request than the servers under
// test (undici's pool tops out near the speed of a plain node:http server on this machine). Runs in
// its own process; targets 127.0.0.1 only.
//
// Usage: node bench/load.ts '{"url": "...", "connections": 32, "durationMs": 4000, ...}'
//   method, body (string), headers (object): the request; every request is the same.
//   rate: requests per second in total (paced, open loop per connection: latency counts from the
//         scheduled send time, so a stall shows up as latency instead of silently lowering the rate);
//         omitted: closed loop, as fast as responses come back.
//   sampleRssPid: a pid whose RSS is sampled every 50 ms (peak reported as peakRssMb).
// Prints one JSON line: requests, errors, rps, p50, p90, p99, max (ms), mbPerSec, peakRssMb.
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';

interface LoadOptions {
  url: string;
  connections?: number;
  durationMs?: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  rate?: number;
  sampleRssPid?: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const target = new URL(o.url);
if (!/^(127\.0\.0\.1|localhost|\[::1\])$/.test(target.hostname)) {
  console.error('load.ts: the URL must be on 127.0.0.1');
  process.exit(2);
}
const connections = o.connections ?? 32;
const durationMs = o.durationMs ?? 4000;
const bodyBytes = o.body !== undefined ? Buffer.from(o.body) : undefined;
const headerLines = [
  `${o.method ?? 'GET'} ${target.pathname}${target.search} HTTP/1.1`,
  `Host: ${target.host}`,
  ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ...(bodyBytes ? [`Content-Length: ${bodyBytes.byteLength}`] : []),
];
const requestBytes = Buffer.concat([Buffer.from(headerLines.join('\r\n') + '\r\n\r\n'), bodyBytes ?? Buffer.alloc(0)]);

const latencies: number[] = [];
let errors = 0;
let bytes = 0;
let peakRssMb = 0;
const started = performance.now();
const deadline = started + durationMs;

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
const sampler = o.sampleRssPid
  ? setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(o.sampleRssPid!))), 50)
  : undefined;

/** Parses consecutive HTTP/1.1 responses from one connection; calls `done(status)` per response. */
class ResponseParser {
  #buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  #state: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' = 'head';
  #remaining = 0;
  #status = 0;
  #done: (status: number) => void;
  constructor(done: (status: number) => void) {
    this.#done = done;
  }
  feed(data: Buffer): void {
    bytes += data.byteLength;
    this.#buf = this.#buf.byteLength ? Buffer.concat([this.#buf, data]) : data;
    for (;;) {
      if (this.#state === 'head') {
        const end = this.#buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.#buf.subarray(0, end).toString('latin1');
        this.#buf = this.#buf.subarray(end + 4);
        this.#status = Number(head.slice(9, 12));
        const lower = head.toLowerCase();
        const len = /\r\ncontent-length:\s*(\d+)/.exec(lower);
        if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) this.#state = 'chunk-size';
        else {
          this.#remaining = len ? Number(len[1]) : 0;
          this.#state = 'length';
        }
      } else if (this.#state === 'length') {
        const n = Math.min(this.#remaining, this.#buf.byteLength);
        this.#remaining -= n;
        this.#buf = this.#buf.subarray(n);
        if (this.#remaining > 0) return;
        this.#state = 'head';
        this.#done(this.#status);
      } else if (this.#state === 'chunk-size') {
        const end = this.#buf.indexOf('\r\n');
        if (end < 0) return;
        this.#remaining = parseInt(this.#buf.subarray(0, end).toString('latin1'), 16);
        this.#buf = this.#buf.subarray(end + 2);
        this.#state = this.#remaining === 0 ? 'trailers' : 'chunk-data';
      } else if (this.#state === 'chunk-data') {
        const n = Math.min(this.#remaining, this.#buf.byteLength);
        this.#remaining -= n;
        this.#buf = this.#buf.subarray(n);
        if (this.#remaining > 0) return;
        this.#state = 'chunk-end';
      } else if (this.#state === 'chunk-end') {
        if (this.#buf.byteLength < 2) return;
        this.#buf = this.#buf.subarray(2);
        this.#state = 'chunk-size';
      } else {
        // Trailers end with an empty line (usually right away).
        const end = this.#buf.indexOf('\r\n');
        if (end < 0) return;
        this.#buf = this.#buf.subarray(end + 2);
        if (end === 0) {
          this.#state = 'head';
          this.#done(this.#status);
        }
      }
    }
  }
}

function runConnection(index: number): Promise<void> {
  return new Promise((resolve) => {
    const interval = o.rate ? (1000 * connections) / o.rate : 0;
    // Paced connections start staggered so the total rate is smooth.
    let scheduled = started + (interval ? (interval * index) / connections : 0);
    let sentAt = 0;
    let socket: Socket;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (timer) clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const send = () => {
      timer = undefined;
      if (performance.now() >= deadline) return finish();
      sentAt = interval ? scheduled : performance.now();
      socket.write(requestBytes);
    };
    const next = () => {
      if (!interval) return send();
      scheduled += interval;
      const wait = scheduled - performance.now();
      if (wait <= 0) send();
      else timer = setTimeout(send, wait);
    };
    const parser = new ResponseParser((status) => {
      latencies.push(performance.now() - sentAt);
      if (status >= 400 || status === 0) errors++;
      next();
    });
    socket = connect(Number(target.port), target.hostname, () => {
      socket.setNoDelay(true);
      if (interval) {
        const wait = scheduled - performance.now();
        if (wait > 0) timer = setTimeout(send, wait);
        else send();
      } else send();
    });
    socket.on('data', (d: Buffer) => parser.feed(d));
    socket.on('error', () => {
      errors++;
      finish();
    });
    socket.on('close', () => {
      if (performance.now() < deadline) errors++;
      finish();
    });
  });
}

await Promise.all(Array.from({ length: connections }, (_, i) => runConnection(i)));
const elapsed = performance.now() - started;
if (sampler) clearInterval(sampler);
latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : NaN);
console.log(JSON.stringify({
  requests: latencies.length,
  errors,
  rps: latencies.length / (elapsed / 1000),
  p50: pct(0.5),
  p90: pct(0.9),
  p99: pct(0.99),
  max: latencies.at(-1) ?? NaN,
  mbPerSec: bytes / 1e6 / (elapsed / 1000),
  peakRssMb,
}));
