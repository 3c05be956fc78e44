import { createWorker, type IsleWorker } from 'isle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let worker: IsleWorker;
beforeAll(async () => {
  worker = await createWorker({ onLog: () => {} });
});
afterAll(() => worker.dispose());

/** Reads a body chunk by chunk, noting when each arrived. */
async function chunks(res: Response): Promise<{ text: string; at: number }[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: { text: string; at: number }[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push({ text: value, at: performance.now() });
  }
}

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

function parseSse(text: string): SseEvent[] {
  return text.split('\n\n').filter((block) => /^(event|data):/m.test(block)).map((block) => {
    const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
    return { event: field('event') ?? 'message', id: field('id'), data: field('data') ?? '' };
  });
}

describe('/stream', () => {
  it('writes lines as the timer fires, not all at the end', async () => {
    const started = performance.now();
    const res = await worker.fetch('http://localhost/stream?count=4&interval=150');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const received = await chunks(res);
    const text = received.map((c) => c.text).join('');
    expect(text.trim().split('\n')).toHaveLength(4);
    expect(text).toMatch(/^line 1 of 4 at \d{4}-/);
    // The first line arrives well before the last one: the body is streamed.
    expect(received.at(-1)!.at - received[0]!.at).toBeGreaterThan(300);
    expect(performance.now() - started).toBeGreaterThan(400);
  });

  it('rejects pacing that would outlast the wall-clock limit', async () => {
    const res = await worker.fetch('http://localhost/stream?count=1000&interval=5000');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/count × interval/);
  });
});

describe('/sse', () => {
  it('sends tick events then done', async () => {
    const res = await worker.fetch('http://localhost/sse?count=3&interval=50');
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['tick', 'tick', 'tick', 'done']);
    expect(events.slice(0, 3).map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(JSON.parse(events[2]!.data)).toMatchObject({ n: 3, id: 3 });
  });

  it('resumes after Last-Event-ID', async () => {
    const res = await worker.fetch('http://localhost/sse?count=2&interval=10', { headers: { 'last-event-id': '41' } });
    expect(parseSse(await res.text()).filter((e) => e.event === 'tick').map((e) => e.id)).toEqual(['42', '43']);
  });
});

it('serves the demo page', async () => {
  const res = await worker.fetch('http://localhost/');
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await res.text()).toContain("new EventSource('/sse");
});
