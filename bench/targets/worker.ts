// Benchmark target run by Isle (request and tenant isolation) and by workerd: the same module worker.
//   GET  /            hello world
//   POST /json        parses a JSON body (~1 KB) and answers JSON
//   GET  /stream      1 MiB streamed in 64 KiB chunks
//   GET  /slow        answers after 50 ms (keeps requests in flight, for the memory scenario)
const CHUNK = new Uint8Array(64 * 1024).fill(120);

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/json': {
        const data = (await request.json()) as { items?: unknown[] };
        return Response.json({ ok: true, items: Array.isArray(data.items) ? data.items.length : 0 });
      }
      case '/stream': {
        let sent = 0;
        return new Response(new ReadableStream({
          pull(controller) {
            if (sent === 16) return controller.close();
            sent++;
            controller.enqueue(CHUNK.slice());
          },
        }), { headers: { 'content-type': 'application/octet-stream' } });
      }
      case '/slow':
        await new Promise((r) => setTimeout(r, 50));
        return new Response('slow\n');
      default:
        return new Response(`Hello, ${url.searchParams.get('name') ?? 'world'}!\n`, {
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
    }
  },
};
