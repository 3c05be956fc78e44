// A response body crosses the isolate boundary in batches of the chunks it has ready (up to
// 1 MiB per host call), yet a slow stream still goes out chunk by chunk as it is produced.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker } from '../../runtime/bundler/bundle.ts';
import { resolveLimits } from '../../runtime/config/limits.ts';
import { WorkerEngine } from '../../runtime/host/engine.ts';
import { sinkFor, toEngineRequest } from '../../runtime/host/http-adapter.ts';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Written { bytes: Buffer; groups: number; times: number[]; aborted: string | undefined; status: number }

/** Serves GET / of `source` once; `groups` counts runs of writes made in one synchronous go. */
async function serve(source: string): Promise<Written> {
  const dir = mkdtempSync(join(tmpdir(), 'isle-batch-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'worker.ts'), source);
  const { bundle } = await bundleWorker(join(dir, 'worker.ts'), dir);
  const engine = new WorkerEngine(bundle, { isolation: 'request', limits: resolveLimits(), env: {}, dev: true, allowEgress: [], log: () => {} });
  const chunks: Uint8Array[] = [];
  const times: number[] = [];
  let groups = 0;
  let inGroup = false;
  let aborted: string | undefined;
  let status = 0;
  try {
    await engine.handle({ method: 'GET', url: 'http://localhost/', headers: ['host', 'localhost'], body: null, signal: new AbortController().signal }, {
      head: (s) => void (status = s),
      write: async (c) => {
        chunks.push(Uint8Array.from(c));
        times.push(performance.now());
        if (!inGroup) {
          inGroup = true;
          groups++;
          queueMicrotask(() => (inGroup = false));
        }
      },
      end: () => {},
      abort: (reason) => void (aborted = reason),
    });
  } finally {
    engine.dispose();
  }
  return { bytes: Buffer.concat(chunks), groups, times, aborted, status };
}

describe('response body batching', () => {
  it('moves chunks produced together in a few host calls, in order', async () => {
    const r = await serve(`
let i = 0;
export default {
  fetch: () => new Response(new ReadableStream({
    pull(c) {
      if (i === 64) return c.close();
      c.enqueue(new Uint8Array(4096).fill(i++));
    },
  })),
};`);
    expect(r.status).toBe(200);
    expect(r.bytes.byteLength).toBe(64 * 4096);
    for (let i = 0; i < 64; i++) expect(r.bytes[i * 4096]).toBe(i);
    // 256 KiB ready at once: one batch or two, not 64 round trips.
    expect(r.groups).toBeLessThanOrEqual(3);
  });

  it('still sends a slow stream chunk by chunk, as each is produced', async () => {
    const r = await serve(`
export default {
  fetch() {
    let n = 0;
    return new Response(new ReadableStream({
      async pull(c) {
        if (n > 0) await new Promise((r) => setTimeout(r, 150));
        if (n === 3) return c.close();
        c.enqueue(new TextEncoder().encode('tick ' + n++ + '\\n'));
      },
    }));
  },
};`);
    expect(r.bytes.toString()).toBe('tick 0\ntick 1\ntick 2\n');
    expect(r.groups).toBe(3);
    expect(r.times[1]! - r.times[0]!).toBeGreaterThan(100);
  });

  it('delivers the chunks before a stream error, then aborts the response', async () => {
    const r = await serve(`
let i = 0;
export default {
  fetch: () => new Response(new ReadableStream({
    pull(c) {
      if (i === 3) return c.enqueue('not bytes');
      c.enqueue(new Uint8Array(1000).fill(++i));
    },
  })),
};`);
    expect(r.bytes.byteLength).toBe(3000);
    expect(r.aborted).toBeDefined();
  });

  it('over HTTP to a slow reader: a batch waits for the socket with one listener, and arrives whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isle-batch-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'worker.ts'), `
const chunk = new Uint8Array(64 * 1024).fill(7);
let i = 0;
export default {
  fetch: () => new Response(new ReadableStream({ pull(c) { if (i++ === 16) return c.close(); c.enqueue(chunk.slice()); } })),
};`);
    const { bundle } = await bundleWorker(join(dir, 'worker.ts'), dir);
    const limits = resolveLimits();
    const engine = new WorkerEngine(bundle, { isolation: 'tenant', limits, env: {}, dev: true, allowEgress: [], log: () => {} });
    const server = createServer((req, res) => void engine.handle(toEngineRequest(req, res, { origin: 'http://localhost' }, limits.maxRequestBodyBytes), sinkFor(res)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const length = await new Promise<number>((resolve, reject) => {
        get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) => {
          let n = 0;
          res.pause();
          setTimeout(() => {
            res.on('data', (d: Buffer) => (n += d.byteLength));
            res.on('end', () => resolve(n));
            res.resume();
          }, 300);
        }).on('error', reject);
      });
      expect(length).toBe(16 * 64 * 1024);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      engine.dispose();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
