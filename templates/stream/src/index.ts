// Streaming from an Isle worker:
//   GET /stream  a text/plain body written line by line as a timer fires (chunked transfer)
//   GET /sse     server-sent events (text/event-stream) from setInterval, resumable with Last-Event-ID
//   GET /        a page that shows /sse live
// Both streams end by themselves: a request (including its stream) must finish within the
// wall-clock limit (30 s by default), so count × interval is capped below it.
import { page } from './page';

const encoder = new TextEncoder();
const MAX_TOTAL_MS = 25_000;

class BadRequest extends Error {}

/** ?count= and ?interval= within bounds; the stream must end before the wall-clock limit. */
function pacing(url: URL, defaults: { count: number; interval: number }): { count: number; interval: number } {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new BadRequest(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const count = read('count', defaults.count, 1, 1000);
  const interval = read('interval', defaults.interval, 0, 5000);
  if (count * interval > MAX_TOTAL_MS) throw new BadRequest(`count × interval must be at most ${MAX_TOTAL_MS} ms`);
  return { count, interval };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A body produced on demand: `pull` runs when the client is ready for more (backpressure). */
function lines(count: number, interval: number): ReadableStream<Uint8Array> {
  let n = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (n > 0) await sleep(interval);
      n++;
      controller.enqueue(encoder.encode(`line ${n} of ${count} at ${new Date().toISOString()}\n`));
      if (n === count) controller.close();
    },
  });
}

/** Server-sent events pushed by setInterval; stops when the client goes away. */
function events(count: number, interval: number, firstId: number, signal: AbortSignal): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => clearInterval(timer);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      // Tell EventSource to reconnect after 2 s if the connection drops.
      send(`retry: 2000\n: ${count} ticks every ${interval} ms\n\n`);
      let sent = 0;
      timer = setInterval(() => {
        const id = firstId + sent;
        sent++;
        send(`event: tick\nid: ${id}\ndata: ${JSON.stringify({ n: sent, id, time: new Date().toISOString() })}\n\n`);
        if (sent === count) {
          stop();
          send('event: done\ndata: {}\n\n');
          controller.close();
        }
      }, interval);
      signal.addEventListener('abort', () => {
        stop();
        console.log(`client went away after ${sent} of ${count} events`);
      });
    },
    cancel: stop,
  });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      switch (url.pathname) {
        case '/':
          return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
        case '/stream': {
          const { count, interval } = pacing(url, { count: 10, interval: 200 });
          return new Response(lines(count, interval), {
            headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          });
        }
        case '/sse': {
          const { count, interval } = pacing(url, { count: 10, interval: 1000 });
          const lastId = Number(request.headers.get('last-event-id'));
          const firstId = Number.isInteger(lastId) && lastId >= 0 ? lastId + 1 : 1;
          return new Response(events(count, interval, firstId, request.signal), {
            headers: {
              'content-type': 'text/event-stream; charset=utf-8',
              'cache-control': 'no-cache, no-transform',
              'x-accel-buffering': 'no',
            },
          });
        }
        default:
          return new Response('not found\n', { status: 404 });
      }
    } catch (e) {
      if (e instanceof BadRequest) return new Response(`${e.message}\n`, { status: 400 });
      throw e;
    }
  },
} satisfies ExportedHandler;
